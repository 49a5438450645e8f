"""The gate source the web's cases and actions use: the subject's stored record under ILOS_HOME/linkage (as
`case_actions.linkage_gates` reads it) plus the events of every change the near-real-time worker has
journaled for that subject since the linkage was built, so a stay posted a moment ago blocks the next step.
Evaluated afresh on every call, never cached."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from ilos.definitions.sources import load_sources_config
from ilos.policy.gates import evaluate_gates
from ilos.policy.results import GateResult, GateReview
from ilos.services import linking, realtime
from ilos.services.case_actions import GateSource
from ilos.services.store_access import Store
from ilos.services.web_detail import linkage_dir, read_detail
from ilos.services.web_policy import current_policy
from ilos.subjects.assemble import Row, assemble_subject, rows_of
from ilos.subjects.events_sql import source_events_sql


def web_gate_source(store: Store) -> GateSource:
    home = store.settings.home

    def evaluate(
        subject_id: str, destination: str | None, reviews: Sequence[GateReview]
    ) -> Sequence[GateResult]:
        directory = linkage_dir(home)
        detail = read_detail(directory, subject_id)
        events = [*detail.events, *journaled_event_rows(directory, subject_id)]
        subject = assemble_subject(subject_id, detail.observations, events, detail.as_of)
        return evaluate_gates(subject, date.today(), current_policy(home), destination, reviews)

    return evaluate


def journaled_event_rows(directory: Path, subject_id: str) -> list[Row]:
    """Timeline rows of the change events the worker journaled for this subject (complete lines only)."""
    journal = directory / realtime.JOURNAL_FILE
    if not journal.is_file():
        return []
    with journal.open(encoding="utf-8") as f:
        entries = [json.loads(line) for line in f if line.endswith("\n")]
    mine = [e for e in entries if e.get("subject_id") == subject_id]
    if not mine:
        return []
    config = load_sources_config(directory / linking.CONFIG_COPY)
    rows: list[Row] = []
    con = duckdb.connect()
    try:
        for entry in mine:
            spec = config.source(entry["source"])
            if not spec.events:
                continue
            raw = pa.table(
                {c: pa.array([entry["values"].get(c)], pa.string()) for c in spec.declared_schema()}
            )
            con.register("incoming_raw", raw)
            rows.extend(rows_of(con.sql(source_events_sql(spec, "incoming_raw")).to_arrow_table()))
            con.unregister("incoming_raw")
    finally:
        con.close()
    return rows
