"""A data directory made by an older release (its store at migration 0004, before the inbox, legal records
and plans) is brought to this release when a server starts on it, and processes starting at once on it
migrate one after the other instead of racing each other's DDL."""

from __future__ import annotations

import threading

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text

from ilos.config import Settings
from ilos.server import create_server
from ilos.store.engine import make_engine
from ilos.store.schema import MIGRATION_LOCK, alembic_config, is_current, upgrade_to_head

OLD = "0004"


def _engine_at(settings: Settings, revision: str) -> Engine:
    engine = make_engine(settings.store_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return engine


def test_a_server_started_on_an_old_store_migrates_it(settings: Settings) -> None:
    engine = _engine_at(settings, OLD)
    assert not is_current(engine)

    with TestClient(create_server(settings)) as client:
        assert client.get("/api/v1/health").status_code == 200
        assert client.get("/signin").status_code == 200

    assert is_current(engine)
    with engine.connect() as connection:  # the tables of 0005-0007 are there, empty
        for table in ("change_events", "gate_reviews", "operation_plans"):
            assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0
    engine.dispose()


def test_a_migration_waits_for_one_in_progress(settings: Settings) -> None:
    engine = _engine_at(settings, OLD)
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite queues writers already: every transaction begins IMMEDIATE")
    failures: list[BaseException] = []

    def migrate() -> None:
        try:
            upgrade_to_head(engine)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)

    with engine.connect() as holder:
        with holder.begin():  # another process in the middle of migrating
            holder.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            second = threading.Thread(target=migrate)
            second.start()
            _wait_for_a_waiter(holder)
            assert not is_current(engine)  # it waits rather than run the same DDL at once
        second.join(60)
    assert not second.is_alive()
    assert failures == []
    assert is_current(engine)
    engine.dispose()


def _wait_for_a_waiter(holder: Connection) -> None:
    """Until a second session waits for the migration lock (pg_locks shows it not granted)."""
    waiting = text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = :key"
    )
    stop = threading.Event()
    for _ in range(600):
        if holder.execute(waiting, {"key": MIGRATION_LOCK}).scalar_one():
            return
        stop.wait(0.05)
    pytest.fail("the second migration never asked for the migration lock")
