"""Repository of the audit chain: lock and advance the head, append events, read them in order.

There is deliberately no update or delete here; the database triggers refuse both anyway."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Executable, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from ilos.store.tables import AuditAnchorRow, AuditChainHeadRow, AuditEventRow, Base

HEAD_ID = 1


def lock_chain_head(session: Session) -> tuple[int, str]:
    """The head (last seq and hash), its row locked until the transaction ends, so appenders extend
    the chain one at a time.

    On PostgreSQL this is SELECT ... FOR UPDATE; SQLite transactions already hold the write lock
    (they begin IMMEDIATE), and FOR UPDATE is ignored there. Callers take it last, just before
    appending, so the lock is held only for the append and the commit."""
    seq, last_hash = session.execute(
        select(AuditChainHeadRow.last_seq, AuditChainHeadRow.last_hash)
        .where(AuditChainHeadRow.id == HEAD_ID)
        .with_for_update()
    ).one()
    return int(seq), str(last_hash)


def read_chain_head(session: Session) -> AuditChainHeadRow:
    return session.scalars(select(AuditChainHeadRow).where(AuditChainHeadRow.id == HEAD_ID)).one()


def append_event(session: Session, event: dict[str, Any]) -> None:
    """Insert the event and move the locked head to it (the caller computed seq and hashes from the
    head): one statement on PostgreSQL (a data-modifying CTE), two on SQLite.

    Every request appends one event, so the statements are built once and executed with parameters
    (building them per call cost more CPU than running them)."""
    params = {f"p_{key}": value for key, value in event.items()}
    for statement in _append_statements(session.get_bind().dialect.name, tuple(event)):
        session.execute(statement, params)


@cache
def _append_statements(dialect: str, columns: tuple[str, ...]) -> tuple[Executable, ...]:
    table = Base.metadata.tables["audit_events"]
    insert_event = insert(table).values({column: bindparam(f"p_{column}") for column in columns})
    move_head = (
        update(Base.metadata.tables["audit_chain_head"])
        .where(AuditChainHeadRow.id == HEAD_ID)
        .values(last_seq=bindparam("p_seq"), last_hash=bindparam("p_hash"))
    )
    if dialect == "postgresql":
        return (insert_event.add_cte(move_head.cte("moved_head")),)
    return insert_event, move_head


def iter_events(
    session: Session, *, after_seq: int = 0, through_seq: int | None = None, batch: int = 5000
) -> Iterator[AuditEventRow]:
    """Every event after `after_seq` (up to `through_seq`) in chain order, read in batches."""
    while True:
        statement = select(AuditEventRow).where(AuditEventRow.seq > after_seq)
        if through_seq is not None:
            statement = statement.where(AuditEventRow.seq <= through_seq)
        rows = session.scalars(statement.order_by(AuditEventRow.seq).limit(batch)).all()
        yield from rows
        if len(rows) < batch:
            return
        after_seq = rows[-1].seq
        session.expunge_all()


@dataclass(frozen=True, slots=True)
class EventFilter:
    after_seq: int = 0
    limit: int = 100
    actor: str | None = None
    action: str | None = None
    since: datetime | None = None


def find_events(session: Session, where: EventFilter) -> Sequence[AuditEventRow]:
    statement = select(AuditEventRow).where(AuditEventRow.seq > where.after_seq)
    if where.actor is not None:
        statement = statement.where(AuditEventRow.actor == where.actor)
    if where.action is not None:
        statement = statement.where(AuditEventRow.action == where.action)
    if where.since is not None:
        statement = statement.where(AuditEventRow.at >= where.since)
    return session.scalars(statement.order_by(AuditEventRow.seq).limit(where.limit)).all()


def count_events(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEventRow)) or 0)


def latest_anchor(session: Session) -> tuple[int, str] | None:
    """The newest anchor (seq and hash of the last pruned event), or None if nothing was ever pruned."""
    row = session.execute(
        select(AuditAnchorRow.seq, AuditAnchorRow.hash).order_by(AuditAnchorRow.seq.desc()).limit(1)
    ).one_or_none()
    return (int(row[0]), str(row[1])) if row is not None else None


def list_anchors(session: Session) -> Sequence[AuditAnchorRow]:
    """Every anchor, oldest first (one per prune: few rows)."""
    return session.scalars(select(AuditAnchorRow).order_by(AuditAnchorRow.seq)).all()


def lowest_seq(session: Session) -> int | None:
    """The first stored event (None if none is stored): after a prune, the one after its anchor."""
    value = session.scalar(select(func.min(AuditEventRow.seq)))
    return int(value) if value is not None else None


def events_of_action_after(session: Session, action: str, after_seq: int) -> Sequence[AuditEventRow]:
    """The events of one action after `after_seq`, in chain order (e.g. the prunes after the newest anchor)."""
    statement = select(AuditEventRow).where(AuditEventRow.action == action, AuditEventRow.seq > after_seq)
    return session.scalars(statement.order_by(AuditEventRow.seq)).all()


def get_anchor(session: Session, seq: int) -> AuditAnchorRow | None:
    return session.get(AuditAnchorRow, seq)


def event_hash(session: Session, seq: int) -> str | None:
    return session.scalar(select(AuditEventRow.hash).where(AuditEventRow.seq == seq))


def first_seq_at_or_after(session: Session, when: datetime) -> int | None:
    """The first event recorded at or after `when` (None if every event is older)."""
    value = session.scalar(select(func.min(AuditEventRow.seq)).where(AuditEventRow.at >= when))
    return int(value) if value is not None else None


def add_anchor(session: Session, anchor: AuditAnchorRow) -> None:
    """Record a prune; the database checks that every event since the previous anchor up to the one this
    anchor names is stored, year-old and counted by it (migration 0014)."""
    session.add(anchor)
    session.flush()


def delete_events_through(session: Session, seq: int) -> int:
    """Delete the anchored events up to `seq`; the trigger refuses any not anchored or under a year old."""
    result = session.execute(
        delete(AuditEventRow).where(AuditEventRow.seq <= seq).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
