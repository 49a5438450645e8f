"""The schema comes from the migrations and matches the models; audit rows cannot be changed."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ilos.services.access import Purpose, local_operator
from ilos.services.audit_log import Action, record
from ilos.services.store_access import Store
from ilos.store.schema import alembic_config, include_object_on, is_current, upgrade_to_head
from ilos.store.tables import Base


def test_models_and_migrations_do_not_drift(store: Store) -> None:
    with store.engine.connect() as connection:
        hook = include_object_on(connection.dialect.name)
        context = MigrationContext.configure(connection, opts={"include_object": hook})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    assert is_current(store.engine)


def test_upgrading_a_current_database_is_a_no_op(store: Store) -> None:
    upgrade_to_head(store.engine)
    assert is_current(store.engine)


def _one_event(store: Store) -> None:
    with store.transaction() as session:
        record(session, local_operator(Purpose.oversight), Action("test.event", "test"))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET actor = 'someone else'",
        "DELETE FROM audit_events",
        "UPDATE audit_chain_head SET last_seq = 0",
        "DELETE FROM audit_chain_head",
    ],
)
def test_database_refuses_to_change_the_audit_chain(store: Store, statement: str) -> None:
    _one_event(store)
    with pytest.raises(DBAPIError, match=r"append-only|only moves forward"), store.engine.begin() as conn:
        conn.execute(text(statement))
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_events")).scalar_one() == 1


_ACTOR = local_operator(Purpose.oversight).actor
_COLUMNS = (
    "seq, event_id, at, actor, client, purpose, action, object_type, object_ids, query, result_count, "
    "outcome, detail, prev_hash, hash"
)


def _copy_of_event_1(seq: str = "seq", actor: str = "actor") -> str:
    """INSERT ... SELECT of event 1 with `seq` and `actor` replaced (expressions over its columns)."""
    values = _COLUMNS.replace("seq,", f"{seq},", 1).replace("actor,", f"{actor},", 1)
    return f"INSERT {{verb}} INTO audit_events ({_COLUMNS}) SELECT {values} FROM audit_events WHERE seq = 1"


_OVERWRITES = {
    "sqlite": [
        # SQLite's REPLACE deletes the conflicting row without firing the DELETE trigger, then inserts.
        _copy_of_event_1(actor="'someone else'").format(verb="OR REPLACE"),
        _copy_of_event_1(seq="1000").format(verb="OR REPLACE"),  # same event_id: removes event 1
        "REPLACE INTO audit_chain_head (id, last_seq, last_hash) VALUES (1, 0, '" + "0" * 64 + "')",
    ],
    "postgresql": [
        # PostgreSQL's upsert runs the UPDATE triggers, which refuse it.
        _copy_of_event_1().format(verb="") + " ON CONFLICT (seq) DO UPDATE SET actor = 'someone else'",
        _copy_of_event_1(seq="1000").format(verb="") + " ON CONFLICT (event_id) DO UPDATE SET seq = 1000",
        "INSERT INTO audit_chain_head (id, last_seq, last_hash) VALUES (1, 0, '"
        + "0" * 64
        + "') ON CONFLICT (id) DO UPDATE SET last_seq = 0",
    ],
}


@pytest.mark.parametrize("which", range(3))
def test_database_refuses_to_overwrite_the_audit_chain_by_insert(store: Store, which: int) -> None:
    _one_event(store)
    statement = _OVERWRITES[store.engine.dialect.name][which]
    with pytest.raises(DBAPIError, match=r"append-only|only moves forward"), store.engine.begin() as conn:
        conn.execute(text(statement))
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT seq, actor FROM audit_events")).all() == [(1, _ACTOR)]
        assert conn.execute(text("SELECT last_seq FROM audit_chain_head")).scalar_one() == 1


def test_database_refuses_a_second_chain_head(store: Store) -> None:
    with pytest.raises(DBAPIError, match="only moves forward"), store.engine.begin() as conn:
        conn.execute(text("INSERT INTO audit_chain_head (id, last_seq, last_hash) VALUES (2, 99, 'x')"))


def test_postgres_refuses_truncating_the_audit_log(store: Store) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists on PostgreSQL only")
    _one_event(store)
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text("TRUNCATE audit_events"))


def test_the_initial_migration_downgrades_and_upgrades_again(store: Store) -> None:
    _one_event(store)
    config = alembic_config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    upgrade_to_head(store.engine)
    assert is_current(store.engine)
    _one_event(store)
