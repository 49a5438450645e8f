"""Audit pruning: the anchors table, and triggers that allow deleting only anchored, year-old events.

An anchor records the last pruned event (its seq and hash), so the chain left in the database is
verified from it. The triggers still refuse any UPDATE of audit events, and refuse a DELETE unless the
event is at or before the newest anchor *and* more than 365 days old; anchors themselves are
append-only, and an anchor may only name an existing event, older than 365 days, after the last
anchor. See docs/audit.md ("Retention and pruning") for the trust model.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 15:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_anchors",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("archive", sa.String(length=512), nullable=False),
        sa.Column("pruned_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_anchors")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_UP)
    else:
        for statement in _SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_DOWN)
    else:
        for statement in _SQLITE_DOWN:
            op.execute(statement)
    op.drop_table("audit_anchors")


_PG_UP = """
CREATE FUNCTION ilos_guard_audit_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.seq > (SELECT coalesce(max(seq), 0) FROM audit_anchors)
       OR OLD.at >= now() - interval '365 days' THEN
        RAISE EXCEPTION 'audit_events is append-only: DELETE refused (event % is not anchored and a year old)',
            OLD.seq USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
END $$;
CREATE FUNCTION ilos_guard_audit_anchor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'audit_anchors is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.seq <= (SELECT coalesce(max(seq), 0) FROM audit_anchors)
       OR NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.seq = NEW.seq AND e.hash = NEW.hash
                      AND e.at < now() - interval '365 days') THEN
        RAISE EXCEPTION 'audit anchor % refused: it must name a stored event older than 365 days after the last anchor',
            NEW.seq USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER audit_events_append_only ON audit_events;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION ilos_refuse_audit_change();
CREATE TRIGGER audit_events_prune_only BEFORE DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION ilos_guard_audit_delete();
CREATE TRIGGER audit_anchors_append_only BEFORE INSERT OR UPDATE OR DELETE ON audit_anchors
    FOR EACH ROW EXECUTE FUNCTION ilos_guard_audit_anchor();
CREATE TRIGGER audit_anchors_no_truncate BEFORE TRUNCATE ON audit_anchors
    FOR EACH STATEMENT EXECUTE FUNCTION ilos_refuse_audit_change();
"""

_PG_DOWN = """
DROP TRIGGER audit_events_prune_only ON audit_events;
DROP TRIGGER audit_events_append_only ON audit_events;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION ilos_refuse_audit_change();
DROP FUNCTION ilos_guard_audit_anchor() CASCADE;
DROP FUNCTION ilos_guard_audit_delete() CASCADE;
"""

_SQLITE_UP = (
    "DROP TRIGGER audit_events_no_delete",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "WHEN OLD.seq > (SELECT coalesce(max(seq), 0) FROM audit_anchors) "
    "OR OLD.at >= datetime('now', '-365 days') "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused (not anchored and a year old)'); END",
    "CREATE TRIGGER audit_anchors_check BEFORE INSERT ON audit_anchors "
    "WHEN NEW.seq <= (SELECT coalesce(max(seq), 0) FROM audit_anchors) "
    "OR NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.seq = NEW.seq AND e.hash = NEW.hash "
    "AND e.at < datetime('now', '-365 days')) "
    "BEGIN SELECT RAISE(ABORT, 'audit anchor refused: it must name a stored event older than 365 days "
    "after the last anchor'); END",
    "CREATE TRIGGER audit_anchors_no_update BEFORE UPDATE ON audit_anchors "
    "BEGIN SELECT RAISE(ABORT, 'audit_anchors is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_anchors_no_delete BEFORE DELETE ON audit_anchors "
    "BEGIN SELECT RAISE(ABORT, 'audit_anchors is append-only: DELETE refused'); END",
)

_SQLITE_DOWN = (
    "DROP TRIGGER audit_anchors_no_delete",
    "DROP TRIGGER audit_anchors_no_update",
    "DROP TRIGGER audit_anchors_check",
    "DROP TRIGGER audit_events_no_delete",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END",
)
