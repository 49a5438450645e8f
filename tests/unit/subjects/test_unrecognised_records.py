"""A court row that no event spec of its source reads (REC_TYPE "STY", no REC_TYPE, a decision code nobody
listed), and a row of a kind that may bar action whose date cannot be read, yield an `unrecognised_record`
event, alike in the batch and the worker, instead of nothing: it may be a stay. Sources holding no court
records keep leaving rows of no known type out, and rows of other kinds with no date."""

from __future__ import annotations

from datetime import date

import duckdb
import pyarrow as pa

from ilos.definitions.sources import SourcesConfig, SourceSpec
from ilos.domain.events import Event
from ilos.subjects.assemble import event_from_row, rows_of
from ilos.subjects.events_sql import source_events_sql
from ilos.subjects.row_events import row_events

CONFIG = SourcesConfig.model_validate(
    {
        "sources": [
            {
                "name": "court_cases",
                "path": "court.csv",
                "record_id": "REC_ID",
                "fields": {"given_name": "FIRST"},
                "columns": {
                    "REC_ID": {"type": "string"},
                    "FIRST": {"type": "string"},
                    "CASE_NO": {"type": "string"},
                    "REC_TYPE": {"type": "string"},
                    "DECISION_CODE": {"type": "string"},
                    "STAY_TYPE": {"type": "string"},
                    "EVENT_DATE": {"type": "date", "format": "%m/%d/%Y"},
                    "ENTERED_DATE": {"type": "date", "format": "%m/%d/%Y"},
                },
                "events": [
                    {
                        "kind": "removal_order",
                        "date": "EVENT_DATE",
                        "attributes": {
                            "case": "CASE_NO",
                            "outcome": "DECISION_CODE",
                            "entered": "ENTERED_DATE",
                        },
                        "when": {"REC_TYPE": ["DECISION"], "DECISION_CODE": ["REMOVAL"]},
                    },
                    {
                        "kind": "stay",
                        "date": "EVENT_DATE",
                        "attributes": {"case": "CASE_NO", "stay_type": "STAY_TYPE"},
                        "when": {"REC_TYPE": ["STAY"]},
                    },
                ],
            },
            {
                "name": "citizenship",
                "path": "cert.csv",
                "record_id": "ID",
                "fields": {"given_name": "FIRST"},
                "columns": {
                    "ID": {"type": "string"},
                    "FIRST": {"type": "string"},
                    "kind": {"type": "string"},
                    "issued": {"type": "date", "format": "%Y-%m-%d"},
                },
                "events": [
                    {"kind": "citizenship_evidence", "date": "issued", "attributes": {"kind": "kind"}}
                ],
            },
            {
                "name": "crossings",
                "path": "cross.csv",
                "record_id": "ID",
                "fields": {"given_name": "FIRST"},
                "columns": {
                    "ID": {"type": "string"},
                    "FIRST": {"type": "string"},
                    "COA": {"type": "string"},
                    "CROSSED": {"type": "date", "format": "%d-%b-%Y"},
                },
                "events": [{"kind": "entry", "date": "CROSSED", "attributes": {"class": "COA"}}],
            },
            {
                "name": "criminal_history",
                "path": "crim.csv",
                "record_id": "ID",
                "fields": {"given_name": "FIRST"},
                "columns": {
                    "ID": {"type": "string"},
                    "FIRST": {"type": "string"},
                    "record_type": {"type": "string"},
                    "event_date": {"type": "date", "format": "%m/%d/%Y"},
                },
                "events": [{"kind": "arrest", "date": "event_date", "when": {"record_type": ["ARREST"]}}],
            },
        ]
    }
)


def _both(spec: SourceSpec, rows: list[dict[str, str | None]]) -> tuple[list[Event], list[Event]]:
    raw = pa.table({c: pa.array([r.get(c) for r in rows], pa.string()) for c in spec.declared_schema()})
    con = duckdb.connect()
    con.register("raw_rows", raw)
    from_sql = [
        event_from_row(r) for r in rows_of(con.sql(source_events_sql(spec, "raw_rows")).to_arrow_table())
    ]
    from_python = [e for row in raw.to_pylist() for e in row_events(spec, row)]
    return sorted(from_sql, key=repr), sorted(from_python, key=repr)


