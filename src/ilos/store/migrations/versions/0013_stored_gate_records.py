"""Gate text stored with the records it rests on, so each reader is shown it as the reader's purpose may see
it: `action_halts.records`, and `alerts.gates` (a halt alert's gates, apart from its message).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 09:00:00

Rows written before this migration keep NULL: a halt's text is taken to rest on every record its reader may
not see, and a halt alert's message (which holds its gates) is shown without them to such a reader.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("action_halts") as batch:
        batch.add_column(sa.Column("records", sa.JSON(), nullable=True))
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("gates", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("gates")
    with op.batch_alter_table("action_halts") as batch:
        batch.drop_column("records")
