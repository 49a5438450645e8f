"""The file inbox's look for a record already posted (`FileInbox.holds`): it parses only the lines holding the
value's text, and still answers exactly (no prefix, no other source or column, any script)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ilos.services.change_inbox import FileInbox


@pytest.fixture
def inbox(tmp_path: Path) -> FileInbox:
    posted = FileInbox(tmp_path)
    posted.post("court_cases", {"CASE_ID": "R-10", "NAME": "R-13"})
    posted.post("court_cases", {"CASE_ID": 'NÚÑEZ-7 "q"', "NAME": None})
    posted.post("encounters", {"CASE_ID": "R-11", "NAME": "ANA"})
    return posted


@pytest.mark.parametrize(
    ("source", "record_id", "held"),
    [
        ("court_cases", "R-10", True),
        ("court_cases", 'NÚÑEZ-7 "q"', True),  # escaped in the line, found by its escaped text
        ("court_cases", "R-1", False),  # a prefix of a posted id
        ("court_cases", "R-13", False),  # the text is on a line, in another column
        ("court_cases", "R-11", False),  # posted for another source
    ],
)
def test_a_record_is_held_only_when_a_posted_row_of_its_source_has_its_id(
    inbox: FileInbox, source: str, record_id: str, held: bool
) -> None:
    assert inbox.holds(source, "CASE_ID", record_id) is held
