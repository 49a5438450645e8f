"""Versioned logistics plans: one row per plan version, its assignments with their explanations, its
capacity overlays per facility bed class or per flight, and the transport manifests locked from it.
Migration 0007 creates them; `insert_assignments` loads tens of thousands of rows in one statement
stream (executemany on SQLite, COPY on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    insert,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from ilos.store.bulk import insert_rows
from ilos.store.tables import Base, UtcDateTime


class OperationPlanRow(Base):
    """One version of a placement or transport plan: what the solver saw (inputs hash) and proved."""

    __tablename__ = "operation_plans"
    __table_args__ = (UniqueConstraint("kind", "version"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    inputs_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(512))
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    objective: Mapped[int] = mapped_column(BigInteger)
    lower_bound: Mapped[int] = mapped_column(BigInteger)
    gap: Mapped[float] = mapped_column(Float)
    proven_optimal: Mapped[bool] = mapped_column(Boolean)
    solver_seconds: Mapped[float] = mapped_column(Float)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    locked_by: Mapped[str | None] = mapped_column(String(128))
    locked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PlanAssignmentRow(Base):
    """One person in a plan: where (facility or flight) or why not, the cost that explains it and, for
    placements beyond the counsel radius, the counsel cost and the recorded reason."""

    __tablename__ = "plan_assignments"
    __table_args__ = (Index("ix_plan_assignments_plan_target", "plan_id", "target"),)

    plan_id: Mapped[str] = mapped_column(
        ForeignKey("operation_plans.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    target: Mapped[str | None] = mapped_column(String(64))
    segment: Mapped[str | None] = mapped_column(String(64))
    cost: Mapped[int | None] = mapped_column(BigInteger)
    counsel_km: Mapped[int | None] = mapped_column(Integer)
    counsel_cost: Mapped[int | None] = mapped_column(BigInteger)
    counsel_reason: Mapped[str | None] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text)


class PlanCapacityRow(Base):
    """A capacity overlay: a facility's bed class (segment "M/low") or a flight (segment "*" for the
    whole aircraft, a country for its share), used against capacity."""

    __tablename__ = "plan_capacity"

    plan_id: Mapped[str] = mapped_column(
        ForeignKey("operation_plans.id", ondelete="CASCADE"), primary_key=True
    )
    resource: Mapped[str] = mapped_column(String(64), primary_key=True)
    segment: Mapped[str] = mapped_column(String(64), primary_key=True)
    used: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    operated: Mapped[bool | None] = mapped_column(Boolean)


class PlanManifestLockRow(Base):
    """A flight's manifest locked from a transport plan after a fresh gate check; `removed` names each
    person taken off, with the gate that blocked them and why."""

    __tablename__ = "plan_manifest_locks"

    plan_id: Mapped[str] = mapped_column(
        ForeignKey("operation_plans.id", ondelete="CASCADE"), primary_key=True
    )
    flight_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    locked_by: Mapped[str] = mapped_column(String(128))
    locked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    cleared: Mapped[int] = mapped_column(Integer)
    removed: Mapped[list[dict[str, str]]] = mapped_column(JSON)


class AssignmentValues(NamedTuple):
    """One plan_assignments row in column order (a tuple: 50,000 of them are cheap to build)."""

    person_id: str
    status: str
    target: str | None
    segment: str | None
    cost: int | None
    counsel_km: int | None
    counsel_cost: int | None
    counsel_reason: str | None
    explanation: str


ASSIGNMENT_COLUMNS = ("plan_id", *AssignmentValues._fields)


def insert_assignments(session: Session, plan_id: str, rows: Sequence[AssignmentValues]) -> None:
    """Bulk-load a plan's assignments (`store.bulk`: COPY on PostgreSQL, executemany on SQLite)."""
    insert_rows(session, "plan_assignments", ASSIGNMENT_COLUMNS, [(plan_id, *row) for row in rows])


def insert_capacity(session: Session, plan_id: str, rows: Sequence[dict[str, Any]]) -> None:
    """A plan's capacity overlays (hundreds of rows, not thousands)."""
    if rows:
        session.execute(insert(PlanCapacityRow), [{"plan_id": plan_id, **r} for r in rows])
