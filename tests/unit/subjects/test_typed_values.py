"""A `when:` filter reads a coded column (REC_TYPE, DECISION_CODE) whatever its case and surrounding blanks,
alike in the batch extraction (SQL) and the worker's (Python): "Stay" is a stay, not a row no event reads."""

from __future__ import annotations

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from ilos.definitions.sources import SourcesConfig
from ilos.domain.events import Event
from ilos.subjects.assemble import event_from_row, rows_of
from ilos.subjects.events_sql import source_events_sql
from ilos.subjects.row_events import row_events

COURT = SourcesConfig.model_validate(
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
                    "REC_TYPE": {"type": "string"},
                    "DECISION_CODE": {"type": "string"},
                    "STAY_TYPE": {"type": "string"},
                    "EVENT_DATE": {"type": "date", "format": "%m/%d/%Y"},
                },
                "events": [
                    {
                        "kind": "removal_order",
                        "date": "EVENT_DATE",
                        "attributes": {"outcome": "DECISION_CODE"},
                        "when": {
                            "REC_TYPE": ["DECISION"],
                            "DECISION_CODE": ["REMOVAL", "VOLUNTARY_DEPARTURE"],
                        },
                    },
                    {
                        "kind": "stay",
                        "date": "EVENT_DATE",
                        "attributes": {"stay_type": "STAY_TYPE"},
                        "when": {"REC_TYPE": ["STAY"]},
                    },
                    {"kind": "appeal", "date": "EVENT_DATE", "when": {"REC_TYPE": ["Appeal "]}},
                ],
            }
        ]
    }
).source("court_cases")


def _both(rows: list[dict[str, str | None]]) -> tuple[list[Event], list[Event]]:
    """The events of `rows` by the SQL extraction and by the worker's Python one."""
    raw = pa.table({c: pa.array([r.get(c) for r in rows], pa.string()) for c in COURT.declared_schema()})
    con = duckdb.connect()
    con.register("raw_rows", raw)
    from_sql = [
        event_from_row(r) for r in rows_of(con.sql(source_events_sql(COURT, "raw_rows")).to_arrow_table())
    ]
    from_python = [e for row in raw.to_pylist() for e in row_events(COURT, row)]
    return sorted(from_sql, key=repr), sorted(from_python, key=repr)


def test_a_coded_column_is_read_whatever_its_case_and_blanks_in_both_extractions() -> None:
    written = ["Stay", "stay", " STAY ", "\tsTaY\n", "STAY\u3000"]
    rows = [
        {"REC_ID": f"S{i}", "REC_TYPE": t, "EVENT_DATE": "12/01/2026", "FIRST": "ANA"}
        for i, t in enumerate(written)
    ]
    rows += [
        {
            "REC_ID": "D1",
            "REC_TYPE": "decision",
            "DECISION_CODE": "Voluntary_Departure",
            "EVENT_DATE": "12/01/2026",
        },
        {"REC_ID": "A1", "REC_TYPE": "APPEAL", "EVENT_DATE": "12/01/2026"},  # the listed value is "Appeal "
    ]
    from_sql, from_python = _both(rows)
    assert from_python == from_sql
    assert sorted(e.record_id for e in from_sql if e.kind == "stay") == ["S0", "S1", "S2", "S3", "S4"]
    assert [(e.kind, e.get("outcome")) for e in from_sql if e.record_id == "D1"] == [
        ("removal_order", "Voluntary_Departure")
    ]
    assert [e.kind for e in from_sql if e.record_id == "A1"] == ["appeal"]


def test_a_value_padded_with_any_blank_is_trimmed_alike_in_both_extractions() -> None:
    """DuckDB's bare TRIM keeps tabs and line breaks, Python's strip() does not: a tab-padded stay type was
    one value to the worker and another to the batch."""
    rows = [
        {
            "REC_ID": "S1",
            "REC_TYPE": "STAY",
            "EVENT_DATE": "\t12/01/2026\n",
            "STAY_TYPE": "\tADMINISTRATIVE\r",
        }
    ]
    from_sql, from_python = _both(rows)
    assert from_python == from_sql
    assert [(e.kind, e.get("stay_type")) for e in from_sql] == [("stay", "ADMINISTRATIVE")]


_BLANKS = "".join(c for c in map(chr, range(0x110000)) if c.isspace())
_ANY_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
    | st.sampled_from(_BLANKS)
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_ANY_TEXT, min_size=1, max_size=40))
def test_typed_value_reads_alike_in_python_and_sql(texts: list[str]) -> None:
    from ilos.subjects.events_sql import typed_value, typed_value_sql

    con = duckdb.connect()
    con.register("t", pa.table({"i": list(range(len(texts))), "c": pa.array(texts, pa.string())}))
    in_sql = [v for (v,) in con.sql(f"SELECT {typed_value_sql('c')} FROM t ORDER BY i").fetchall()]
    assert in_sql == [typed_value(t) or None for t in texts]


def test_the_blanks_both_extractions_trim_are_pythons_whitespace() -> None:
    from ilos.subjects.events_sql import BLANKS

    assert BLANKS == _BLANKS
