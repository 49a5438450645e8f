"""Versioned placement and transport plans with per-assignment explanations and capacity overlays.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "operation_plans",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("inputs_hash", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=512), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("objective", sa.BigInteger(), nullable=False),
        sa.Column("lower_bound", sa.BigInteger(), nullable=False),
        sa.Column("gap", sa.Float(), nullable=False),
        sa.Column("proven_optimal", sa.Boolean(), nullable=False),
        sa.Column("solver_seconds", sa.Float(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("locked_by", sa.String(length=128), nullable=True),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation_plans")),
        sa.UniqueConstraint("kind", "version", name=op.f("uq_operation_plans_kind")),
    )
    op.create_index(op.f("ix_operation_plans_status"), "operation_plans", ["status"], unique=False)
    op.create_table(
        "plan_assignments",
        sa.Column("plan_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=True),
        sa.Column("segment", sa.String(length=64), nullable=True),
        sa.Column("cost", sa.BigInteger(), nullable=True),
        sa.Column("counsel_km", sa.Integer(), nullable=True),
        sa.Column("counsel_cost", sa.BigInteger(), nullable=True),
        sa.Column("counsel_reason", sa.Text(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["operation_plans.id"],
            name=op.f("fk_plan_assignments_plan_id_operation_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plan_id", "person_id", name=op.f("pk_plan_assignments")),
    )
    op.create_index(
        "ix_plan_assignments_plan_target", "plan_assignments", ["plan_id", "target"], unique=False
    )
    op.create_table(
        "plan_capacity",
        sa.Column("plan_id", sa.String(length=32), nullable=False),
        sa.Column("resource", sa.String(length=64), nullable=False),
        sa.Column("segment", sa.String(length=64), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("operated", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["operation_plans.id"],
            name=op.f("fk_plan_capacity_plan_id_operation_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plan_id", "resource", "segment", name=op.f("pk_plan_capacity")),
    )
    op.create_table(
        "plan_manifest_locks",
        sa.Column("plan_id", sa.String(length=32), nullable=False),
        sa.Column("flight_id", sa.String(length=64), nullable=False),
        sa.Column("locked_by", sa.String(length=128), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared", sa.Integer(), nullable=False),
        sa.Column("removed", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["operation_plans.id"],
            name=op.f("fk_plan_manifest_locks_plan_id_operation_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plan_id", "flight_id", name=op.f("pk_plan_manifest_locks")),
    )


def downgrade() -> None:
    op.drop_table("plan_manifest_locks")
    op.drop_table("plan_capacity")
    op.drop_index("ix_plan_assignments_plan_target", table_name="plan_assignments")
    op.drop_table("plan_assignments")
    op.drop_index(op.f("ix_operation_plans_status"), table_name="operation_plans")
    op.drop_table("operation_plans")
