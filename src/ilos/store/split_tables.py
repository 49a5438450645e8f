"""Splits of subjects applied to the attached work (cases, actions): which work moved to which part, which
actions were halted, and the review a person owes. Migration 0005 creates the table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ilos.store.tables import Base, UtcDateTime


class SubjectSplitRow(Base):
    """One split recorded by a re-run, applied once (`split_key` is unique). `state` is "open" while a person
    owes a review (the split touched attached work), "resolved" after it, "nothing_attached" otherwise."""

    __tablename__ = "subject_splits"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    split_key: Mapped[str] = mapped_column(String(64), unique=True)
    subject_id: Mapped[str] = mapped_column(String(64), index=True)  # the part that kept the id
    parts: Mapped[list[str]] = mapped_column(JSON)  # the parts split off
    split_at: Mapped[str] = mapped_column(String(40))  # when the re-run recorded it (its own timestamp)
    moved: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    halted: Mapped[list[str]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), index=True)
    applied_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(128))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolution_note: Mapped[str | None] = mapped_column(Text)
