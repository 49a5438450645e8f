"""The store inbox's "already waiting" look (`change_inbox.is_waiting`): the database compares the waiting rows'
record ids, on each backend, exactly (no prefix, no other source, nothing processed, any script)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from ilos.services.change_inbox import ChangeEvent, add_event_row, is_waiting
from ilos.services.store_access import Store
from ilos.store.inbox_tables import ChangeEventRow


@pytest.fixture
def posted(store: Store) -> Store:
    now = datetime.now(UTC)
    with store.transaction() as session:
        for event_id, source, record_id in [
            ("e1", "court_cases", "R-10"),
            ("e2", "court_cases", 'NÚÑEZ-7 "q"'),
            ("e3", "encounters", "R-11"),
            ("e4", "court_cases", "R-12"),
        ]:
            values = {"CASE_ID": record_id, "NAME": "ANA"}
            session.add(add_event_row(ChangeEvent(event_id, source, values), "steward", now))
    with store.transaction() as session:
        session.execute(
            update(ChangeEventRow).where(ChangeEventRow.event_id == "e4").values(processed_at=now)
        )
    return store


@pytest.mark.parametrize(
    ("source", "record_id", "waiting"),
    [
        ("court_cases", "R-10", True),
        ("court_cases", 'NÚÑEZ-7 "q"', True),  # escaped in the stored JSON, compared as text
        ("court_cases", "R-1", False),  # a prefix of a waiting id
        ("court_cases", "r-10", False),  # record ids are compared exactly
        ("court_cases", "R-11", False),  # waiting, but for another source
        ("court_cases", "R-12", False),  # processed: no longer waiting
    ],
)
def test_a_record_is_waiting_only_when_an_unprocessed_event_of_its_source_holds_its_id(
    posted: Store, source: str, record_id: str, waiting: bool
) -> None:
    with posted.transaction() as session:
        assert is_waiting(session, source, "CASE_ID", record_id) is waiting


def test_a_record_id_column_with_a_quote_in_its_name_is_still_compared(store: Store) -> None:
    with store.transaction() as session:
        row = add_event_row(
            ChangeEvent("q1", "court_cases", {'CASE"ID': "R-1"}), "steward", datetime.now(UTC)
        )
        session.add(row)
    with store.transaction() as session:
        assert is_waiting(session, "court_cases", 'CASE"ID', "R-1")
        assert not is_waiting(session, "court_cases", 'CASE"ID', "R-2")
