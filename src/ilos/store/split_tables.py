"""Splits and merges of subjects applied to the attached work (cases, actions): which work moved where, which
actions were halted, and (splits) the review a person owes. Migrations 0005 (splits) and 0008 (merges)."""

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


class SubjectMergeRow(Base):
    """One merge recorded by a re-run (`absorbed` ids joined `subject_id`), applied once (`merge_key` is
    unique): the work moved off the absorbed ids and the open actions halted for identity verification."""

    __tablename__ = "subject_merges"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    merge_key: Mapped[str] = mapped_column(String(64), unique=True)
    subject_id: Mapped[str] = mapped_column(String(64), index=True)  # the subject that continues
    absorbed: Mapped[list[str]] = mapped_column(JSON)
    merged_at: Mapped[str] = mapped_column(String(40))  # when the re-run recorded it (its own timestamp)
    moved: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    halted: Mapped[list[str]] = mapped_column(JSON)
    applied_at: Mapped[datetime] = mapped_column(UtcDateTime)