def test_a_court_row_of_no_known_type_is_an_unrecognised_record_in_both_extractions() -> None:
    day = {"EVENT_DATE": "12/01/2026"}
    rows: list[dict[str, str | None]] = [
        {"REC_ID": "S1", "REC_TYPE": "STY", "STAY_TYPE": "JUDICIAL", "CASE_NO": "C1", **day},
        {"REC_ID": "S2", "REC_TYPE": None, "STAY_TYPE": "JUDICIAL", **day},
        {
            "REC_ID": "D1",
            "REC_TYPE": "DECISION",
            "DECISION_CODE": " relief granted ",
            "ENTERED_DATE": "12/02/2026",
            **day,
        },
        {"REC_ID": "OK1", "REC_TYPE": "stay", **day},
        {"REC_ID": "OK2", "REC_TYPE": "DECISION", "DECISION_CODE": "REMOVAL", **day},
    ]
    from_sql, from_python = _both(CONFIG.source("court_cases"), rows)
    assert from_python == from_sql
    unread = {e.record_id: e for e in from_sql if e.kind == "unrecognised_record"}
    assert sorted(unread) == ["D1", "S1", "S2"]
    assert unread["S1"].attributes == (("case", "C1"), ("stay_type", "JUDICIAL"), ("typed", "REC_TYPE=STY"))
    assert unread["S2"].get("typed") is None and unread["S2"].on == date(2026, 12, 1)
    assert unread["D1"].get("typed") == "DECISION_CODE=relief granted; REC_TYPE=DECISION"
    assert unread["D1"].recorded_on == date(2026, 12, 2)
    assert sorted((e.record_id, e.kind) for e in from_sql if e.kind != "unrecognised_record") == [
        ("OK1", "stay"),
        ("OK2", "removal_order"),
    ]


def test_a_source_holding_no_court_records_leaves_rows_of_other_types_out() -> None:
    rows: list[dict[str, str | None]] = [
        {"ID": "A1", "record_type": "ARREST", "event_date": "01/02/2020"},
        {"ID": "N1", "record_type": "NOTE", "event_date": "01/02/2020"},
    ]
    from_sql, from_python = _both(CONFIG.source("criminal_history"), rows)
    assert from_python == from_sql and [(e.record_id, e.kind) for e in from_sql] == [("A1", "arrest")]


def test_a_court_row_with_no_readable_date_is_an_unrecognised_record_in_both_extractions() -> None:
    rows: list[dict[str, str | None]] = [
        {"REC_ID": "U0", "REC_TYPE": "STY", "EVENT_DATE": "99/99/2026"},
        {
            "REC_ID": "U1",
            "REC_TYPE": "Stay",
            "CASE_NO": "C1",
            "STAY_TYPE": "JUDICIAL",
            "EVENT_DATE": "13/45/2026",
        },
        {"REC_ID": "U2", "REC_TYPE": "DECISION", "DECISION_CODE": "REMOVAL", "EVENT_DATE": " "},
    ]
    from_sql, from_python = _both(CONFIG.source("court_cases"), rows)
    assert from_python == from_sql
    assert [(e.record_id, e.kind, e.on) for e in from_sql] == [
        ("U0", "unrecognised_record", date.min),
        ("U1", "unrecognised_record", date.min),
        ("U2", "unrecognised_record", date.min),
    ]
    unread = {str(e.record_id): e for e in from_sql}
    assert unread["U0"].attributes == (("typed", "REC_TYPE=STY"), ("unread_date", "EVENT_DATE=99/99/2026"))
    assert unread["U1"].attributes == (
        ("case", "C1"),
        ("read_as", "stay"),
        ("stay_type", "JUDICIAL"),
        ("typed", "REC_TYPE=Stay"),
        ("unread_date", "EVENT_DATE=13/45/2026"),
    )
    assert unread["U2"].get("read_as") == "removal_order" and unread["U2"].get("unread_date") == "EVENT_DATE="


def test_a_certificate_with_no_readable_date_is_an_unrecognised_record_and_an_arrest_is_left_out() -> None:
    rows: list[dict[str, str | None]] = [
        {"ID": "C1", "kind": "NATURALIZATION", "issued": "1985-02-30"},
        {"ID": "C2", "kind": "PASSPORT", "issued": "1990-01-02"},
    ]
    from_sql, from_python = _both(CONFIG.source("citizenship"), rows)
    assert from_python == from_sql
    events = {str(e.record_id): e for e in from_sql}
    assert {i: e.kind for i, e in events.items()} == {
        "C1": "unrecognised_record",
        "C2": "citizenship_evidence",
    }
    assert events["C1"].attributes == (
        ("kind", "NATURALIZATION"),
        ("read_as", "citizenship_evidence"),
        ("unread_date", "issued=1985-02-30"),
    )
    undated_arrest: list[dict[str, str | None]] = [
        {"ID": "A0", "record_type": "ARREST", "event_date": "02/30/2020"}
    ]
    assert _both(CONFIG.source("criminal_history"), undated_arrest) == ([], [])


def test_an_entry_with_no_readable_date_is_an_unrecognised_record_in_both_extractions() -> None:
    """A US citizen's or an LPR's admission with its date past parsing was dropped (found by review): it is kept
    as any record that may bar action is; whether it holds is the legal derivation's to say (a tourist's does
    not: `legal_derivation.undated_may_bar`)."""
    rows: list[dict[str, str | None]] = [{"ID": "X1", "COA": "USC", "CROSSED": "30-FEB-2025"}]
    from_sql, from_python = _both(CONFIG.source("crossings"), rows)
    assert from_python == from_sql
    [event] = from_sql
    assert (
        event.kind == "unrecognised_record"
        and event.get("read_as") == "entry"
        and event.get("class") == "USC"
    )
