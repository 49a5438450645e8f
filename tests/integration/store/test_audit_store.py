"""The stored audit chain on both backends: concurrent appends stay one chain, tampering is found."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from ilos.errors import PermissionDeniedError
from ilos.services import audit_log
from ilos.services.access import Caller, Purpose, Role, local_operator
from ilos.services.audit_log import Action, record
from ilos.services.store_access import Store
from ilos.store.audit_events import EventFilter, count_events

OVERSIGHT = Caller("olga", frozenset({Role.oversight}), Purpose.oversight, "10.0.0.9", "u1")
ANALYST = Caller("ann", frozenset({Role.analyst}), Purpose.case_investigation, "10.0.0.8", "u2")


def _append(store: Store, n: int, name: str = "test.event") -> None:
    for i in range(n):
        with store.transaction() as session:
            record(
                session,
                local_operator(Purpose.data_quality),
                Action(name, "subject", (f"s{i}",), {"i": i}, 1),
            )


def test_concurrent_writers_extend_one_unbroken_chain(store: Store) -> None:
    threads = [threading.Thread(target=_append, args=(store, 15)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with store.transaction() as session:
        assert count_events(session) == 90
        result = audit_log.verify_stored_chain(session)
    assert result.ok, result.reason
    assert result.checked == 90 and result.head.seq == 90


def test_an_event_rolled_back_with_its_change_leaves_no_trace(store: Store) -> None:
    _append(store, 2)
    try:
        with store.transaction() as session:
            record(session, ANALYST, Action("subject.read", "subject", ("x",)))
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    _append(store, 1)
    with store.transaction() as session:
        assert audit_log.verify_stored_chain(session).ok
        assert count_events(session) == 3


def _tamper(store: Store, statement: str) -> None:
    """Change rows behind the application's back, as someone with database access could."""
    with store.engine.begin() as conn:
        if store.engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            conn.execute(text(statement))
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
            conn.execute(text(statement))


def test_verify_names_the_first_modified_event(store: Store) -> None:
    _append(store, 5)
    _tamper(store, "UPDATE audit_events SET actor = 'nobody' WHERE seq = 3")
    result = audit_log.verify(store, OVERSIGHT)
    assert not result.ok and result.first_bad_seq == 3 and "modified" in result.reason


def test_verify_names_a_deleted_event(store: Store) -> None:
    _append(store, 5)
    _tamper(store, "DELETE FROM audit_events WHERE seq = 2")
    result = audit_log.verify(store, OVERSIGHT)
    assert result.first_bad_seq == 2


def test_reading_and_verifying_the_log_are_themselves_audited(store: Store) -> None:
    _append(store, 2)
    events = audit_log.list_events(store, OVERSIGHT, EventFilter(limit=10))
    assert [e.seq for e in events] == [1, 2]
    audit_log.verify(store, OVERSIGHT)
    latest = audit_log.list_events(store, OVERSIGHT, EventFilter(after_seq=2))
    assert [(e.action, e.actor, e.client) for e in latest] == [
        ("audit.read", "olga", "10.0.0.9"),
        ("audit.verify", "olga", "10.0.0.9"),
    ]
    assert latest[0].result_count == 2 and latest[1].outcome == "ok"


def test_an_analyst_is_refused_the_audit_log_and_the_refusal_is_recorded(store: Store) -> None:
    with pytest.raises(PermissionDeniedError, match="oversight"):
        audit_log.list_events(store, ANALYST, EventFilter())
    events = audit_log.list_events(store, OVERSIGHT, EventFilter())
    assert (events[0].action, events[0].actor, events[0].outcome) == ("audit.read", "ann", "denied")
