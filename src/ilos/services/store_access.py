"""Opening the operational store for a service: engine, migrated schema and transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ilos.config import Settings
from ilos.errors import ConfigError
from ilos.store.engine import is_sqlite, make_engine
from ilos.store.schema import upgrade_to_head


@dataclass(frozen=True, slots=True)
class Store:
    """The store a process works with; services open one transaction per use case through it."""

    engine: Engine
    sessions: sessionmaker[Session]
    settings: Settings

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Commit on success, roll back on any exception: the only place ILOS commits."""
        with self.sessions.begin() as session:
            yield session

    def is_healthy(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except OperationalError:
            return False
        return True

    def close(self) -> None:
        self.engine.dispose()


def open_store(settings: Settings, *, migrate: bool = True) -> Store:
    """Connect to the configured store and bring its schema to this release (idempotent)."""
    engine = make_engine(settings.store_url)
    if is_sqlite(engine):
        settings.home.mkdir(parents=True, exist_ok=True)
    try:
        if migrate:
            upgrade_to_head(engine)
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise ConfigError(
            f"Cannot open the operational store {engine.url.render_as_string(hide_password=True)} "
            f"({reason}); check ILOS_DATABASE_URL and that the database is running"
        ) from None
    return Store(engine, sessionmaker(engine, expire_on_commit=False), settings)
