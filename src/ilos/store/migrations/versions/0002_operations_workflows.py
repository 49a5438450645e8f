"""Operations workflows: cases, actions with verifications and halts, alerts, departures, deconfliction.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 15:04:50.594099
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agency_operations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_operations")),
    )
    op.create_index(op.f("ix_agency_operations_agency"), "agency_operations", ["agency"], unique=False)
    op.create_index(op.f("ix_agency_operations_state"), "agency_operations", ["state"], unique=False)
    op.create_table(
        "alerts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=True),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    op.create_index(op.f("ix_alerts_recipient"), "alerts", ["recipient"], unique=False)
    op.create_index(op.f("ix_alerts_subject_id"), "alerts", ["subject_id"], unique=False)
    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("opened_by", sa.String(length=128), nullable=False),
        sa.Column("assignee", sa.String(length=128), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=128), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    op.create_index(op.f("ix_cases_assignee"), "cases", ["assignee"], unique=False)
    op.create_index(op.f("ix_cases_state"), "cases", ["state"], unique=False)
    op.create_table(
        "departures",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("report_ref", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=True),
        sa.Column("departed_on", sa.Date(), nullable=False),
        sa.Column("country", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("match_score", sa.Float(), nullable=True),
        sa.Column("exit_record", sa.String(length=128), nullable=True),
        sa.Column("contradicted_by", sa.String(length=128), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("identity", sa.JSON(), nullable=False),
        sa.Column("recorded_by", sa.String(length=128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departures")),
        sa.UniqueConstraint("report_ref", name=op.f("uq_departures_report_ref")),
    )
    op.create_index(op.f("ix_departures_state"), "departures", ["state"], unique=False)
    op.create_index(op.f("ix_departures_subject_id"), "departures", ["subject_id"], unique=False)
    op.create_table(
        "actions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=True),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("planned_by", sa.String(length=128), nullable=False),
        sa.Column("destination_country", sa.String(length=64), nullable=True),
        sa.Column("planned_for", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_gates", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_actions_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
    )
    op.create_index(op.f("ix_actions_case_id"), "actions", ["case_id"], unique=False)
    op.create_index(op.f("ix_actions_state"), "actions", ["state"], unique=False)
    op.create_index(op.f("ix_actions_subject_id"), "actions", ["subject_id"], unique=False)
    op.create_table(
        "case_notes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("author", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_notes_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    op.create_index(op.f("ix_case_notes_case_id"), "case_notes", ["case_id"], unique=False)
    op.create_table(
        "case_subjects",
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("added_by", sa.String(length=128), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_subjects_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("case_id", "subject_id", name=op.f("pk_case_subjects")),
    )
    op.create_index(op.f("ix_case_subjects_subject_id"), "case_subjects", ["subject_id"], unique=False)
    op.create_table(
        "operation_conflicts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("operation_id", sa.String(length=32), nullable=False),
        sa.Column("other_operation_id", sa.String(length=32), nullable=True),
        sa.Column("other_agency", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=256), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_by", sa.String(length=128), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["agency_operations.id"],
            name=op.f("fk_operation_conflicts_operation_id_agency_operations"),
        ),
        sa.ForeignKeyConstraint(
            ["other_operation_id"],
            ["agency_operations.id"],
            name=op.f("fk_operation_conflicts_other_operation_id_agency_operations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation_conflicts")),
    )
    op.create_index(
        op.f("ix_operation_conflicts_operation_id"), "operation_conflicts", ["operation_id"], unique=False
    )
    op.create_index(
        op.f("ix_operation_conflicts_other_operation_id"),
        "operation_conflicts",
        ["other_operation_id"],
        unique=False,
    )
    op.create_index(op.f("ix_operation_conflicts_state"), "operation_conflicts", ["state"], unique=False)
    op.create_table(
        "operation_targets",
        sa.Column("operation_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["agency_operations.id"],
            name=op.f("fk_operation_targets_operation_id_agency_operations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("operation_id", "kind", "value", name=op.f("pk_operation_targets")),
    )
    op.create_index(op.f("ix_operation_targets_value"), "operation_targets", ["value"], unique=False)
    op.create_table(
        "action_halts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("action_id", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=False),
        sa.Column("gate", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("trigger", sa.Text(), nullable=False),
        sa.Column("halted_by", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_action_halts_action_id_actions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_halts")),
    )
    op.create_index(op.f("ix_action_halts_action_id"), "action_halts", ["action_id"], unique=False)
    op.create_index(op.f("ix_action_halts_subject_id"), "action_halts", ["subject_id"], unique=False)
    op.create_table(
        "action_verifications",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("action_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("verified_by", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("fk_action_verifications_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_verifications")),
    )
    op.create_index(
        op.f("ix_action_verifications_action_id"), "action_verifications", ["action_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_action_verifications_action_id"), table_name="action_verifications")
    op.drop_table("action_verifications")
    op.drop_index(op.f("ix_action_halts_subject_id"), table_name="action_halts")
    op.drop_index(op.f("ix_action_halts_action_id"), table_name="action_halts")
    op.drop_table("action_halts")
    op.drop_index(op.f("ix_operation_targets_value"), table_name="operation_targets")
    op.drop_table("operation_targets")
    op.drop_index(op.f("ix_operation_conflicts_state"), table_name="operation_conflicts")
    op.drop_index(op.f("ix_operation_conflicts_other_operation_id"), table_name="operation_conflicts")
    op.drop_index(op.f("ix_operation_conflicts_operation_id"), table_name="operation_conflicts")
    op.drop_table("operation_conflicts")
    op.drop_index(op.f("ix_case_subjects_subject_id"), table_name="case_subjects")
    op.drop_table("case_subjects")
    op.drop_index(op.f("ix_case_notes_case_id"), table_name="case_notes")
    op.drop_table("case_notes")
    op.drop_index(op.f("ix_actions_subject_id"), table_name="actions")
    op.drop_index(op.f("ix_actions_state"), table_name="actions")
    op.drop_index(op.f("ix_actions_case_id"), table_name="actions")
    op.drop_table("actions")
    op.drop_index(op.f("ix_departures_subject_id"), table_name="departures")
    op.drop_index(op.f("ix_departures_state"), table_name="departures")
    op.drop_table("departures")
    op.drop_index(op.f("ix_cases_state"), table_name="cases")
    op.drop_index(op.f("ix_cases_assignee"), table_name="cases")
    op.drop_table("cases")
    op.drop_index(op.f("ix_alerts_subject_id"), table_name="alerts")
    op.drop_index(op.f("ix_alerts_recipient"), table_name="alerts")
    op.drop_table("alerts")
    op.drop_index(op.f("ix_agency_operations_state"), table_name="agency_operations")
    op.drop_index(op.f("ix_agency_operations_agency"), table_name="agency_operations")
    op.drop_table("agency_operations")
