"""`rows_of` converts a table to row dicts a step of rows at a time (a million-person subjects build held
every observation as Python objects at once): the rows are the same whatever the step, key/value lists
included, across the table's chunks."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from ilos.subjects.assemble import assemble_subjects, rows_of

PAIRS = pa.list_(pa.struct([("k", pa.string()), ("v", pa.string())]))


def _table() -> pa.Table:
    first = pa.table(
        {
            "subject_id": ["S1", "S1", "S2", "S3"],
            "attributes": pa.array(
                [[{"k": "a", "v": "1"}], [], [{"k": "b", "v": "2"}, {"k": "c", "v": None}], None], PAIRS
            ),
        }
    )
    second = pa.table(
        {"subject_id": ["S4", "S5"], "attributes": pa.array([[{"k": "d", "v": "4"}], []], PAIRS)}
    )
    return pa.concat_tables([first, second])  # two chunks


def test_rows_are_the_same_whatever_the_step() -> None:
    expected = [
        {"subject_id": "S1", "attributes": (("a", "1"),)},
        {"subject_id": "S1", "attributes": ()},
        {"subject_id": "S2", "attributes": (("b", "2"), ("c", None))},
        {"subject_id": "S3", "attributes": ()},
        {"subject_id": "S4", "attributes": (("d", "4"),)},
        {"subject_id": "S5", "attributes": ()},
    ]
    for step in (1, 2, 3, 5, 1000):
        assert list(rows_of(_table(), step)) == expected, step
    assert list(rows_of(_table().slice(0, 0))) == []


def test_dates_and_lists_of_strings_come_out_as_to_pylist_gives_them_lists_as_tuples() -> None:
    """Converted once per distinct value; a list joining could not keep apart (a null, an empty string, the
    joiner) is converted as it is."""
    days = [date(2026, 1, 2), None, date(2026, 1, 2), date(2025, 5, 6)]
    marks = [["TAX", "HEALTH"], [], None, ["TAX", "HEALTH"]]
    for odd in (["A", None], ["", "B"], ["A\x1fB"]):
        table = pa.table(
            {"day": pa.array(days, pa.date32()), "marks": pa.array([*marks[:3], odd], pa.list_(pa.string()))}
        )
        rows = list(rows_of(table))
        assert [r["day"] for r in rows] == days
        assert [r["marks"] if r["marks"] is None else list(r["marks"]) for r in rows] == [*marks[:3], odd]
    rows = list(rows_of(pa.table({"marks": pa.array(marks, pa.list_(pa.string()))})))
    assert [r["marks"] for r in rows] == [("TAX", "HEALTH"), (), None, ("TAX", "HEALTH")]


def test_rows_out_of_subject_order_are_refused_not_assembled_twice() -> None:
    observations = pa.table(
        {
            "subject_id": ["S2", "S1"],
            "attribute": ["family_name", "family_name"],
            "value": ["A", "B"],
            "source": ["s", "s"],
            "record_id": ["1", "2"],
            "observed_on": pa.array([None, None], pa.date32()),
            "link_confidence": [1.0, 1.0],
            "markings": pa.array([[], []], pa.list_(pa.string())),
        }
    )
    events = observations.slice(0, 0).select(["subject_id"])
    with pytest.raises(ValueError, match="rows not ordered by subject: 'S1' after 'S2'"):
        list(assemble_subjects(observations, events, date(2026, 1, 1)))
