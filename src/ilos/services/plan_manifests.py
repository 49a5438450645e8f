"""Locking a transport plan's flight manifest: every seated person's gates are checked again at lock time
(with the recorded reviews of every subject carrying their A-number); anyone blocked is taken off by name.
A flight is locked in one plan version only, and nobody is seated on two locked manifests waiting to
depart. Plans themselves (versions, reads, diffs) are `services.plans`; what happens to a locked manifest
afterwards (a recheck when a subject changes, the check at departure) is `services.manifest_checks`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ilos.domain.cases import GateBlock
from ilos.errors import ConflictError, NotFoundError
from ilos.operations.manifest import Blocked, GateCheck, GateOutcome, recheck
from ilos.policy.results import GateResult, GateReview
from ilos.services import action_gates
from ilos.services.a_numbers import a_number_forms, a_number_key
from ilos.services.access import LOGISTICS_WORK, Caller
from ilos.services.action_gates import GateSource
from ilos.services.audit_log import Action, record, require_role
from ilos.services.legal_store import recorded_reviews
from ilos.services.plans import LOCK_STEP, PLANNERS, UNRESOLVED, ManifestView, RemovedView, plan_row
from ilos.services.store_access import Store
from ilos.store.plan_tables import OperationPlanRow, PlanAssignmentRow, PlanCapacityRow, PlanManifestLockRow
from ilos.store.tables import SubjectIdentifierRow

Decided = dict[str, list[GateBlock]]
"""The gates found blocking each person, as decided (with the records they rest on), for alerts that show
them to each reader as the reader's purpose may."""


def lock_manifest(
    store: Store, caller: Caller, version: int, flight_id: str, gates: GateSource | None = None
) -> ManifestView:
    """Lock one flight's manifest of a transport plan: every seated person's gates are checked again now
    (never a cached answer); anyone blocked is taken off, named with the gate and its reason."""
    audit = Action("plan.lock_manifest", "plan", query={"version": version, "flight_id": flight_id})
    require_role(store, caller, PLANNERS, audit, LOGISTICS_WORK)
    with store.transaction() as session:
        row = _lockable(session, version, flight_id)
        seats = seated_on(session, row.id, flight_id)
        _refuse_double_booking(session, row, flight_id, seats)
        subjects = carriers_of(session, [s.person_id for s in seats])
        reviews = recorded_reviews(session, sorted({s for carriers in subjects.values() for s in carriers}))
    check = gate_check(subjects, reviews, gates or action_gates.gate_source_for(store), caller)
    at = datetime.now(UTC)
    cleared, removed = recheck(seats, check, LOCK_STEP, at)
    try:
        with store.transaction() as session:
            row = _lockable(session, version, flight_id, exclusive=True)
            _refuse_double_booking(session, row, flight_id, seated_on(session, row.id, flight_id))
            lock = _write_lock(session, caller, row, flight_id, len(cleared), removed, at)
            detail = f"{len(cleared)} cleared; removed: " + (
                "; ".join(describe(b) for b in removed) or "none"
            )
            ids = (row.id, flight_id, *(b.person_id for b in removed))
            record(session, caller, Action(audit.name, "plan", ids, audit.query, len(cleared), detail=detail))
            return lock
    except IntegrityError:
        raise ConflictError(
            f"Flight {flight_id!r} of transport v{version} was locked at the same moment"
        ) from None


@dataclass(frozen=True, slots=True)
class Seat:
    """A person seated on a flight of a stored plan, and the country they are flown to."""

    person_id: str
    destination: str


