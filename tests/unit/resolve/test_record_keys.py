"""How a typed record is read: the source ends at the first ':' or '|', so a record id may hold either."""

from __future__ import annotations

import pytest

from ilos.errors import InvalidInputError
from ilos.resolve.explain import parse_record_key
from ilos.resolve.records import record_key


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("court_cases:EOIR0000000001", ("court_cases", "EOIR0000000001")),
        ("court_cases|EOIR0000000001", ("court_cases", "EOIR0000000001")),
        ("court_cases:A|B", ("court_cases", "A|B")),
        ("court_cases|A:B", ("court_cases", "A:B")),
        (" court_cases :X1", ("court_cases", "X1")),  # the source is trimmed
        ("ws: 1", ("ws", " 1")),  # the id is not: " 1", "1 " and "1" are three records of a file
        ("ws:1 ", ("ws", "1 ")),
    ],
)
def test_a_typed_record_names_its_source_and_whole_record_id(typed: str, parsed: tuple[str, str]) -> None:
    assert parse_record_key(typed) == parsed
    assert record_key(*parse_record_key(typed)) == "|".join(parsed)  # as stored


@pytest.mark.parametrize("typed", ["EOIR0000000001", ":X1", "court_cases:", "  "])
def test_a_record_without_source_or_id_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInputError, match="Expected SOURCE:RECORD_ID"):
        parse_record_key(typed)
