"""`rows_of` converts a table to row dicts a step of rows at a time (a million-person subjects build held
every observation as Python objects at once): the rows are the same whatever the step, key/value lists
included, across the table's chunks."""

from __future__ import annotations

import pyarrow as pa

from ilos.subjects.assemble import rows_of

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
