"""The near-real-time worker's inbox in the operational store: change events in arrival order with their
processing state (migration 0005; `ilos.services.change_inbox` owns the reads and writes), and the linkage
directory that claims the inbox (migration 0009; `ilos.services.worker_claim`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ilos.store.tables import Base, UtcDateTime

# BIGINT on PostgreSQL; SQLite only auto-increments a column declared INTEGER PRIMARY KEY.
EventSeq = BigInteger().with_variant(Integer(), "sqlite")


class ChangeEventRow(Base):
    """One change event (a new or corrected source row, values as text). `id` is the processing order;
    `event_id` the idempotency key the worker's journal names it by. Pending while `processed_at` is null."""

    __tablename__ = "change_events"

    id: Mapped[int] = mapped_column(EventSeq, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(32), unique=True)
    source: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    posted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    posted_by: Mapped[str] = mapped_column(String(128))
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    outcome: Mapped[str | None] = mapped_column(String(16))  # "linked" or "failed"
    record: Mapped[str | None] = mapped_column(String(192))  # source|record_id
    subject_id: Mapped[str | None] = mapped_column(String(64), index=True)
    link_action: Mapped[str | None] = mapped_column(String(16))
    changes: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)


class InboxClaimRow(Base):
    """The linkage directory whose worker processes an inbox: written by the first worker, then never
    changed, so no worker over another directory takes events from it."""

    __tablename__ = "inbox_claims"

    inbox: Mapped[str] = mapped_column(String(32), primary_key=True)  # "change_events"
    linkage_dir: Mapped[str] = mapped_column(Text)  # resolved path
    claimed_by: Mapped[str] = mapped_column(String(128))  # host:pid of the claiming worker
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime)
