"""Alembic environment: migrate the connection we are handed, or the configured store URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from ilos.store.engine import make_engine
from ilos.store.schema import include_object_on
from ilos.store.tables import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
        include_object=include_object_on(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = context.config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from ilos.config import load_settings

    return load_settings().store_url


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("ILOS migrations run online only: `alembic upgrade head` against a database")
run_migrations_online()
