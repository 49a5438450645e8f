"""Use cases of agency deconfliction: register a planned operation (conflicts detected, recorded and
both owners alerted in the same transaction), resolve a conflict (supervisor, with a note), start an
operation (refused while a conflict is open), and read operations. Every change and read is audited."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ilos.domain.subjects import normalize_subject_id
from ilos.errors import ConflictError, FieldProblem, InvalidInputError, NotFoundError
from ilos.operations.deconfliction import (
    CooperationCase,
    OperationState,
    Overlap,
    PlannedOperation,
    check_may_proceed,
    cooperation_cases,
    find_overlaps,
    normalize_address,
    operation_problems,
    overlap_key,
    state_after,
)
from ilos.services.access import ENFORCEMENT_READING, ENFORCEMENT_WORK, Caller, Role
from ilos.services.audit_log import Action, new_id, record, record_alone, require_role
from ilos.services.gate_inputs import built_as_of, load_subjects
from ilos.services.journal_events import journaled_events
from ilos.services.operations_alerts import LIVE_OPERATION_STATES, write_alerts
from ilos.services.store_access import Store
from ilos.services.subject_record import linkage_dir
from ilos.store import subjects as subject_rows
from ilos.store.operations_tables import AgencyOperationRow, OperationConflictRow, OperationTargetRow

CooperationSource = Callable[[Sequence[str]], Sequence[CooperationCase]]
OPERATION_PLANNERS = frozenset({Role.analyst, Role.supervisor, Role.logistics_planner})
RESOLVERS = frozenset({Role.supervisor})
OPERATION_READERS = OPERATION_PLANNERS | {Role.oversight}


def linkage_cooperation(home: Path) -> CooperationSource:
    """Cooperation certifications of the subjects as their witness_or_victim gate sees them: the linkage
    under ILOS_HOME as built plus what the change worker journaled since (`gate_inputs.load_subjects` with
    `journaled_events`, as every gate check reads a subject), each active as the gate judges it."""

    def read(subject_ids: Sequence[str]) -> Sequence[CooperationCase]:
        directory = linkage_dir(home)
        built = all((directory / n).is_file() for n in ("observations.parquet", "timeline.parquet"))
        if not subject_ids or not built:
            return []
        ids = set(subject_ids)
        live = journaled_events(directory, ids)
        subjects = load_subjects(directory, built_as_of(directory), live, ids)
        return [case for subject in subjects for case in cooperation_cases(subject)]

    return read


@dataclass(frozen=True, slots=True)
class OperationRequest:
    agency: str
    title: str
    starts_on: date
    ends_on: date
    subject_ids: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ConflictView:
    conflict_id: str
    operation_id: str
    other_operation_id: str | None
    other_agency: str
    kind: str
    target: str
    detail: str
    state: str
    resolved_by: str | None
    resolution_note: str | None


@dataclass(frozen=True, slots=True)
class OperationView:
    operation_id: str
    agency: str
    title: str
    owner: str
    starts_on: date
    ends_on: date
    state: str
    subjects: tuple[str, ...]
    addresses: tuple[str, ...]
    conflicts: tuple[ConflictView, ...]


def register_operation(
    store: Store, caller: Caller, request: OperationRequest, cooperation: CooperationSource | None = None
) -> OperationView:
    """Record the operation and every overlap with live operations and other agencies' cooperating
    witnesses; alert both sides of each conflict. A conflicted operation cannot start until resolved. Its
    subjects are read as ILOS writes ids (`normalize_subject_id`) and must be published; every problem is
    reported at once (422, audited) and nothing is registered."""
    audit = Action("operation.register", "operation", request.subject_ids)
    require_role(store, caller, OPERATION_PLANNERS, audit, ENFORCEMENT_WORK)
    subjects = [normalize_subject_id(s) for s in request.subject_ids]
    planned = PlannedOperation(
        new_id(),
        request.agency.strip().upper(),
        caller.actor,
        request.starts_on,
        request.ends_on,
        frozenset(s for s in subjects if s),
        frozenset(normalize_address(a) for a in request.addresses if a.strip()),
    )
    with store.transaction() as session:
        problems = operation_problems(planned) + _subject_problems(session, request.subject_ids, subjects)
    if problems:
        detail = "; ".join(f"{p.location}: {p.message}" for p in problems)
        record_alone(store, caller, replace(audit, outcome="invalid", detail=detail))
        raise InvalidInputError("The operation cannot be registered", problems)
    cases = (cooperation or linkage_cooperation(store.settings.home))(sorted(planned.subjects))
    now = datetime.now(UTC)
    with store.transaction() as session:
        live = {o.operation_id: o for o in _live_operations(session)}
        overlaps = find_overlaps(planned, live.values(), cases)
        state = state_after(len(overlaps), OperationState.PLANNED)
        session.add(
            AgencyOperationRow(
                id=planned.operation_id,
                agency=planned.agency,
                title=request.title.strip() or planned.agency,
                owner=caller.actor,
                starts_on=planned.starts_on,
                ends_on=planned.ends_on,
                state=state.value,
                created_at=now,
            )
        )
        session.add_all(
            OperationTargetRow(operation_id=planned.operation_id, kind="subject", value=s)
            for s in planned.subjects
        )
        session.add_all(
            OperationTargetRow(operation_id=planned.operation_id, kind="address", value=a)
            for a in planned.addresses
        )
        session.flush()
        _record_conflicts(session, caller, planned, overlaps, live, now)
        ids = (planned.operation_id, *sorted(planned.subjects))
        detail = f"{len(overlaps)} conflict(s): " + "; ".join(o.detail for o in overlaps)
        record(
            session,
            caller,
            Action("operation.register", "operation", ids, result_count=len(overlaps), detail=detail),
        )
        return _view(session, planned.operation_id)


def _subject_problems(
    session: Session, written: Sequence[str], subjects: Sequence[str]
) -> list[FieldProblem]:
    """A blank subject id, or one no published subject holds (named as written): an operation never targets
    nobody silently."""
    known = subject_rows.published_ids(session, [s for s in subjects if s])
    return [
        FieldProblem(
            f"subject_ids[{i}]",
            f"no published subject {text!r}; search published subjects with GET /api/v1/subjects"
            if s
            else "a subject id is blank",
        )
        for i, (text, s) in enumerate(zip(written, subjects, strict=True))
        if s not in known
    ]


def _record_conflicts(
    session: Session,
    caller: Caller,
    planned: PlannedOperation,
    overlaps: Sequence[Overlap],
    live: dict[str, PlannedOperation],
    now: datetime,
) -> None:
    """One open conflict per overlap of `planned`, the other operation marked conflicted (one under way
    stays so) and both sides alerted, in the caller's transaction."""
    for overlap in overlaps:
        conflict_id = new_id()
        session.add(
            OperationConflictRow(
                id=conflict_id,
                operation_id=overlap.operation_id,
                other_operation_id=overlap.other_operation_id,
                other_agency=overlap.other_agency,
                kind=overlap.kind.value,
                target=overlap.target,
                detail=overlap.detail,
                state="open",
                detected_at=now,
                resolved_by=None,
                resolved_at=None,
                resolution_note=None,
            )
        )
        other = live.get(overlap.other_operation_id or "")
        if other is not None:  # an operation already under way stays so; its owner is alerted
            other_row = session.get_one(AgencyOperationRow, other.operation_id)
            other_row.state = state_after(1, OperationState(other_row.state)).value
        owners = {caller.actor, other.owner if other else f"agency:{overlap.other_agency}"}
        message = f"Deconfliction: {planned.agency} operation {planned.operation_id} — {overlap.detail}"
        subject = overlap.target if overlap.kind.value != "same_address" else None
        write_alerts(
            session, owners, "operation_conflict", ("operation_conflict", conflict_id), subject, message, now
        )
    session.flush()


