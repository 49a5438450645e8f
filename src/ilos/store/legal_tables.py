"""Recorded legal authorities (what unlocks TAX data for one taxpayer), their revocations, and gate reviews
(a supervisor's recorded review of a citizenship or identity gate). All three are append-only: the
migration 0006 makes the database refuse UPDATE and DELETE, so a revocation is a row of its own and a
later review supersedes an earlier one without erasing it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ilos.store.tables import Base, UtcDateTime


class LegalAuthorityRow(Base):
    """An authority as recorded: the taxpayer (subject id and name), tax periods, statute, reason, who
    granted it and when, until when, and who recorded it."""

    __tablename__ = "legal_authorities"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    marking: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    taxpayer_name: Mapped[str] = mapped_column(String(256))
    tax_periods: Mapped[list[int]] = mapped_column(JSON)
    statute: Mapped[str] = mapped_column(String(256))
    reason: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[str] = mapped_column(String(256))
    granted_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LegalAuthorityRevocationRow(Base):
    """The revocation of one authority (at most one), effective from `revoked_at`."""

    __tablename__ = "legal_authority_revocations"

    authority_id: Mapped[str] = mapped_column(ForeignKey("legal_authorities.id"), primary_key=True)
    revoked_by: Mapped[str] = mapped_column(String(128))
    revoked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(Text)


class GateReviewRow(Base):
    """A person's review of one reviewable gate on one subject: the decision and finding, why, what was
    checked (`evidence`), which of the gate's evidence it examined (`covers`), and the policy in force."""

    __tablename__ = "gate_reviews"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    gate: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(16))
    finding: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[str]] = mapped_column(JSON)
    covers: Mapped[list[str]] = mapped_column(JSON)
    reviewer: Mapped[str] = mapped_column(String(128))
    reviewer_role: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    policy_version: Mapped[int] = mapped_column(Integer)
    policy_hash: Mapped[str] = mapped_column(String(64))
