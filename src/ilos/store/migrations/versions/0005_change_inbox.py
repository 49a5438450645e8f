"""Near-real-time worker inbox: change events posted through the API, processed in order, exactly once;
and the splits of subjects applied to attached work, with the review each one owes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_events",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_by", sa.String(length=128), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("record", sa.String(length=192), nullable=True),
        sa.Column("subject_id", sa.String(length=64), nullable=True),
        sa.Column("link_action", sa.String(length=16), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_change_events_event_id")),
    )
    op.create_index(op.f("ix_change_events_processed_at"), "change_events", ["processed_at"], unique=False)
    op.create_index(op.f("ix_change_events_subject_id"), "change_events", ["subject_id"], unique=False)
    op.create_table(
        "subject_splits",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("split_key", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("split_at", sa.String(length=40), nullable=False),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("halted", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_by", sa.String(length=128), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_splits")),
        sa.UniqueConstraint("split_key", name=op.f("uq_subject_splits_split_key")),
    )
    op.create_index(op.f("ix_subject_splits_state"), "subject_splits", ["state"], unique=False)
    op.create_index(op.f("ix_subject_splits_subject_id"), "subject_splits", ["subject_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_subject_splits_subject_id"), table_name="subject_splits")
    op.drop_index(op.f("ix_subject_splits_state"), table_name="subject_splits")
    op.drop_table("subject_splits")
    op.drop_index(op.f("ix_change_events_subject_id"), table_name="change_events")
    op.drop_index(op.f("ix_change_events_processed_at"), table_name="change_events")
    op.drop_table("change_events")