def resolve_conflict(store: Store, caller: Caller, conflict_id: str, note: str) -> ConflictView:
    """A supervisor resolves one conflict with a note; operations with nothing left open are cleared."""
    audit = Action("operation.resolve_conflict", "operation_conflict", (conflict_id,))
    require_role(store, caller, RESOLVERS, audit, ENFORCEMENT_WORK)
    if not note.strip():
        raise InvalidInputError(
            "A conflict is resolved with a note", [FieldProblem("note", "say how it was deconflicted")]
        )
    with store.transaction() as session:
        row = session.get(OperationConflictRow, conflict_id)
        if row is None:
            raise NotFoundError(f"No conflict {conflict_id!r}; list them with GET /api/v1/operations/{{id}}")
        if row.state != "open":
            raise ConflictError(f"Conflict {conflict_id} was already resolved by {row.resolved_by}")
        row.state, row.resolved_by, row.resolved_at, row.resolution_note = (
            "resolved",
            caller.actor,
            datetime.now(UTC),
            note.strip(),
        )
        session.flush()
        for op_id in {row.operation_id, row.other_operation_id} - {None}:
            op = session.get_one(AgencyOperationRow, op_id)
            op.state = state_after(len(_open_conflicts(session, op.id)), OperationState(op.state)).value
        record(
            session,
            caller,
            Action(audit.name, "operation_conflict", (conflict_id, row.operation_id), detail=note.strip()),
        )
        return _conflict_view(row)


