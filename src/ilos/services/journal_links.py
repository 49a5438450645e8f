"""The pairs the near-real-time worker scored and the records it linked, read back from its journal: each
event's line holds its record's raw values and its scored pairs in links.parquet's columns. What the review
queue, explanations, judgements and the review page add to the batch files. The journal stays the worker's
(`realtime`); this module shapes what a line holds and reads its complete lines
(`journal_records`: those the batch files do not hold, with the subjects their records belong to now)."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from ilos.resolve.explain import LiveLinks
from ilos.resolve.incremental import links_schema
from ilos.services.journal_file import JOURNAL_FILE, event_lines
from ilos.services.journal_records import Journal, links_table, read_journal, unheld_lines
from ilos.services.linkage_config import load_linkage_config
from ilos.standardize.record import standardized_row


def line_links(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """An event's scored pairs (links.parquet rows, `IncrementalLinker.link_rows`) as its journal line holds them."""
    return {column: [row[column] for row in rows] for column in rows[0]} if rows else {}


def journaled_links(directory: Path, decision: str | None = None) -> pa.Table:
    """Every pair the worker scored (those decided `decision` only, when given), in links.parquet's shape and
    journal order: each event's pairs as they were decided when its record was linked. A line written before
    the journal held pairs adds none, nor does one whose record the batch files hold (`unheld_lines`)."""
    lines = event_lines(directory / JOURNAL_FILE, (json.dumps(decision),) if decision else ())
    return links_table(unheld_lines(directory, lines), decision)


def journaled_linkage(directory: Path, journal: Journal | None = None) -> tuple[pa.Table, pa.Table]:
    """What the worker added to the linkage, in the batch files' shapes: its records with the subject each
    belongs to now (clusters.parquet's `source`, `record_id`, `subject_id`; `journal_records`) and the pairs
    it scored (links.parquet's columns). `journal`: the journal as the request read it already."""
    read = journal if journal is not None else read_journal(directory)
    return read.linked_records, read.links.select(links_schema().names)


def live_links(directory: Path, keys: Collection[str]) -> LiveLinks:
    """What the journal holds about these records (`source|record_id`): whether the worker linked them, and
    the pairs they were scored in; only the lines naming one of them are parsed. A record the batch files
    hold is the batch's (`unheld_lines`)."""
    lines = unheld_lines(directory, event_lines(directory / JOURNAL_FILE, [json.dumps(k) for k in keys]))
    records = frozenset(str(e["record"]) for e in lines) & frozenset(keys)
    return LiveLinks(records, links_table(lines))


def journaled_records(directory: Path, keys: Collection[str]) -> dict[str, dict[str, Any]]:
    """The records among `keys` (`source|record_id`) that the worker linked, standardized from the raw values
    its journal holds as it standardized them to link them (callers ask only for records the batch files lack)."""
    lines = event_lines(directory / JOURNAL_FILE, [json.dumps(k) for k in keys])
    wanted = [e for e in lines if e["record"] in keys]
    if not wanted:
        return {}
    config = load_linkage_config(directory)
    return {e["record"]: standardized_row(config.source(e["source"]), e["values"]) for e in wanted}
