"""The linkage directory that claims the store inbox: one worker's journal per inbox.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox_claims",
        sa.Column("inbox", sa.String(length=32), nullable=False),
        sa.Column("linkage_dir", sa.Text(), nullable=False),
        sa.Column("claimed_by", sa.String(length=128), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("inbox", name=op.f("pk_inbox_claims")),
    )


def downgrade() -> None:
    op.drop_table("inbox_claims")
