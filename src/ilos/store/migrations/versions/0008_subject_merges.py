"""Merges of subjects applied to attached work, each once (keyed as splits are).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subject_merges",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("merge_key", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("absorbed", sa.JSON(), nullable=False),
        sa.Column("merged_at", sa.String(length=40), nullable=False),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("halted", sa.JSON(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_merges")),
        sa.UniqueConstraint("merge_key", name=op.f("uq_subject_merges_merge_key")),
    )
    op.create_index(op.f("ix_subject_merges_subject_id"), "subject_merges", ["subject_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_subject_merges_subject_id"), table_name="subject_merges")
    op.drop_table("subject_merges")
