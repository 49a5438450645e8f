"""The synthetic world's event specs read every benefit decision and every crossing that may protect a person:
a decision code nobody listed (GRANTED, APPRV) is a decision for the status rules to read, a pending row is
none, and a crossing not known to be an exit is an entry. Both extractions (the batch SQL and the worker's
Python) agree on each row."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import duckdb
import pyarrow as pa
import pytest

from ilos.definitions.policy_files import load_policy
from ilos.definitions.sources import SourcesConfig, load_sources_config
from ilos.domain.events import Event, EventKind, order_timeline
from ilos.domain.legal_derivation import derive_legal_situation
from ilos.domain.provenance import RecordId, SourceId, SubjectId
from ilos.domain.subjects import Subject
from ilos.policy.decide import evaluate_subject
from ilos.policy.results import GateId
from ilos.subjects.assemble import event_from_row, rows_of
from ilos.subjects.events_sql import source_events_sql
from ilos.subjects.row_events import row_events
from ilos.synth import generate_world

TODAY = date(2026, 11, 1)
FINAL_ORDER = Event(
    "removal_order",
    date(2025, 3, 1),
    SourceId("court_cases"),
    RecordId("D1"),
    (("case", "C1"), ("outcome", "REMOVAL"), ("destination_country", "MEX")),
)


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> SourcesConfig:
    out = tmp_path_factory.mktemp("world")
    generate_world(out, 200, 3)
    return load_sources_config(out / "sources.yaml")


def _events(config: SourcesConfig, source: str, row: Mapping[str, str | None]) -> list[Event]:
    """The row's events, checked to be the same in both extractions."""
    spec = config.source(source)
    columns = {name: pa.array([row.get(name)], pa.string()) for name in spec.used_columns()}
    con = duckdb.connect()
    con.register("raw_rows", pa.table(columns))
    from_sql = [
        event_from_row(r) for r in rows_of(con.sql(source_events_sql(spec, "raw_rows")).to_arrow_table())
    ]
    from_python = row_events(spec, {name: row.get(name) for name in spec.used_columns()})
    assert sorted(from_python, key=repr) == sorted(from_sql, key=repr)
    return from_python


def _blocking(events: list[Event]) -> set[GateId]:
    timeline = order_timeline([FINAL_ORDER, *events])
    s = Subject(SubjectId("S-00000000abcd"), {}, timeline, derive_legal_situation(timeline, TODAY), ())
    decision = evaluate_subject(s, TODAY, load_policy("default"), "supervisor", "removal_logistics")
    return {g.gate for g in decision.blocking}


BENEFIT = {
    "receipt_number": "EAC1234567890",
    "form_type": "N-400",
    "benefit_kind": "NATURALIZATION",
    "filed_date": "01/05/2020",
    "decision": "APPROVED",
    "decision_date": "06/01/2021",
}
STAY = {**BENEFIT, "form_type": "I-246", "benefit_kind": "STAY", "decision_date": "06/01/2026"}
TPS = {**BENEFIT, "form_type": "I-821", "benefit_kind": "TPS"}


@pytest.mark.parametrize(
    ("row", "decision", "gates"),
    [
        pytest.param(BENEFIT, "APPROVED", {GateId.CITIZENSHIP}, id="naturalization APPROVED"),
        pytest.param({**BENEFIT, "decision": "GRANTED"}, "GRANTED", {GateId.CITIZENSHIP}, id="naturalization GRANTED"),
        pytest.param({**BENEFIT, "decision": "Oath Done"}, "Oath Done", {GateId.PROTECTED_STATUS}, id="naturalization, code unknown"),
        pytest.param({**STAY, "decision": "GRANTED"}, "GRANTED", {GateId.STAY}, id="I-246 stay GRANTED"),
        pytest.param({**TPS, "decision": "DENIED"}, "DENIED", set(), id="TPS DENIED"),
        pytest.param({**TPS, "decision": "PENDING", "decision_date": None}, None, {GateId.PROTECTED_STATUS}, id="TPS pending"),
        pytest.param({**TPS, "decision": None, "decision_date": None}, None, {GateId.PROTECTED_STATUS}, id="TPS, no decision"),
        pytest.param({**TPS, "decision": " pending ", "decision_date": None}, None, {GateId.PROTECTED_STATUS}, id="TPS, pending padded"),
        pytest.param({**TPS, "benefit_kind": None, "decision": "PENDING", "decision_date": None}, None, {GateId.PROTECTED_STATUS}, id="TPS by form only"),
    ],
)  # fmt: skip
def test_every_benefit_decision_is_read_and_no_pending_row_is_one(
    config: SourcesConfig, row: dict[str, str | None], decision: str | None, gates: set[GateId]
) -> None:
    events = _events(config, "benefit_applications", row)
    decisions = [e.get("decision") for e in events if e.kind == EventKind.BENEFIT_DECISION]
    assert decisions == ([decision] if decision else [])
    assert not any(e.kind == EventKind.UNRECOGNISED_RECORD for e in events)
    assert _blocking(events) == gates


def test_a_decision_with_no_date_is_still_a_record_ilos_cannot_read(config: SourcesConfig) -> None:
    events = _events(
        config, "benefit_applications", {**BENEFIT, "decision": "GRANTED", "decision_date": None}
    )
    assert [e.get("read_as") for e in events if e.kind == EventKind.UNRECOGNISED_RECORD] == [
        "benefit_decision"
    ]


CROSSING = {
    "CROSSING_ID": "X1",
    "DIRECTION": "ENTRY",
    "CROSSING_DATE": "07-MAY-2024",
    "COA": "LPR",
    "PORT_CODE": "ATL",
}


@pytest.mark.parametrize("direction", ["ENTRY", "IN", "ARRIVAL", "entry ", None])
def test_a_crossing_not_known_to_be_an_exit_is_an_entry(config: SourcesConfig, direction: str | None) -> None:
    events = _events(config, "border_crossings", {**CROSSING, "DIRECTION": direction})
    assert [(e.kind, e.get("class")) for e in events] == [(EventKind.ENTRY, "LPR")]
    assert _blocking(events) == {GateId.PROTECTED_STATUS}


@pytest.mark.parametrize("direction", ["EXIT", "OUT", "Departure"])
def test_an_exit_is_an_exit(config: SourcesConfig, direction: str) -> None:
    events = _events(config, "border_crossings", {**CROSSING, "DIRECTION": direction})
    assert [e.kind for e in events] == [EventKind.EXIT]
