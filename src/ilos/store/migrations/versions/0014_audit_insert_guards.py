"""Audit guards on INSERT: no insert over an existing audit row, and an anchor only over a real, year-old stretch.

SQLite's `INSERT OR REPLACE` (and `REPLACE`) deletes the conflicting row and inserts another without firing the
DELETE or UPDATE triggers (SQLite fires delete triggers for such rows only with `PRAGMA recursive_triggers`, a
per-connection setting that a `sqlite3` shell or any other tool does not turn on). So on SQLite a BEFORE INSERT
trigger now refuses an audit event whose `seq` or `event_id` is already stored, and a second `audit_chain_head`
row; the trigger is in the file, so it holds for every connection. PostgreSQL has no REPLACE: `INSERT ... ON
CONFLICT DO UPDATE` fires the UPDATE triggers, which refuse it; the head gets the INSERT guard there too.

An anchor (migration 0004) was accepted if the event it names was recorded more than 365 days ago, and `at` is
whatever the inserter wrote: a back-dated event appended after recent ones could be anchored, and verification
then started after the whole history. An anchor is now accepted only if every event since the previous anchor up
to the one it names is stored and older than 365 days, and it counts exactly them. Anchor inserts are serialised
on PostgreSQL (an advisory lock), so two prunes at once cannot both count from the same previous anchor.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
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


# The advisory lock key 285540354 (0x11050002, beside the migration lock of ilos.store.schema) serialises
# anchor inserts: the count below must see the anchor a concurrent prune just committed.
_PG_UP = """
CREATE OR REPLACE FUNCTION ilos_guard_audit_anchor() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    previous bigint;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'audit_anchors is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM pg_advisory_xact_lock(285540354);
    SELECT coalesce(max(seq), 0) INTO previous FROM audit_anchors;
    IF NEW.seq <= previous
       OR NEW.events <> NEW.seq - previous
       OR NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.seq = NEW.seq AND e.hash = NEW.hash)
       OR (SELECT count(*) FROM audit_events e WHERE e.seq > previous AND e.seq <= NEW.seq) <> NEW.events
       OR EXISTS (SELECT 1 FROM audit_events e WHERE e.seq > previous AND e.seq <= NEW.seq
                  AND e.at >= now() - interval '365 days') THEN
        RAISE EXCEPTION 'audit anchor % refused: every event after the last anchor (%) up to the one it names '
            'must be stored, counted by it and older than 365 days', NEW.seq, previous
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE FUNCTION ilos_guard_chain_head_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM audit_chain_head) THEN
        RAISE EXCEPTION 'audit_chain_head only moves forward: INSERT refused' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER audit_chain_head_no_insert BEFORE INSERT ON audit_chain_head
    FOR EACH ROW EXECUTE FUNCTION ilos_guard_chain_head_insert();
"""

# The anchor guard of migration 0004, as it was.
_PG_DOWN = """
DROP FUNCTION ilos_guard_chain_head_insert() CASCADE;
CREATE OR REPLACE FUNCTION ilos_guard_audit_anchor() RETURNS trigger LANGUAGE plpgsql AS $$
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
"""

_SQLITE_UP = (
    "CREATE TRIGGER audit_events_no_overwrite BEFORE INSERT ON audit_events "
    "WHEN EXISTS (SELECT 1 FROM audit_events e WHERE e.seq = NEW.seq) "
    "OR EXISTS (SELECT 1 FROM audit_events e WHERE e.event_id = NEW.event_id) "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: INSERT over a stored event refused "
    "(INSERT OR REPLACE)'); END",
    "CREATE TRIGGER audit_chain_head_no_insert BEFORE INSERT ON audit_chain_head "
    "WHEN EXISTS (SELECT 1 FROM audit_chain_head) "
    "BEGIN SELECT RAISE(ABORT, 'audit_chain_head only moves forward: INSERT refused'); END",
    "DROP TRIGGER audit_anchors_check",
    "CREATE TRIGGER audit_anchors_check BEFORE INSERT ON audit_anchors "
    "WHEN NEW.seq <= (SELECT coalesce(max(seq), 0) FROM audit_anchors) "
    "OR NEW.events <> NEW.seq - (SELECT coalesce(max(seq), 0) FROM audit_anchors) "
    "OR NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.seq = NEW.seq AND e.hash = NEW.hash) "
    "OR (SELECT count(*) FROM audit_events e WHERE e.seq > NEW.seq - NEW.events AND e.seq <= NEW.seq) "
    "<> NEW.events "
    "OR EXISTS (SELECT 1 FROM audit_events e WHERE e.seq > NEW.seq - NEW.events AND e.seq <= NEW.seq "
    "AND e.at >= datetime('now', '-365 days')) "
    "BEGIN SELECT RAISE(ABORT, 'audit anchor refused: every event after the last anchor up to the one it "
    "names must be stored, counted by it and older than 365 days'); END",
)

_SQLITE_DOWN = (
    "DROP TRIGGER audit_anchors_check",
    "CREATE TRIGGER audit_anchors_check BEFORE INSERT ON audit_anchors "
    "WHEN NEW.seq <= (SELECT coalesce(max(seq), 0) FROM audit_anchors) "
    "OR NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.seq = NEW.seq AND e.hash = NEW.hash "
    "AND e.at < datetime('now', '-365 days')) "
    "BEGIN SELECT RAISE(ABORT, 'audit anchor refused: it must name a stored event older than 365 days "
    "after the last anchor'); END",
    "DROP TRIGGER audit_chain_head_no_insert",
    "DROP TRIGGER audit_events_no_overwrite",
)
