"""Use cases of versioned logistics plans: solve and save a new version, list versions, read one with
its assignments (paged) and capacity overlays, compare two, and lock a transport manifest after a
fresh gate check. Every change and read is audited in the transaction that does it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ilos.errors import ConflictError, InvalidInputError, NotFoundError
from ilos.services import logistics
from ilos.services.access import ENFORCEMENT_READING, LOGISTICS_WORK, Caller, Role
from ilos.services.audit_log import Action, new_id, record, require_role
from ilos.services.logistics import KINDS, PlanDraft
from ilos.services.progress import Progress, silent
from ilos.services.store_access import Store
from ilos.store.plan_tables import (
    AssignmentValues,
    OperationPlanRow,
    PlanAssignmentRow,
    PlanCapacityRow,
    PlanManifestLockRow,
    insert_assignments,
    insert_capacity,
)

PLANNERS = frozenset({Role.logistics_planner, Role.supervisor})
PLAN_READERS = PLANNERS | {Role.oversight}
MAX_PAGE = 1000
COUNTED = (
    "placed",
    "unplaced",
    "away_from_counsel",
    "seated",
    "waiting",
    "excluded",
)  # summary counts of people at planning (seats become `removed` or `departed` after a manifest lock)
UNRESOLVED = "unresolved_subject"  # the gate named when no published subject carries the person's A-number
LOCK_STEP = "manifest lock"  # the step a person taken off at the lock itself was removed at


@dataclass(frozen=True, slots=True)
class PlanSummary:
    plan_id: str
    kind: str
    version: int
    status: str
    inputs_hash: str
    source: str
    created_by: str
    created_at: datetime
    objective: int
    lower_bound: int
    gap: float
    proven_optimal: bool
    solver_seconds: float
    summary: dict[str, Any]
    locked_by: str | None
    locked_at: datetime | None


AssignmentView = AssignmentValues  # one person in a plan, as stored: where or why not, and why


@dataclass(frozen=True, slots=True)
class CapacityView:
    resource: str
    segment: str
    used: int
    capacity: int
    operated: bool | None


@dataclass(frozen=True, slots=True)
class RemovedView:
    """A person taken off a locked manifest: the gate that blocked them, why, and at which step (the lock,
    a recheck when their subject changed, or the check at departure)."""

    person_id: str
    gate: str
    reason: str
    step: str = LOCK_STEP  # locks written before steps were kept were all made at the lock


@dataclass(frozen=True, slots=True)
class ManifestView:
    plan_id: str
    version: int
    flight_id: str
    locked_by: str
    locked_at: datetime
    cleared: int
    removed: tuple[RemovedView, ...]
    departed: int = 0  # seats that flew after the check at departure (`ilos plan depart`)


@dataclass(frozen=True, slots=True)
class PlanView:
    plan: PlanSummary
    assignments: tuple[AssignmentView, ...]
    next_after: str | None
    capacity: tuple[CapacityView, ...]
    manifests: tuple[ManifestView, ...]


@dataclass(frozen=True, slots=True)
class PlanPage:
    """Which assignments of a plan to read: after a person id, at most `limit`, optionally one status
    or one facility/flight."""

    after: str | None = None
    limit: int = 100
    status: str | None = None
    target: str | None = None


@dataclass(frozen=True, slots=True)
class Change:
    person_id: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class PlanDiff:
    kind: str
    old: PlanSummary
    new: PlanSummary
    same_inputs: bool
    changed: int
    changes: tuple[Change, ...]


def create_plan(
    store: Store,
    caller: Caller,
    kind: str,
    world_dir: Path | None = None,
    resources: Path | None = None,
    step: Progress = silent,
) -> PlanSummary:
    """Solve a plan on the current data (the world under ILOS_HOME unless given) and save it as the next
    version of its kind; earlier drafts of the kind become superseded (locked plans stay locked)."""
    require_role(store, caller, PLANNERS, Action("plan.create", "plan", query={"kind": kind}), LOGISTICS_WORK)
    draft = logistics.draft_plan(kind, world_dir or store.settings.world_dir, resources, step)
    step("saving the plan")
    try:
        with store.transaction() as session:
            row = _save(session, caller, draft)
            detail = f"{kind} v{row.version}: {_counts(draft.summary)}; inputs {draft.inputs_hash[:12]}"
            audit = Action(
                "plan.create", "plan", (row.id,), {"kind": kind}, len(draft.assignments), detail=detail
            )
            record(session, caller, audit)
            return _summary(row)
    except IntegrityError:
        raise ConflictError(f"Another {kind} plan was saved at the same moment; create it again") from None


def _save(session: Session, caller: Caller, draft: PlanDraft) -> OperationPlanRow:
    latest = session.scalar(
        select(func.max(OperationPlanRow.version)).where(OperationPlanRow.kind == draft.kind)
    )
    session.execute(
        update(OperationPlanRow)
        .where(OperationPlanRow.kind == draft.kind, OperationPlanRow.status == "draft")
        .values(status="superseded")
    )
    row = OperationPlanRow(
        id=new_id(),
        kind=draft.kind,
        version=(latest or 0) + 1,
        status="draft",
        inputs_hash=draft.inputs_hash,
        source=draft.source[-512:],
        created_by=caller.actor,
        created_at=datetime.now(UTC),
        objective=draft.objective,
        lower_bound=draft.lower_bound,
        gap=draft.gap,
        proven_optimal=draft.lower_bound == draft.objective,
        solver_seconds=round(draft.solver_seconds, 4),
        summary=draft.summary,
        locked_by=None,
        locked_at=None,
    )
    session.add(row)
    session.flush()
    insert_assignments(session, row.id, draft.assignments)
    insert_capacity(session, row.id, draft.capacity)
    return row


def list_plans(store: Store, caller: Caller, kind: str | None = None) -> list[PlanSummary]:
    """Every stored version, newest first (of one kind if given)."""
    audit = Action("plan.list", "plan", query={"kind": kind})
    require_role(store, caller, PLAN_READERS, audit, ENFORCEMENT_READING)
    query = select(OperationPlanRow).order_by(OperationPlanRow.kind, OperationPlanRow.version.desc())
    if kind is not None:
        query = query.where(OperationPlanRow.kind == _kind(kind))
    with store.transaction() as session:
        plans = [_summary(r) for r in session.scalars(query)]
        record(session, caller, Action(audit.name, "plan", query=audit.query, result_count=len(plans)))
    return plans


def read_plan(
    store: Store, caller: Caller, kind: str, version: int, page: PlanPage | None = None
) -> PlanView:
    """One version with a page of its assignments (in person-id order), every capacity overlay and every
    manifest locked from it."""
    audit = Action("plan.read", "plan", query={"kind": kind, "version": version})
    require_role(store, caller, PLAN_READERS, audit, ENFORCEMENT_READING)
    page = page or PlanPage()
    if not 1 <= page.limit <= MAX_PAGE:
        raise InvalidInputError(f"limit must be between 1 and {MAX_PAGE}, not {page.limit}")
    with store.transaction() as session:
        row = plan_row(session, kind, version)
        assignments = _assignments(session, row.id, page)
        view = PlanView(
            plan=_summary(row),
            assignments=assignments,
            next_after=assignments[-1].person_id if len(assignments) == page.limit else None,
            capacity=_capacity(session, row.id),
            manifests=_manifests(session, row),
        )
        record(session, caller, Action(audit.name, "plan", (row.id,), audit.query, len(assignments)))
    return view


def diff_plans(store: Store, caller: Caller, kind: str, old: int, new: int, limit: int = 50) -> PlanDiff:
    """What changed for people between two versions: each person whose facility/flight or status differs."""
    audit = Action("plan.diff", "plan", query={"kind": kind, "old": old, "new": new})
    require_role(store, caller, PLAN_READERS, audit, ENFORCEMENT_READING)
    with store.transaction() as session:
        a, b = plan_row(session, kind, old), plan_row(session, kind, new)
        before, after = _where_everyone(session, a.id), _where_everyone(session, b.id)
        people = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
        changes = tuple(
            Change(p, before.get(p, "not in plan"), after.get(p, "not in plan")) for p in people[:limit]
        )
        record(session, caller, Action(audit.name, "plan", (a.id, b.id), audit.query, len(people)))
        return PlanDiff(kind, _summary(a), _summary(b), a.inputs_hash == b.inputs_hash, len(people), changes)


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInputError(f"Unknown plan kind {kind!r}; use one of: {', '.join(KINDS)}")
    return kind


def plan_row(session: Session, kind: str, version: int) -> OperationPlanRow:
    row = session.scalar(
        select(OperationPlanRow).where(
            OperationPlanRow.kind == _kind(kind), OperationPlanRow.version == version
        )
    )
    if row is None:
        raise NotFoundError(f"No {kind} plan version {version}; list the versions with `ilos plan list`")
    return row


def _assignments(session: Session, plan_id: str, page: PlanPage) -> tuple[AssignmentView, ...]:
    columns = [getattr(PlanAssignmentRow, c) for c in AssignmentValues._fields]
    query = select(*columns).where(PlanAssignmentRow.plan_id == plan_id)
    if page.after is not None:
        query = query.where(PlanAssignmentRow.person_id > page.after)
    if page.status is not None:
        query = query.where(PlanAssignmentRow.status == page.status)
    if page.target is not None:
        query = query.where(PlanAssignmentRow.target == page.target)
    rows = session.execute(query.order_by(PlanAssignmentRow.person_id).limit(page.limit))
    return tuple(AssignmentValues(*row) for row in rows)


def _capacity(session: Session, plan_id: str) -> tuple[CapacityView, ...]:
    rows = session.scalars(
        select(PlanCapacityRow)
        .where(PlanCapacityRow.plan_id == plan_id)
        .order_by(PlanCapacityRow.resource, PlanCapacityRow.segment)
    )
    return tuple(CapacityView(r.resource, r.segment, r.used, r.capacity, r.operated) for r in rows)


def _manifests(session: Session, plan: OperationPlanRow) -> tuple[ManifestView, ...]:
    rows = session.scalars(
        select(PlanManifestLockRow)
        .where(PlanManifestLockRow.plan_id == plan.id)
        .order_by(PlanManifestLockRow.flight_id)
    )
    departed = {
        flight: int(count)
        for flight, count in session.execute(
            select(PlanAssignmentRow.target, func.count())
            .where(PlanAssignmentRow.plan_id == plan.id, PlanAssignmentRow.status == "departed")
            .group_by(PlanAssignmentRow.target)
        )
    }
    return tuple(
        ManifestView(
            plan.id,
            plan.version,
            r.flight_id,
            r.locked_by,
            r.locked_at,
            r.cleared,
            tuple(RemovedView(**g) for g in r.removed),
            departed.get(r.flight_id, 0),
        )
        for r in rows
    )


def _where_everyone(session: Session, plan_id: str) -> dict[str, str]:
    rows = session.execute(
        select(PlanAssignmentRow.person_id, PlanAssignmentRow.status, PlanAssignmentRow.target).where(
            PlanAssignmentRow.plan_id == plan_id
        )
    )
    return {p: f"{status} {target}" if target else status for p, status, target in rows}


def _summary(r: OperationPlanRow) -> PlanSummary:
    return PlanSummary(
        r.id,
        r.kind,
        r.version,
        r.status,
        r.inputs_hash,
        r.source,
        r.created_by,
        r.created_at,
        r.objective,
        r.lower_bound,
        r.gap,
        r.proven_optimal,
        r.solver_seconds,
        dict(r.summary),
        r.locked_by,
        r.locked_at,
    )


def _counts(summary: dict[str, Any]) -> str:
    return ", ".join(f"{summary[k]} {k}" for k in COUNTED if k in summary)
