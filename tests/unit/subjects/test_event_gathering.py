"""Events from a source's `events:` specs: `when` filters (AND across keys), dates parsed with the
declared format, ISO date attributes, recorded dates, and events joined to their subject."""

from __future__ import annotations

from datetime import date

import duckdb
import pyarrow as pa

from ilos.definitions.sources import SourcesConfig
from ilos.subjects.assemble import assemble_subjects
from ilos.subjects.gather import gather_events, gather_observations, ordered_observations, register_linkage

CONFIG = SourcesConfig.model_validate(
    {
        "sources": [
            {
                "name": "court",
                "path": "court.csv",
                "record_id": "ID",
                "markings": ["COURT"],
                "fields": {"given_name": "FIRST", "date_of_birth": {"column": "DOB", "format": "%m/%d/%Y"}},
                "columns": {
                    "ID": {"type": "string"},
                    "FIRST": {"type": "string"},
                    "DOB": {"type": "date", "format": "%m/%d/%Y"},
                    "TYPE": {"type": "string"},
                    "CODE": {"type": "string"},
                    "ON": {"type": "date", "format": "%m/%d/%Y"},
                    "ENTERED": {"type": "date", "format": "%m/%d/%Y"},
                },
                "events": [
                    {
                        "kind": "removal_order",
                        "date": "ON",
                        "attributes": {"outcome": "CODE", "entered": "ENTERED"},
                        "when": {"TYPE": ["DECISION"], "CODE": ["REMOVAL"]},
                    },
                    {"kind": "hearing", "date": "ON", "when": {"TYPE": ["HEARING"]}},
                ],
            }
        ]
    }
)
RAW = pa.table(
    {
        "ID": ["R1", "R2", "R3", "R4", "R5"],
        "FIRST": ["ANA", "ANA", "ANNA", "LUIS", "LUIS"],
        "DOB": ["01/02/1990", "01/02/1990", "02/01/1990", "03/03/1980", "03/03/1980"],
        "TYPE": ["DECISION", "DECISION", "HEARING", "HEARING", "HEARING"],
        "CODE": ["REMOVAL", "TERMINATED", None, None, None],
        "ON": ["01/05/2026", "01/06/2026", "12/01/2025", "02/30/2025", "03/01/2025"],
        "ENTERED": ["07/01/2026", None, None, None, None],
    }
)
CLUSTERS = pa.table(
    {
        "source": ["court"] * 5,
        "record_id": ["R1", "R2", "R3", "R4", "R5"],
        "subject_id": ["S-a", "S-a", "S-a", "S-b", "S-b"],
    }
)
LINKS = pa.table(
    {
        "source_l": ["court", "court"],
        "record_id_l": ["R1", "R4"],
        "source_r": ["court", "court"],
        "record_id_r": ["R3", "R5"],
        "match_probability": [0.97, 0.999],
    }
)
RECORDS = pa.table(
    {
        "source": ["court"] * 5,
        "record_id": ["R1", "R2", "R3", "R4", "R5"],
        "given_name": ["ANA", "ANA", "ANNA", "LUIS", "LUIS"],
        "date_of_birth": pa.array(
            [date(1990, 1, 2), date(1990, 1, 2), date(1990, 2, 1), date(1980, 3, 3), date(1980, 3, 3)]
        ),
    }
)


def _gather() -> tuple[pa.Table, pa.Table]:
    con = duckdb.connect()
    register_linkage(con, CLUSTERS, LINKS, RECORDS)
    events = gather_events(con, CONFIG, {"court": RAW}).to_arrow_table()
    observations = ordered_observations(
        gather_observations(con, CONFIG, RECORDS.column_names)
    ).to_arrow_table()
    return events, observations


def test_when_filters_require_every_key() -> None:
    events, _ = _gather()
    kinds = {(r["record_id"], r["kind"]) for r in events.to_pylist()}
    assert ("R1", "removal_order") in kinds
    assert ("R2", "removal_order") not in kinds  # TYPE matches, CODE does not
    # A court decision of a code no spec lists is no removal order, but it is not dropped: it may protect.
    assert ("R2", "unrecognised_record") in kinds


def test_an_unparseable_court_date_is_an_unrecognised_record_and_dates_become_iso() -> None:
    events, _ = _gather()
    rows = {r["record_id"]: r for r in events.to_pylist()}
    # A hearing on 02/30/2025 is no hearing ILOS can date, but it is not dropped: it may open a case.
    assert rows["R4"]["kind"] == "unrecognised_record" and rows["R4"]["occurred_on"] == date(1, 1, 1)
    assert {"k": "unread_date", "v": "ON=02/30/2025"} in rows["R4"]["attributes"]
    assert rows["R1"]["occurred_on"] == date(2026, 1, 5)
    assert rows["R1"]["recorded_on"] == date(2026, 7, 1)
    assert {"k": "entered", "v": "2026-07-01"} in rows["R1"]["attributes"]
    assert rows["R1"]["markings"] == ["COURT"]


def test_events_are_in_timeline_order_within_subjects() -> None:
    events, _ = _gather()
    assert [(r["subject_id"], r["record_id"]) for r in events.to_pylist()] == [
        ("S-a", "R3"),
        ("S-a", "R1"),
        ("S-a", "R2"),
        ("S-b", "R4"),
        ("S-b", "R5"),
    ]


def test_observations_carry_link_confidence_and_observed_dates() -> None:
    _, observations = _gather()
    dob = {r["record_id"]: r for r in observations.to_pylist() if r["attribute"] == "date_of_birth"}
    assert dob["R1"]["link_confidence"] == 0.97
    assert dob["R2"]["link_confidence"] == 0.0  # in a subject, but no scored link to its mates
    assert dob["R1"]["observed_on"] == date(2026, 1, 5)


def test_assembled_subjects_flag_dob_conflict_and_derive_from_recorded_dates() -> None:
    events, observations = _gather()
    subjects = {s.subject_id: s for s in assemble_subjects(observations, events, date(2026, 11, 1))}
    ana = subjects["S-a"]
    assert ana.attribute("date_of_birth").conflict
    assert ana.legal.final_order is not None and ana.legal.final_order.ordered_on == date(2026, 1, 5)
    before_entry = next(iter(assemble_subjects(observations, events, date(2026, 6, 1))))
    assert before_entry.legal.final_order is None
    assert not subjects["S-b"].attribute("date_of_birth").conflict
