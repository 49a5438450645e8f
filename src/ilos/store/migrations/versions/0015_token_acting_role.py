"""The acting role of a token or session: the one role its user works under for the token's purpose, so that
every check of a request (role, marking policy, audit) judges it as that role, never as another the user holds.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 09:00:00

Tokens issued before this migration keep NULL: they act under the only role of their user that allows their
purpose, and are refused (sign in again) when several do.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("role", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("role")
