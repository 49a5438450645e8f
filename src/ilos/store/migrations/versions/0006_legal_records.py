"""Recorded legal authorities (TAX access) and gate reviews (supervisor review of a citizenship hard stop, identity verification).

The three tables are append-only: triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), so an
authority is never edited (a revocation is its own row) and a review is superseded, never rewritten.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_APPEND_ONLY = ("legal_authorities", "legal_authority_revocations", "gate_reviews")


def upgrade() -> None:
    op.create_table(
        "legal_authorities",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("marking", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("taxpayer_name", sa.String(length=256), nullable=False),
        sa.Column("tax_periods", sa.JSON(), nullable=False),
        sa.Column("statute", sa.String(length=256), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_by", sa.String(length=256), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_authorities")),
    )
    op.create_index(
        op.f("ix_legal_authorities_subject_id"), "legal_authorities", ["subject_id"], unique=False
    )
    op.create_table(
        "legal_authority_revocations",
        sa.Column("authority_id", sa.String(length=32), nullable=False),
        sa.Column("revoked_by", sa.String(length=128), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["legal_authorities.id"],
            name=op.f("fk_legal_authority_revocations_authority_id_legal_authorities"),
        ),
        sa.PrimaryKeyConstraint("authority_id", name=op.f("pk_legal_authority_revocations")),
    )
    op.create_table(
        "gate_reviews",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("gate", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("finding", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("covers", sa.JSON(), nullable=False),
        sa.Column("reviewer", sa.String(length=128), nullable=False),
        sa.Column("reviewer_role", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("policy_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gate_reviews")),
    )
    op.create_index(op.f("ix_gate_reviews_subject_id"), "gate_reviews", ["subject_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for table in _APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ilos_refuse_legal_record_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ilos_refuse_legal_record_change()"
            )
    else:
        for table in _APPEND_ONLY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END"
                )


def downgrade() -> None:
    # Dropping a table drops its triggers on both backends.
    op.drop_index(op.f("ix_gate_reviews_subject_id"), table_name="gate_reviews")
    op.drop_table("gate_reviews")
    op.drop_table("legal_authority_revocations")
    op.drop_index(op.f("ix_legal_authorities_subject_id"), table_name="legal_authorities")
    op.drop_table("legal_authorities")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION ilos_refuse_legal_record_change()")


_PG_FUNCTION = """
CREATE FUNCTION ilos_refuse_legal_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
"""
