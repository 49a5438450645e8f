"""Worklists and decisions published from the lake: one worklist per (role, purpose), its items in worklist
order, and each subject's decision with its explanation (ilos.store.worklist_tables).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 05:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "published_worklists",
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("policy_label", sa.String(256), nullable=False),
        sa.Column("policy_hash", sa.String(128), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("stamp", sa.JSON(), nullable=False),
        sa.Column("subjects", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("role", "purpose", name="pk_published_worklists"),
    )
    op.create_table(
        "worklist_items",
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("priority", sa.String(64), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("gates", sa.Text(), nullable=False),
        sa.Column("gate_reasons", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("location_source", sa.String(300), nullable=True),
        sa.Column("location_date", sa.Date(), nullable=True),
        sa.Column("location_usable", sa.Boolean(), nullable=False),
        sa.Column("location_withheld", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("role", "purpose", "position", name="pk_worklist_items"),
    )
    op.create_index("ix_worklist_items_subject_id", "worklist_items", ["subject_id"])
    op.create_table(
        "published_decisions",
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("policy_hash", sa.String(128), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("role", "purpose", "subject_id", name="pk_published_decisions"),
    )


def downgrade() -> None:
    op.drop_table("published_decisions")
    op.drop_index("ix_worklist_items_subject_id", table_name="worklist_items")
    op.drop_table("worklist_items")
    op.drop_table("published_worklists")
