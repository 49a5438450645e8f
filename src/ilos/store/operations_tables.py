"""Tables of the operational workflows: cases, actions with their verifications and halts, alerts,
departure reports, and agency operations with their conflicts. The migration 0002 creates them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ilos.store.tables import Base, UtcDateTime


class CaseRow(Base):
    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(256))
    state: Mapped[str] = mapped_column(String(16), index=True)
    opened_by: Mapped[str] = mapped_column(String(128))
    assignee: Mapped[str | None] = mapped_column(String(128), index=True)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(128))
    close_reason: Mapped[str | None] = mapped_column(Text)


class CaseSubjectRow(Base):
    __tablename__ = "case_subjects"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    added_by: Mapped[str] = mapped_column(String(128))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CaseNoteRow(Base):
    __tablename__ = "case_notes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    text: Mapped[str] = mapped_column(Text)


class ActionRow(Base):
    """A planned or executed operational step on one subject; `last_gates` is the latest re-check, each gate
    as decided with the records it rests on (`records`; absent in entries kept before 0013), shown to each
    reader as the reader's purpose may see it (`services.stored_gates`)."""

    __tablename__ = "actions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), index=True)
    planned_by: Mapped[str] = mapped_column(String(128))
    destination_country: Mapped[str | None] = mapped_column(String(64))
    planned_for: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_checked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_gates: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class ActionVerificationRow(Base):
    """'Identity verified by' / 'legal status verified by', with time and evidence; superseded on reopening.
    `covers`: the identity gate's evidence the verification saw (NULL in stores older than 0010: covers
    nothing, so such a verification never lifts the gate)."""

    __tablename__ = "action_verifications"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    action_id: Mapped[str] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    verified_by: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    evidence: Mapped[list[str]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text)
    superseded: Mapped[bool] = mapped_column(default=False)
    covers: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)


class ActionHaltRow(Base):
    """An action stopped by a gate that appeared after planning: at which step, which gate, why, when.
    `reason` and `evidence` are the gate's own, shown to each reader as the reader's purpose may see them;
    `records`: the records they rest on (NULL in stores older than 0013: taken to rest on every record the
    reader may not see)."""

    __tablename__ = "action_halts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    action_id: Mapped[str] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    step: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str] = mapped_column(String(16))
    gate: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[str]] = mapped_column(JSON)
    trigger: Mapped[str] = mapped_column(Text)
    halted_by: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    records: Mapped[list[str] | None] = mapped_column(JSON)


class AlertRow(Base):
    """A notice to one person (or `agency:<name>`) about an object that needs their attention. `gates`: the
    gates it reports (gate, reason, records), shown after `message` as the reader's purpose may see them;
    NULL for alerts reporting none, and for halt alerts older than 0013, whose message holds the gates."""

    __tablename__ = "alerts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    recipient: Mapped[str] = mapped_column(String(128), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    gates: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)


class DepartureRow(Base):
    """A self-reported departure, its match to a subject and its verification state with the evidence."""

    __tablename__ = "departures"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    report_ref: Mapped[str] = mapped_column(String(64), unique=True)
    subject_id: Mapped[str | None] = mapped_column(String(64), index=True)
    departed_on: Mapped[date] = mapped_column(Date)
    country: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), index=True)
    match_score: Mapped[float | None] = mapped_column(Float)
    exit_record: Mapped[str | None] = mapped_column(String(128))
    contradicted_by: Mapped[str | None] = mapped_column(String(128))
    evidence: Mapped[list[str]] = mapped_column(JSON)
    identity: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_by: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AgencyOperationRow(Base):
    __tablename__ = "agency_operations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agency: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(256))
    owner: Mapped[str] = mapped_column(String(128))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OperationTargetRow(Base):
    """One target of an operation: a subject id or a normalised address."""

    __tablename__ = "operation_targets"

    operation_id: Mapped[str] = mapped_column(
        ForeignKey("agency_operations.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(256), primary_key=True, index=True)


class OperationConflictRow(Base):
    """An overlap between an operation and another operation or another agency's cooperation case."""

    __tablename__ = "operation_conflicts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    operation_id: Mapped[str] = mapped_column(ForeignKey("agency_operations.id"), index=True)
    other_operation_id: Mapped[str | None] = mapped_column(ForeignKey("agency_operations.id"), index=True)
    other_agency: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(256))
    detail: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), index=True)
    detected_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(128))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolution_note: Mapped[str | None] = mapped_column(Text)