def gate_check(
    subjects: Mapping[str, tuple[str, ...]],
    reviews: Mapping[str, Sequence[GateReview]],
    source: GateSource,
    caller: Caller,
    decided: Decided | None = None,
) -> GateCheck:
    """The gates of every subject that carries each person's A-number, evaluated now with its recorded gate
    reviews (as the worklist and actions take them): a shared or borrowed
    A-number is carried by more than one, and any of them blocked keeps the person off. A person no
    published subject carries cannot be cleared, so they are blocked by name. The reasons are the gates as
    the locking caller's purpose (removal logistics, the purpose plans are made and locked for) may see them:
    they are kept on the lock and the seat, and shown to whoever reads the plan. `decided`, if given, gets
    each blocked person's gates as decided (for alerts, shown to each reader as theirs may)."""

    def check(person_id: str, destination: str) -> GateOutcome:
        carriers = subjects.get(a_number_key(person_id), ())
        if not carriers:
            reason = f"no published subject carries A-number {person_id}; its gates cannot be checked"
            if decided is not None:
                decided[person_id] = [GateBlock(UNRESOLVED, reason, records=())]
            return GateOutcome(False, reason, UNRESOLVED)
        blocked: list[tuple[str, list[GateResult]]] = []
        for s in carriers:
            results = source(s, destination, reviews.get(s, ()))
            if shown := [r for r in _shown(s, results) if r.blocks]:
                blocked.append((s, shown))
                if decided is not None:
                    decided.setdefault(person_id, []).extend(action_gates.blocks_of(results))
        if not blocked:
            return GateOutcome(True, "no gate blocks removal")
        return GateOutcome(False, "; ".join(_reasons(s, b) for s, b in blocked), blocked[0][1][0].gate.value)

    def _shown(subject: str, results: Sequence[GateResult]) -> Sequence[GateResult]:
        return action_gates.shown_to(source, caller, subject, results)

    return check


def _reasons(subject: str, blocking: Sequence[GateResult]) -> str:
    return f"subject {subject}: " + "; ".join(f"{r.gate.value}: {r.reason}" for r in blocking)


def describe(b: Blocked) -> str:
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
    gone = [removed_entry(b) for b in removed]
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


def removed_entry(b: Blocked) -> dict[str, str]:
    """How a lock keeps someone taken off its manifest (`RemovedView`): who, the gate, why, at which step."""
    return {"person_id": b.person_id, "gate": b.gate, "reason": b.reason, "step": b.step}


def _lockable(session: Session, version: int, flight_id: str, exclusive: bool = False) -> OperationPlanRow:
    """The plan whose flight may be locked now. With `exclusive` (the transaction that writes the lock), every
    transport plan row is locked first (PostgreSQL; SQLite has one writer), so two locks of one flight, or of
    one person, in two versions cannot both pass the checks below at the same moment."""
    if exclusive:
        session.execute(
            select(OperationPlanRow.id).where(OperationPlanRow.kind == "transport").with_for_update()
        ).all()
    row = plan_row(session, "transport", version)
    if row.status == "superseded":
        raise ConflictError(
            f"Transport v{version} is superseded; lock manifests of the newest transport plan"
        )
    if session.get(PlanManifestLockRow, (row.id, flight_id)) is not None:
        raise ConflictError(f"The manifest of flight {flight_id!r} in transport v{version} is already locked")
    elsewhere = session.execute(
        select(OperationPlanRow.version, PlanManifestLockRow.locked_by, PlanManifestLockRow.locked_at)
        .join(OperationPlanRow, OperationPlanRow.id == PlanManifestLockRow.plan_id)
        .where(PlanManifestLockRow.flight_id == flight_id, PlanManifestLockRow.plan_id != row.id)
        .order_by(OperationPlanRow.version)
    ).first()
    if elsewhere is not None:
        other, by, at = elsewhere
        raise ConflictError(
            f"Flight {flight_id!r} is already locked in transport v{other} (by {by} at {at:%Y-%m-%d %H:%M} "
            f"UTC): one flight's seats are locked in one plan version; work on its manifest there "
            f"(`ilos plan show transport {other} --status seated`)"
        )
    known = session.scalar(
        select(func.count()).where(PlanCapacityRow.plan_id == row.id, PlanCapacityRow.resource == flight_id)
    )
    if not known:
        raise NotFoundError(f"Flight {flight_id!r} is not in transport v{version}; see its capacity overlays")
    return row