def start_operation(
    store: Store, caller: Caller, operation_id: str, cooperation: CooperationSource | None = None
) -> OperationView:
    """Mark the operation under way: refused (409) while any of its conflicts is open, and checked again
    first — live operations and cooperation as they stand now (a witness certified through the change
    worker since it was registered). A conflict found now is recorded, both sides are alerted, the
    operation becomes conflicted and the start is refused (409, audited) until a supervisor resolves it."""
    audit = Action("operation.start", "operation", (operation_id,))
    require_role(store, caller, OPERATION_PLANNERS, audit, ENFORCEMENT_WORK)
    with store.transaction() as session:
        planned = _planned(session, [_get(session, operation_id)])[0]
    cases = (cooperation or linkage_cooperation(store.settings.home))(sorted(planned.subjects))
    now = datetime.now(UTC)
    with store.transaction() as session:
        row = _get(session, operation_id)
        check_may_proceed(
            operation_id,
            OperationState(row.state),
            [c.detail for c in _open_conflicts(session, operation_id)],
        )
        live = {o.operation_id: o for o in _live_operations(session)}
        known = _conflict_keys(session, operation_id)
        found = [o for o in find_overlaps(planned, live.values(), cases) if overlap_key(o) not in known]
        if not found:
            row.state = OperationState.UNDER_WAY.value
            record(session, caller, Action(audit.name, "operation", (operation_id,)))
            return _view(session, operation_id)
        _record_conflicts(session, caller, planned, found, live, now)
        row.state = OperationState.CONFLICTED.value
        details = "; ".join(o.detail for o in found)
        record(session, caller, replace(audit, outcome="refused", result_count=len(found), detail=details))
    raise ConflictError(
        f"Operation {operation_id} has {len(found)} new conflict(s) found on starting it ({details}); "
        "a supervisor must resolve each with a note first"
    )


def read_operation(store: Store, caller: Caller, operation_id: str) -> OperationView:
    audit = Action("operation.read", "operation", (operation_id,))
    require_role(store, caller, OPERATION_READERS, audit, ENFORCEMENT_READING)
    with store.transaction() as session:
        view = _view(session, operation_id)
        record(session, caller, Action("operation.read", "operation", (operation_id, *view.subjects)))
    return view


def _live_operations(session: Session) -> list[PlannedOperation]:
    rows = session.scalars(
        select(AgencyOperationRow).where(AgencyOperationRow.state.in_(LIVE_OPERATION_STATES))
    ).all()
    return _planned(session, rows)


def _planned(session: Session, rows: Sequence[AgencyOperationRow]) -> list[PlannedOperation]:
    targets: dict[str, list[OperationTargetRow]] = {}
    for t in session.scalars(
        select(OperationTargetRow).where(OperationTargetRow.operation_id.in_([r.id for r in rows]))
    ):
        targets.setdefault(t.operation_id, []).append(t)
    return [
        PlannedOperation(
            r.id,
            r.agency,
            r.owner,
            r.starts_on,
            r.ends_on,
            frozenset(t.value for t in targets.get(r.id, []) if t.kind == "subject"),
            frozenset(t.value for t in targets.get(r.id, []) if t.kind == "address"),
        )
        for r in rows
    ]


def _conflict_keys(session: Session, operation_id: str) -> set[tuple[str, str, str]]:
    """What the operation's recorded conflicts (open or resolved) are about, as `overlap_key` reads an
    overlap of it: a conflict already recorded is not found again."""
    involved = (OperationConflictRow.operation_id == operation_id) | (
        OperationConflictRow.other_operation_id == operation_id
    )
    keys = set()
    for c in session.scalars(select(OperationConflictRow).where(involved)):
        other = c.other_operation_id if c.operation_id == operation_id else c.operation_id
        keys.add((c.kind, c.target, other or f"agency:{c.other_agency.upper()}"))
    return keys


def _open_conflicts(session: Session, operation_id: str) -> list[OperationConflictRow]:
    involved = (OperationConflictRow.operation_id == operation_id) | (
        OperationConflictRow.other_operation_id == operation_id
    )
    return list(
        session.scalars(select(OperationConflictRow).where(involved, OperationConflictRow.state == "open"))
    )


def _get(session: Session, operation_id: str) -> AgencyOperationRow:
    row = session.get(AgencyOperationRow, operation_id)
    if row is None:
        raise NotFoundError(f"No operation {operation_id!r}; register one with POST /api/v1/operations")
    return row


def _conflict_view(c: OperationConflictRow) -> ConflictView:
    return ConflictView(
        c.id,
        c.operation_id,
        c.other_operation_id,
        c.other_agency,
        c.kind,
        c.target,
        c.detail,
        c.state,
        c.resolved_by,
        c.resolution_note,
    )


def _view(session: Session, operation_id: str) -> OperationView:
    row = _get(session, operation_id)
    targets = session.scalars(
        select(OperationTargetRow).where(OperationTargetRow.operation_id == operation_id)
    ).all()
    involved = (OperationConflictRow.operation_id == operation_id) | (
        OperationConflictRow.other_operation_id == operation_id
    )
    conflicts = session.scalars(
        select(OperationConflictRow)
        .where(involved)
        .order_by(OperationConflictRow.detected_at, OperationConflictRow.id)
    ).all()
    return OperationView(
        row.id,
        row.agency,
        row.title,
        row.owner,
        row.starts_on,
        row.ends_on,
        row.state,
        tuple(sorted(t.value for t in targets if t.kind == "subject")),
        tuple(sorted(t.value for t in targets if t.kind == "address")),
        tuple(_conflict_view(c) for c in conflicts),
    )
