"""Bringing a database to the schema of this release with the bundled Alembic migrations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.schema import SchemaItem

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def include_object_on(dialect: str) -> Callable[[SchemaItem, str | None, str, bool, SchemaItem | None], bool]:
    """Alembic's include_object hook for `dialect`: model objects marked info={"only_on": other} are
    not expected there (e.g. the trigram index exists on PostgreSQL only)."""

    def include(
        item: SchemaItem, _name: str | None, _type: str, reflected: bool, _compare_to: SchemaItem | None
    ) -> bool:
        only_on = getattr(item, "info", {}).get("only_on")
        return reflected or only_on is None or only_on == dialect

    return include


# Any constant shared by every ILOS process: the key of the PostgreSQL advisory lock migrations hold.
MIGRATION_LOCK = 0x1105_0001


def upgrade_to_head(engine: Engine) -> None:
    """Apply every migration not yet applied (a no-op on a current database). Processes starting at once
    on an old database (`uvicorn --workers N`, a CLI beside a server) migrate one after the other: on
    PostgreSQL each waits for an advisory lock held until its migration commits, then finds the schema
    current; on SQLite every transaction begins IMMEDIATE, which already queues them."""
    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def is_current(engine: Engine) -> bool:
    """Whether the database is at the newest migration of this release."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head
