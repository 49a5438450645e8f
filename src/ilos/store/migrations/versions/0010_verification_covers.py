"""What an action's identity verification covered: the identity gate's evidence when it was made.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 11:00:00

Rows written before this migration keep NULL: they covered nothing known, so they never lift the gate.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("action_verifications") as batch:
        batch.add_column(sa.Column("covers", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("action_verifications") as batch:
        batch.drop_column("covers")
