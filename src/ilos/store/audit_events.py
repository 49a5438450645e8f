"""Repository of the audit chain: lock and advance the head, append events, read them in order.

There is deliberately no update or delete here; the database triggers refuse both anyway."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ilos.store.tables import AuditChainHeadRow, AuditEventRow

HEAD_ID = 1


def lock_chain_head(session: Session) -> AuditChainHeadRow:
    """The head row, locked until the transaction ends, so appenders extend the chain one at a time.

    On PostgreSQL this is SELECT ... FOR UPDATE; SQLite transactions already hold the write lock
    (they begin IMMEDIATE), and FOR UPDATE is ignored there."""
    head = session.scalars(
        select(AuditChainHeadRow).where(AuditChainHeadRow.id == HEAD_ID).with_for_update()
    ).one()
    return head


def read_chain_head(session: Session) -> AuditChainHeadRow:
    return session.scalars(select(AuditChainHeadRow).where(AuditChainHeadRow.id == HEAD_ID)).one()


def append_event(session: Session, head: AuditChainHeadRow, row: AuditEventRow) -> None:
    """Add the event and move the locked head to it (the caller computed seq and hashes from head)."""
    session.add(row)
    head.last_seq = row.seq
    head.last_hash = row.hash
    session.flush()


def iter_events(session: Session, *, after_seq: int = 0, batch: int = 5000) -> Iterator[AuditEventRow]:
    """Every event after `after_seq` in chain order, read in batches (the chain may be long)."""
    while True:
        rows = session.scalars(
            select(AuditEventRow)
            .where(AuditEventRow.seq > after_seq)
            .order_by(AuditEventRow.seq)
            .limit(batch)
        ).all()
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
