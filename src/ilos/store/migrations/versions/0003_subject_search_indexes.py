"""Index-backed subject search on PostgreSQL: a pg_trgm GIN index for name contains-search.

Installs pg_trgm (into `public`, so dropping any one schema never drops it) where the server offers it
and the role may; without it, a btree index with text_pattern_ops serves prefix matches instead.
Exact date-of-birth and identifier lookups already have btree indexes on both backends (0001).
SQLite has no trigram index; it scans names (it is the development store).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 15:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_subjects_name_key_trgm"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = _trigram_schema(bind)
    if schema is None:
        op.execute(f"CREATE INDEX {INDEX} ON subjects (name_key text_pattern_ops)")
        return
    opclass = f"{bind.dialect.identifier_preparer.quote_identifier(schema)}.gin_trgm_ops"
    op.execute(f"CREATE INDEX {INDEX} ON subjects USING gin (name_key {opclass})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX {INDEX}")


def _trigram_schema(bind: sa.Connection) -> str | None:
    """The schema holding pg_trgm, installing it if the server offers it and we may; None if not."""
    installed = "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
    schema = bind.exec_driver_sql(installed).scalar()
    if schema is not None:
        return str(schema)
    available = bind.exec_driver_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").scalar()
    if available is None:
        return None
    try:
        with bind.begin_nested():  # a refusal (no privilege) must not abort the migration
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    except sa.exc.DBAPIError:
        return None
    schema = bind.exec_driver_sql(installed).scalar()
    return str(schema) if schema is not None else None
