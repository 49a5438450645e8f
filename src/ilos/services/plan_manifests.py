"""Locking a transport plan's flight manifest: every seated person's gates are checked again at lock time
(with the recorded reviews of every subject carrying their A-number); anyone blocked is taken off by name.
Plans themselves (versions, reads, diffs) are `services.plans`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ilos.errors import ConflictError, NotFoundError
from ilos.operations.manifest import Blocked, GateCheck, GateOutcome, recheck
from ilos.policy.results import GateResult, GateReview
from ilos.services import action_gates
from ilos.services.access import LOGISTICS_WORK, Caller
from ilos.services.action_gates import GateSource
from ilos.services.audit_log import Action, record, require_role
from ilos.services.legal_store import recorded_reviews
from ilos.services.plans import PLANNERS, UNRESOLVED, ManifestView, RemovedView, plan_row
from ilos.services.store_access import Store
from ilos.store.plan_tables import OperationPlanRow, PlanAssignmentRow, PlanCapacityRow, PlanManifestLockRow
from ilos.store.search_keys import identifier_key
from ilos.store.tables import SubjectIdentifierRow


def lock_manifest(
    store: Store, caller: Caller, version: int, flight_id: str, gates: GateSource | None = None
) -> ManifestView:
    """Lock one flight's manifest of a transport plan: every seated person's gates are checked again now
    (never a cached answer); anyone blocked is taken off, named with the gate and its reason."""
    audit = Action("plan.lock_manifest", "plan", query={"version": version, "flight_id": flight_id})
    require_role(store, caller, PLANNERS, audit, LOGISTICS_WORK)
    with store.transaction() as session:
        row = _lockable(session, version, flight_id)
        seats = _seated(session, row.id, flight_id)
        subjects = _subjects_of(session, [s.person_id for s in seats])
        reviews = recorded_reviews(session, sorted({s for carriers in subjects.values() for s in carriers}))
    check = _gate_check(subjects, reviews, gates or action_gates.gate_source_for(store), caller)
    at = datetime.now(UTC)
    cleared, removed = recheck(seats, check, "manifest lock", at)
    try:
        with store.transaction() as session:
            row = _lockable(session, version, flight_id)
            lock = _write_lock(session, caller, row, flight_id, len(cleared), removed, at)
            detail = f"{len(cleared)} cleared; removed: " + (
                "; ".join(_describe(b) for b in removed) or "none"
            )
            ids = (row.id, flight_id, *(b.person_id for b in removed))
            record(session, caller, Action(audit.name, "plan", ids, audit.query, len(cleared), detail=detail))
            return lock
    except IntegrityError:
        raise ConflictError(
            f"Flight {flight_id!r} of transport v{version} was locked at the same moment"
        ) from None


@dataclass(frozen=True, slots=True)
class _Seat:
    person_id: str
    destination: str


def _gate_check(
    subjects: dict[str, tuple[str, ...]],
    reviews: Mapping[str, Sequence[GateReview]],
    source: GateSource,
    caller: Caller,
) -> GateCheck:
    """The gates of every subject that carries each person's A-number, evaluated now with its recorded gate
    reviews (as the worklist and actions take them): a shared or borrowed
    A-number is carried by more than one, and any of them blocked keeps the person off. A person no
    published subject carries cannot be cleared, so they are blocked by name. The reasons are the gates as
    the locking caller's purpose (removal logistics, the purpose plans are made and locked for) may see them:
    they are kept on the lock and the seat, and shown to whoever reads the plan."""

    def check(person_id: str, destination: str) -> GateOutcome:
        carriers = subjects.get(identifier_key(person_id), ())
        if not carriers:
            reason = f"no published subject carries A-number {person_id}; its gates cannot be checked"
            return GateOutcome(False, reason, UNRESOLVED)
        blocked = [
            (s, b)
            for s in carriers
            if (b := [r for r in _shown(s, source(s, destination, reviews.get(s, ()))) if r.blocks])
        ]
        if not blocked:
            return GateOutcome(True, "no gate blocks removal")
        return GateOutcome(False, "; ".join(_reasons(s, b) for s, b in blocked), blocked[0][1][0].gate.value)

    def _shown(subject: str, results: Sequence[GateResult]) -> Sequence[GateResult]:
        return action_gates.shown_to(source, caller, subject, results)

    return check


def _reasons(subject: str, blocking: Sequence[GateResult]) -> str:
    return f"subject {subject}: " + "; ".join(f"{r.gate.value}: {r.reason}" for r in blocking)


def _describe(b: Blocked) -> str:
    return f"{b.person_id} ({b.gate}: {b.reason})"


def _write_lock(
    session: Session,
    caller: Caller,
    row: OperationPlanRow,
    flight_id: str,
    cleared: int,
    removed: Sequence[Blocked],
    at: datetime,
) -> ManifestView:
    gone = [{"person_id": b.person_id, "gate": b.gate, "reason": b.reason} for b in removed]
    session.add(
        PlanManifestLockRow(
            plan_id=row.id,
            flight_id=flight_id,
            locked_by=caller.actor,
            locked_at=at,
            cleared=cleared,
            removed=gone,
        )
    )
    for b in removed:
        session.execute(
            update(PlanAssignmentRow)
            .where(PlanAssignmentRow.plan_id == row.id, PlanAssignmentRow.person_id == b.person_id)
            .values(
                status="removed",
                explanation=f"taken off {flight_id} at manifest lock {at:%Y-%m-%d %H:%M} UTC: {b.gate}: {b.reason}",
            )
        )
    if row.status != "locked":
        row.status, row.locked_by, row.locked_at = "locked", caller.actor, at
    session.flush()
    return ManifestView(
        row.id, row.version, flight_id, caller.actor, at, cleared, tuple(RemovedView(**g) for g in gone)
    )


def _lockable(session: Session, version: int, flight_id: str) -> OperationPlanRow:
    row = plan_row(session, "transport", version)
    if row.status == "superseded":
        raise ConflictError(
            f"Transport v{version} is superseded; lock manifests of the newest transport plan"
        )
    if session.get(PlanManifestLockRow, (row.id, flight_id)) is not None:
        raise ConflictError(f"The manifest of flight {flight_id!r} in transport v{version} is already locked")
    known = session.scalar(
        select(func.count()).where(PlanCapacityRow.plan_id == row.id, PlanCapacityRow.resource == flight_id)
    )
    if not known:
        raise NotFoundError(f"Flight {flight_id!r} is not in transport v{version}; see its capacity overlays")
    return row


def _seated(session: Session, plan_id: str, flight_id: str) -> list[_Seat]:
    rows = session.execute(
        select(PlanAssignmentRow.person_id, PlanAssignmentRow.segment)
        .where(
            PlanAssignmentRow.plan_id == plan_id,
            PlanAssignmentRow.target == flight_id,
            PlanAssignmentRow.status == "seated",
        )
        .order_by(PlanAssignmentRow.person_id)
    ).all()
    return [_Seat(person_id, segment or "") for person_id, segment in rows]


def _subjects_of(session: Session, people: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Every published subject carrying each normalised A-number of `people` (one A-number may be carried
    by several: shared or borrowed identifiers), in subject-id order."""
    keys = sorted({identifier_key(p) for p in people})
    if not keys:
        return {}
    rows = session.execute(
        select(SubjectIdentifierRow.value, SubjectIdentifierRow.subject_id)
        .where(SubjectIdentifierRow.kind == "a_number", SubjectIdentifierRow.value.in_(keys))
        .order_by(SubjectIdentifierRow.value, SubjectIdentifierRow.subject_id)
    ).all()
    carriers: dict[str, list[str]] = {}
    for value, subject in rows:
        carriers.setdefault(value, []).append(subject)
    return {value: tuple(found) for value, found in carriers.items()}
