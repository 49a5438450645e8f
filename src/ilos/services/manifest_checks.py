"""A locked manifest after its lock: it is checked again whenever the subject of someone on it changes, and
once more at departure. Anyone blocked since the lock is taken off (their seat `removed`, named on the lock
with the gate, why and the step), the manifest's holder (whoever locked it) and everyone holding the subject
are alerted, and the step is audited. `recheck_locked_seats` runs in the near-real-time worker's transaction
(from `case_actions.recheck_subject`); `depart_manifest` is `ilos plan depart` and its API route."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby

from sqlalchemy import func, literal, select, update
from sqlalchemy.orm import Session

from ilos.errors import ConflictError, NotFoundError
from ilos.operations.manifest import Blocked, check_at_departure, recheck
from ilos.services import action_gates, stored_gates
from ilos.services.a_numbers import a_number_key
from ilos.services.access import LOGISTICS_WORK, Caller, Purpose, Role
from ilos.services.action_gates import GateSource
from ilos.services.audit_log import Action, record, require_role
from ilos.services.legal_store import recorded_reviews
from ilos.services.operations_alerts import holders_of, write_alerts
from ilos.services.plan_manifests import (
    Decided,
    Seat,
    carriers_of,
    describe,
    gate_check,
    locked_seats,
    removed_entry,
    seated_on,
)
from ilos.services.plans import PLANNERS, RemovedView, plan_row
from ilos.services.store_access import Store
from ilos.store.plan_tables import OperationPlanRow, PlanAssignmentRow, PlanCapacityRow, PlanManifestLockRow
from ilos.store.tables import SubjectIdentifierRow

MANIFEST_ALERT = "manifest_seat_removed"
DEPARTURE_STEP = "departure"
RECHECKER = Caller(
    "system:recheck",
    frozenset({Role.logistics_planner, Role.supervisor}),
    Purpose.removal_logistics,
    "internal",
)
"""Who the recheck acts as: nobody, with the purpose manifests are locked and read for, so the reasons kept
on a manifest read as those its lock keeps (the alerts keep the gates as decided, shown per reader)."""


@dataclass(frozen=True, slots=True)
class DepartureView:
    """The check at departure: how many flew, and who was halted (blocked since the lock) and why."""

    plan_id: str
    version: int
    flight_id: str
    checked_by: str
    checked_at: datetime
    departed: int
    halted: tuple[RemovedView, ...]


@dataclass(frozen=True, slots=True)
class _Stored:
    """A locked manifest as read back from the store: its flight and who is still seated on it."""

    flight_id: str
    seats: tuple[Seat, ...]


def recheck_locked_seats(
    session: Session, subject_id: str, reason: str, source: GateSource
) -> list[RemovedView]:
    """Check again, in the caller's transaction, everyone seated on a locked manifest yet to depart whose
    A-number the subject carries, and take off the blocked (one audit event per manifest checked)."""
    values = session.scalars(
        select(SubjectIdentifierRow.value).where(
            SubjectIdentifierRow.subject_id == subject_id, SubjectIdentifierRow.kind == "a_number"
        )
    )
    keys = {a_number_key(v) for v in values}
    if not keys:
        return []
    mine = [
        (seat, version) for seat, version in locked_seats(session) if a_number_key(seat.person_id) in keys
    ]
    if not mine:
        return []
    carriers = carriers_of(session, [seat.person_id for seat, _ in mine])
    reviews = recorded_reviews(session, sorted({s for found in carriers.values() for s in found}))
    decided: Decided = {}
    check = gate_check(carriers, reviews, source, RECHECKER, decided)
    at, step = datetime.now(UTC), f"recheck: {reason}"
    removed: list[RemovedView] = []
    for (plan_id, flight_id, version), group in groupby(
        mine, key=lambda sv: (sv[0].plan_id, sv[0].flight_id, sv[1])
    ):
        seats = [Seat(seat.person_id, seat.destination) for seat, _ in group]
        _, blocked = recheck(seats, check, step, at)
        taken, alerted = _take_off(session, plan_id, flight_id, version, blocked, decided, carriers)
        removed += taken
        off = "; ".join(f"{r.person_id} ({r.gate})" for r in taken) or "nobody"
        detail = f"{flight_id} of transport v{version}: {len(seats)} checked; taken off: {off}" + (
            f"; alerted {', '.join(alerted)}" if alerted else ""
        )
        ids = (plan_id, flight_id, subject_id, *(r.person_id for r in taken))
        query = {"reason": reason, "version": version, "flight_id": flight_id}
        record(
            session,
            RECHECKER,
            Action("plan.manifest_recheck", "plan", ids, query, len(taken), detail=detail),
        )
    return removed


def depart_manifest(
    store: Store, caller: Caller, version: int, flight_id: str, gates: GateSource | None = None
) -> DepartureView:
    """The check at departure: everyone still seated on a locked manifest is checked again now; the cleared
    depart (their seat becomes `departed`), anyone blocked since the lock is halted and taken off."""
    audit = Action("plan.depart", "plan", query={"version": version, "flight_id": flight_id})
    require_role(store, caller, PLANNERS, audit, LOGISTICS_WORK)
    with store.transaction() as session:
        row = _departing(session, version, flight_id)
        seats = seated_on(session, row.id, flight_id)
        carriers = carriers_of(session, [s.person_id for s in seats])
        reviews = recorded_reviews(session, sorted({s for found in carriers.values() for s in found}))
    decided: Decided = {}
    check = gate_check(carriers, reviews, gates or action_gates.gate_source_for(store), caller, decided)
    result = check_at_departure(_Stored(flight_id, tuple(seats)), check, datetime.now(UTC))
    with store.transaction() as session:
        row = _departing(session, version, flight_id)
        halted, alerted = _take_off(session, row.id, flight_id, row.version, result.halted, decided, carriers)
        cleared = [s.person_id for s in result.cleared]
        departed = _depart(session, caller, row.id, flight_id, cleared, result.checked_at)
        detail = f"{departed} departed; halted: " + ("; ".join(describe(b) for b in result.halted) or "none")
        ids = (row.id, flight_id, *(b.person_id for b in result.halted))
        record(
            session,
            caller,
            Action(audit.name, "plan", ids, audit.query, departed, detail=_with_alerted(detail, alerted)),
        )
        return DepartureView(
            row.id, row.version, flight_id, caller.actor, result.checked_at, departed, tuple(halted)
        )


def _with_alerted(detail: str, alerted: Sequence[str]) -> str:
    return f"{detail}; alerted {', '.join(alerted)}" if alerted else detail


def _departing(session: Session, version: int, flight_id: str) -> OperationPlanRow:
    row = plan_row(session, "transport", version)
    lock = session.get(PlanManifestLockRow, (row.id, flight_id))
    if lock is None:
        known = session.scalar(
            select(func.count()).where(
                PlanCapacityRow.plan_id == row.id, PlanCapacityRow.resource == flight_id
            )
        )
        if not known:
            raise NotFoundError(
                f"Flight {flight_id!r} is not in transport v{version}; see its capacity overlays"
            )
        raise ConflictError(
            f"The manifest of flight {flight_id!r} in transport v{version} is not locked; lock it first "
            f"(`ilos plan lock {version} {flight_id}`): its gates are checked then, and again at departure"
        )
    if not seated_on(session, row.id, flight_id):
        raise ConflictError(
            f"Nobody is seated on flight {flight_id!r} of transport v{version}: it has departed, or everyone "
            f"on it was taken off (`ilos plan show transport {version}` names each)"
        )
    return row


def _depart(
    session: Session, caller: Caller, plan_id: str, flight_id: str, people: Sequence[str], at: datetime
) -> int:
    """Seats of the cleared become `departed` (those still seated: a recheck may have taken one off since)."""
    if not people:
        return 0
    done = session.execute(
        update(PlanAssignmentRow)
        .where(
            PlanAssignmentRow.plan_id == plan_id,
            PlanAssignmentRow.target == flight_id,
            PlanAssignmentRow.person_id.in_(people),
            PlanAssignmentRow.status == "seated",
        )
        .values(
            status="departed",
            explanation=literal(
                f"departed on {flight_id} {at:%Y-%m-%d %H:%M} UTC after the departure gate check by "
                f"{caller.actor}; planned as: "
            )
            + PlanAssignmentRow.explanation,
        )
        .execution_options(synchronize_session=False)
    )
    return int(done.rowcount)  # type: ignore[attr-defined]


def _take_off(
    session: Session,
    plan_id: str,
    flight_id: str,
    version: int,
    blocked: Sequence[Blocked],
    decided: Decided,
    carriers: Mapping[str, tuple[str, ...]],
) -> tuple[list[RemovedView], list[str]]:
    """Take the blocked off a locked manifest (only those still seated): their seat becomes `removed` with
    the gate and why, the lock names them; the manifest's holder and everyone holding each person's subject
    are alerted. Returns those taken off and who was alerted."""
    lock = session.get(PlanManifestLockRow, (plan_id, flight_id))
    assert lock is not None  # the callers found the seats through their lock
    taken: list[Blocked] = []
    for b in blocked:
        moved = session.execute(
            update(PlanAssignmentRow)
            .where(
                PlanAssignmentRow.plan_id == plan_id,
                PlanAssignmentRow.person_id == b.person_id,
                PlanAssignmentRow.status == "seated",
            )
            .values(
                status="removed",
                explanation=f"taken off {flight_id} at {b.step} {b.at:%Y-%m-%d %H:%M} UTC: {b.gate}: {b.reason}",
            )
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount:  # type: ignore[attr-defined]
            taken.append(b)
    if not taken:
        return [], []
    lock.removed = [*lock.removed, *(removed_entry(b) for b in taken)]
    lock.cleared = max(0, lock.cleared - len(taken))
    alerted: set[str] = set()
    for b in taken:
        subjects = carriers.get(a_number_key(b.person_id), ())
        recipients = {lock.locked_by}.union(*(holders_of(session, s) for s in subjects))
        headline = f"{b.person_id} taken off {flight_id} (transport v{version}) at {b.step}"
        alerted.update(
            write_alerts(
                session,
                recipients,
                MANIFEST_ALERT,
                ("plan", plan_id),
                subjects[0] if subjects else None,
                headline,
                b.at,
                stored_gates.alert_gates(decided.get(b.person_id, ())),
            )
        )
    session.flush()
    return [RemovedView(**removed_entry(b)) for b in taken], sorted(alerted)
