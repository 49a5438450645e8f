"""Worklists and decisions published from the lake (`ilos worklist build`'s files) for the API and the web to
serve: one published worklist per (role, purpose), its items in worklist order, and each subject's full
decision. A new publish for a role and purpose replaces the old one in the same transaction. Migration 0011.

Bulk loads: COPY on PostgreSQL, executemany on SQLite (`store.bulk`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Integer, String, Text, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ilos.store.bulk import insert_rows
from ilos.store.tables import Base, UtcDateTime

ITEM_COLUMNS = (
    "subject_id", "status", "priority", "score", "gates", "gate_reasons", "location", "location_source",
    "location_date", "location_usable", "location_withheld",
)  # fmt: skip
"""The columns of a worklist row (`worklists.worklist_row`) the store keeps; the rest is in the decision."""


class PublishedWorklistRow(Base):
    """What a published worklist was decided for and from: `stamp` holds the linkage files, the recorded
    reviews, the journal size and the cited authorities it was built with, so a reader can tell it is stale."""

    __tablename__ = "published_worklists"

    role: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(64), primary_key=True)
    policy_label: Mapped[str] = mapped_column(String(256))
    policy_hash: Mapped[str] = mapped_column(String(128))
    as_of: Mapped[date] = mapped_column(Date)
    stamp: Mapped[dict[str, Any]] = mapped_column(JSON)
    subjects: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)
    published_by: Mapped[str] = mapped_column(String(128))


class WorklistItemRow(Base):
    __tablename__ = "worklist_items"

    role: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # worklist order: actionable, by score
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(64))
    score: Mapped[int] = mapped_column(Integer)
    gates: Mapped[str] = mapped_column(Text)  # blocking gate ids joined with ";"
    gate_reasons: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(Text)
    location_source: Mapped[str | None] = mapped_column(String(300))
    location_date: Mapped[date | None] = mapped_column(Date)
    location_usable: Mapped[bool] = mapped_column(Boolean)
    location_withheld: Mapped[str] = mapped_column(Text)


class PublishedDecisionRow(Base):
    """One subject's decision as the batch made it: status, policy hash and the whole explained record."""

    __tablename__ = "published_decisions"

    role: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(32))
    policy_hash: Mapped[str] = mapped_column(String(128))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)


DecisionLoadRow = tuple[str, str, str, datetime, str]
"""subject_id, status, policy_hash, decided_at, and the decision's JSON text as the lake holds it."""


def replace_header(session: Session, header: PublishedWorklistRow) -> None:
    """Drop the role and purpose's published worklist (header, items, decisions) and add `header`; the items
    and decisions follow with `load_items` and `load_decisions`, in the same transaction."""
    for table in (PublishedWorklistRow, WorklistItemRow, PublishedDecisionRow):
        session.execute(delete(table).where(table.role == header.role, table.purpose == header.purpose))
    session.add(header)
    session.flush()


def load_items(session: Session, key: tuple[str, str], first: int, items: Sequence[dict[str, Any]]) -> None:
    """One chunk of worklist rows (`worklists.worklist_row`) at positions `first`, `first` + 1, ..."""
    rows = [(*key, first + i, *(item[c] for c in ITEM_COLUMNS)) for i, item in enumerate(items)]
    insert_rows(session, "worklist_items", ("role", "purpose", "position", *ITEM_COLUMNS), rows)


def load_decisions(session: Session, key: tuple[str, str], decisions: Sequence[DecisionLoadRow]) -> None:
    insert_rows(session, "published_decisions", _DECISION_COLUMNS, [(*key, *d) for d in decisions])


_DECISION_COLUMNS = ("role", "purpose", "subject_id", "status", "policy_hash", "decided_at", "record")


def unmatched_subjects(session: Session, key: tuple[str, str]) -> int:
    """Items without a decision plus decisions without an item, in the role and purpose's worklist."""
    items = select(WorklistItemRow.subject_id).where(
        WorklistItemRow.role == key[0], WorklistItemRow.purpose == key[1]
    )
    decided = select(PublishedDecisionRow.subject_id).where(
        PublishedDecisionRow.role == key[0], PublishedDecisionRow.purpose == key[1]
    )
    only_items = select(func.count()).select_from(items.except_(decided).subquery())
    only_decided = select(func.count()).select_from(decided.except_(items).subquery())
    return int(session.scalar(only_items) or 0) + int(session.scalar(only_decided) or 0)


def published_worklist(session: Session, role: str, purpose: str) -> PublishedWorklistRow | None:
    return session.get(PublishedWorklistRow, (role, purpose))


def worklist_items(session: Session, role: str, purpose: str) -> list[dict[str, Any]]:
    """The published items of a worklist in worklist order, as `worklists.worklist_row` gives them."""
    columns = [getattr(WorklistItemRow, c) for c in ITEM_COLUMNS]
    statement = (
        select(*columns)
        .where(WorklistItemRow.role == role, WorklistItemRow.purpose == purpose)
        .order_by(WorklistItemRow.position)
    )
    return [dict(zip(ITEM_COLUMNS, row, strict=True)) for row in session.execute(statement)]


def published_decision(
    session: Session, role: str, purpose: str, subject_id: str
) -> PublishedDecisionRow | None:
    return session.get(PublishedDecisionRow, (role, purpose, subject_id))