def seated_on(session: Session, plan_id: str, flight_id: str) -> list[Seat]:
    """Everyone still seated on one flight of a plan, in person-id order."""
    rows = session.execute(
        select(PlanAssignmentRow.person_id, PlanAssignmentRow.segment)
        .where(
            PlanAssignmentRow.plan_id == plan_id,
            PlanAssignmentRow.target == flight_id,
            PlanAssignmentRow.status == "seated",
        )
        .order_by(PlanAssignmentRow.person_id)
    ).all()
    return [Seat(person_id, segment or "") for person_id, segment in rows]


def _refuse_double_booking(
    session: Session, row: OperationPlanRow, flight_id: str, seats: Sequence[Seat]
) -> None:
    """Nobody is seated on two locked manifests waiting to depart: a person on this flight who is still
    seated on a flight locked in another plan version (it has not departed, so the two departures overlap)
    refuses the lock, naming the other plan and flight."""
    mine = {a_number_key(s.person_id): s.person_id for s in seats}
    clashes = sorted(
        (mine[key], other.person_id, version, other.flight_id)
        for other, version in locked_seats(session, exclude_plan=row.id)
        if (key := a_number_key(other.person_id)) in mine
    )
    if clashes:
        named = "; ".join(
            f"{person} is seated on {flight} locked in transport v{version}"
            + ("" if person == there else f" (as {there})")
            for person, there, version, flight in clashes[:10]
        )
        more = f" and {len(clashes) - 10} more" if len(clashes) > 10 else ""
        raise ConflictError(
            f"Flight {flight_id!r} of transport v{row.version} cannot be locked: {named}{more}. A person "
            "rides one locked manifest at a time; depart that flight first, or plan without them"
        )


@dataclass(frozen=True, slots=True)
class LockedSeat:
    """A person still seated on a locked manifest (it has not departed)."""

    plan_id: str
    flight_id: str
    person_id: str
    destination: str


def locked_seats(session: Session, exclude_plan: str | None = None) -> list[tuple[LockedSeat, int]]:
    """Everyone still seated on a locked manifest, with the version of its plan, in plan and person order.
    Departed seats are `departed` and taken-off ones `removed`, so these are the manifests yet to fly."""
    query = (
        select(
            PlanAssignmentRow.plan_id,
            PlanAssignmentRow.target,
            PlanAssignmentRow.person_id,
            PlanAssignmentRow.segment,
            OperationPlanRow.version,
        )
        .join(
            PlanManifestLockRow,
            (PlanManifestLockRow.plan_id == PlanAssignmentRow.plan_id)
            & (PlanManifestLockRow.flight_id == PlanAssignmentRow.target),
        )
        .join(OperationPlanRow, OperationPlanRow.id == PlanAssignmentRow.plan_id)
        .where(PlanAssignmentRow.status == "seated")
        .order_by(OperationPlanRow.version, PlanAssignmentRow.target, PlanAssignmentRow.person_id)
    )
    if exclude_plan is not None:
        query = query.where(PlanAssignmentRow.plan_id != exclude_plan)
    return [
        (LockedSeat(plan_id, target or "", person, segment or ""), version)
        for plan_id, target, person, segment, version in session.execute(query)
    ]


def carriers_of(session: Session, people: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Every published subject carrying the A-number of each of `people` (one A-number may be carried by
    several: shared or borrowed identifiers), in subject-id order, keyed by `a_number_key`: a plan's
    "A200139349" is the published "200139349"."""
    forms = sorted({form for p in people for form in a_number_forms(p)})
    if not forms:
        return {}
    rows = session.execute(
        select(SubjectIdentifierRow.value, SubjectIdentifierRow.subject_id)
        .where(SubjectIdentifierRow.kind == "a_number", SubjectIdentifierRow.value.in_(forms))
        .order_by(SubjectIdentifierRow.subject_id)
    ).all()
    carriers: dict[str, list[str]] = {}
    for value, subject in rows:
        found = carriers.setdefault(a_number_key(value), [])
        if subject not in found:
            found.append(subject)
    return {key: tuple(found) for key, found in carriers.items()}
