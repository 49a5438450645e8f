"""Fuzzy name search: `subjects.name_sounds` holds each name word's phonetic code (nicknames resolved,
transliterations folded), space-delimited; a pg_trgm GIN index serves it on PostgreSQL where 0003 found
pg_trgm. Subjects published before this migration have none until they are published again.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 05:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_subjects_name_sounds_trgm"
TRIGRAM_SCHEMA = "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"


def upgrade() -> None:
    with op.batch_alter_table("subjects") as batch:
        batch.add_column(sa.Column("name_sounds", sa.String(512), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.exec_driver_sql(TRIGRAM_SCHEMA).scalar()
    if schema is None:  # 0003 could not install pg_trgm: fuzzy search scans
        return
    opclass = f"{bind.dialect.identifier_preparer.quote_identifier(str(schema))}.gin_trgm_ops"
    op.execute(f"CREATE INDEX {INDEX} ON subjects USING gin (name_sounds {opclass})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
    with op.batch_alter_table("subjects") as batch:
        batch.drop_column("name_sounds")
