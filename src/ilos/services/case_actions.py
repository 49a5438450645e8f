"""Use cases of actions: plan, verify, approve, lock, execute, cancel and reopen an action, re-checking the
gates at every step; halting (with a recorded halt and alerts) when a gate appears mid-way; and
`recheck_subject`, which the near-real-time path calls when a subject changes (it re-checks the subject's
open actions and its seats on locked transport manifests)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session

from ilos.config import load_settings
from ilos.domain.cases import (
    OPEN_ACTION_STATES,
    ActionFacts,
    ActionKind,
    ActionState,
    ActionStep,
    GateBlock,
    Verification,
    VerificationKind,
    check_approval,
    check_verification,
    verification_for,
)
from ilos.domain.countries import US_SOIL, country_code
from ilos.errors import FieldProblem, IlosError, InvalidInputError, NotFoundError
from ilos.operations.actions import StepDecision, decide_creation, decide_recheck, decide_step, gate_error
from ilos.services import action_gates, manifest_checks, stored_gates
from ilos.services.access import ENFORCEMENT_READING, ENFORCEMENT_WORK, Caller, Purpose, Role
from ilos.services.action_gates import GateSource
from ilos.services.audit_log import Action, new_id, record, record_alone, require_role
from ilos.services.legal_store import recorded_reviews
from ilos.services.operations_alerts import holders_of, write_alerts
from ilos.services.store_access import Store
from ilos.store.operations_tables import ActionHaltRow, ActionRow, ActionVerificationRow, CaseRow

PLANNERS = frozenset({Role.analyst, Role.supervisor, Role.logistics_planner})
STEP_ROLES: dict[ActionStep, frozenset[Role]] = {
    ActionStep.VERIFY_IDENTITY: frozenset({Role.supervisor}),
    ActionStep.VERIFY_LEGAL_STATUS: frozenset({Role.supervisor}),
    ActionStep.APPROVE: frozenset({Role.supervisor}),
    ActionStep.LOCK: frozenset({Role.supervisor, Role.logistics_planner}),
    ActionStep.EXECUTE: frozenset({Role.supervisor, Role.logistics_planner}),
    ActionStep.CANCEL: PLANNERS,
    ActionStep.REOPEN: frozenset({Role.supervisor}),
}
SYSTEM = Caller("system:recheck", frozenset(), Purpose.removal_logistics, "internal")


@dataclass(frozen=True, slots=True)
class ActionRequest:
    subject_id: str
    kind: ActionKind
    case_id: str | None = None
    destination_country: str | None = None
    planned_for: date | None = None


@dataclass(frozen=True, slots=True)
class StepRequest:
    step: ActionStep
    evidence: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class HaltView:
    gate: str
    reason: str
    evidence: tuple[str, ...]
    step: str
    from_state: str
    trigger: str
    halted_by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ActionView:
    action_id: str
    subject_id: str
    kind: str
    state: str
    case_id: str | None
    planned_by: str
    destination_country: str | None
    planned_for: date | None
    verifications: tuple[Verification, ...]
    halts: tuple[HaltView, ...]
    last_gates: tuple[dict[str, Any], ...]
    last_checked_at: datetime


def create_action(
    store: Store, caller: Caller, request: ActionRequest, gates: GateSource | None = None
) -> ActionView:
    """Plan an action; refused (409 gate_blocked, audited) if a legal gate already blocks the subject. The
    refusal and the audit line show the gates as the caller's purpose may see them (`action_gates.shown_to`);
    the gates kept on the action are stored as decided and shown to each reader as theirs may
    (`stored_gates`)."""
    audit = Action("action.create", "action", (request.subject_id,), query={"kind": request.kind.value})
    require_role(store, caller, PLANNERS, audit, ENFORCEMENT_WORK)
    try:
        request = replace(request, destination_country=destination_code(request.destination_country))
    except InvalidInputError as exc:
        _refuse(store, caller, audit, exc)
    source = gates or action_gates.gate_source_for(store)
    with store.transaction() as session:
        recorded = recorded_reviews(session, [request.subject_id]).get(request.subject_id, ())
    results = source(request.subject_id, request.destination_country, recorded)
    shown = action_gates.shown_to(source, caller, request.subject_id, results)  # same verdicts, shown
    decision = decide_creation(action_gates.blocks_of(shown))
    if not decision.allowed:
        error = gate_error(f"Action {request.kind.value} on {request.subject_id}", decision)
        _refuse(store, caller, audit, error)
    now = datetime.now(UTC)
    with store.transaction() as session:
        if request.case_id is not None and session.get(CaseRow, request.case_id) is None:
            raise NotFoundError(f"No case {request.case_id!r}; open one with POST /api/v1/cases")
        row = ActionRow(
            id=new_id(),
            case_id=request.case_id,
            subject_id=request.subject_id,
            kind=request.kind.value,
            state=ActionState.PLANNED.value,
            planned_by=caller.actor,
            destination_country=request.destination_country,
            planned_for=request.planned_for,
            created_at=now,
            updated_at=now,
            last_checked_at=now,
            last_gates=stored_gates.kept_gates(results),
        )
        session.add(row)
        session.flush()
        ids = (row.id, row.subject_id)
        record(
            session,
            caller,
            Action("action.create", "action", ids, detail=action_gates.checked_summary(shown)),
        )
        return _view(session, row, stored_gates.hidden_for(source, caller, row.subject_id))


def destination_code(value: str | None) -> str | None:
    """A destination as the ISO 3166-1 alpha-3 code the protections are compared in ("col", " COL ",
    "Colombia", "CO" → COL); blank is no destination (the order's country applies). Anything that names no
    known country is refused, as are the United States and its territories (no one is removed to them)."""
    if value is None or not value.strip():
        return None
    code = country_code(value)
    if code is None or code in US_SOIL:
        shown = repr(value.strip()[:40])
        why = (
            f"is {code}, the United States or a US territory: no removal destination"
            if code
            else "names no known country"
        )
        problem = FieldProblem(
            "destination_country", f"{shown} {why}; give an ISO 3166-1 alpha-3 code, e.g. COL for Colombia"
        )
        raise InvalidInputError("The destination country was refused; nothing was planned", [problem])
    return code


def step_action(
    store: Store, caller: Caller, action_id: str, request: StepRequest, gates: GateSource | None = None
) -> ActionView:
    """Take one step; gates are re-checked now. A gate that blocks an action in flight halts it (halt and
    alerts committed with the audit event) and the step is refused with the gate and its reason, as the
    caller's purpose may see it; the halt and its alerts keep the gate as decided (`stored_gates`)."""
    audit = Action(f"action.{request.step.value}", "action", (action_id,))
    require_role(store, caller, STEP_ROLES.get(request.step, frozenset()), audit, ENFORCEMENT_WORK)
    source = gates or action_gates.gate_source_for(store)
    refusal: IlosError | None = None
    halted = False
    with store.transaction() as session:
        row = _get(session, action_id)
        facts = _facts(session, row)
        try:
            verification = _verification(facts, caller, request)
            if request.step is ActionStep.APPROVE:
                check_approval(facts, caller.actor)
            results, verification = action_gates.gates_for_action(session, source, row, facts, verification)
            shown = action_gates.shown_to(source, caller, row.subject_id, results)  # same verdicts, shown
            decision = decide_step(facts, request.step, action_gates.blocks_of(shown))
        except IlosError as exc:
            refusal = exc
        else:
            row.last_gates, row.last_checked_at = stored_gates.kept_gates(results), datetime.now(UTC)
            if decision.halts:
                trigger = f"{request.step.value} by {caller.actor}"
                refusal = _halt(session, caller, row, decision, trigger, action_gates.blocks_of(results))
                halted = True
            elif not decision.allowed:
                refusal = gate_error(_label(row), decision)
            else:
                _apply(session, row, decision, verification)
                ids = (row.id, row.subject_id)
                record(
                    session,
                    caller,
                    Action(audit.name, "action", ids, detail=action_gates.checked_summary(shown)),
                )
                return _view(session, row, stored_gates.hidden_for(source, caller, row.subject_id))
    assert refusal is not None
    if halted:  # the halt, its alerts and its audit event are committed; the step itself is refused
        raise refusal
    _refuse(store, caller, audit, refusal)


def read_action(store: Store, caller: Caller, action_id: str, gates: GateSource | None = None) -> ActionView:
    """One action; its halts and kept gates as the caller's purpose may see them now (`stored_gates`)."""
    audit = Action("action.read", "action", (action_id,))
    require_role(store, caller, PLANNERS | {Role.oversight}, audit, ENFORCEMENT_READING)
    source = gates or action_gates.gate_source_for(store)
    with store.transaction() as session:
        row = _get(session, action_id)
        view = _view(session, row, stored_gates.hidden_for(source, caller, row.subject_id))
        record(session, caller, Action("action.read", "action", (action_id, view.subject_id)))
    return view


def recheck_subject(
    session: Session, subject_id: str, reason: str, gates: GateSource | None = None
) -> list[HaltView]:
    """Re-evaluate gates for every open action on the subject (in the caller's transaction) and halt those
    now blocked, alerting their owners and everyone holding the subject. The recheck has no purpose: what it
    keeps (gates, halts, alerts) is the gates as decided, shown to each reader as theirs may see them, and
    what it writes or returns as text (its audit lines, the halts written) names none of the records.
    Then every locked transport manifest yet to depart is checked for the subject's A-numbers: anyone on
    one whom a gate blocks now is taken off it (`manifest_checks.recheck_locked_seats`)."""
    source = gates or action_gates.linkage_gates(load_settings().home)
    rows = session.scalars(
        select(ActionRow)
        .where(ActionRow.subject_id == subject_id, ActionRow.state.in_([s.value for s in OPEN_ACTION_STATES]))
        .order_by(ActionRow.created_at, ActionRow.id)
    ).all()
    halts: list[HaltView] = []
    for row in rows:
        facts = _facts(session, row)
        results, _ = action_gates.gates_for_action(session, source, row, facts, None)
        row.last_gates, row.last_checked_at = stored_gates.kept_gates(results), datetime.now(UTC)
        decision = decide_recheck(facts, action_gates.blocks_of(results))
        if decision.halts:
            _halt_unnamed(session, row, decision, f"recheck: {reason}")
            written = _view(session, row, stored_gates.hidden_for_nobody).halts
            halts.extend(h for h in written if h.trigger == f"recheck: {reason}")
    query = {"reason": reason, "open_actions": len(rows)}
    record(
        session,
        SYSTEM,
        Action("action.recheck", "subject", (subject_id,), query=query, result_count=len(halts)),
    )
    manifest_checks.recheck_locked_seats(session, subject_id, reason, source)
    return halts


def halt_action(session: Session, row: ActionRow, blocks: Sequence[GateBlock], trigger: str) -> None:
    """Halt an open action for a reason found outside its gates (its subject was split), in the caller's
    transaction: recorded, owner and holders alerted, audited, as a gate's halt is."""
    _halt_unnamed(session, row, StepDecision(ActionStep.RECHECK, ActionState.HALTED, tuple(blocks)), trigger)


def _halt_unnamed(session: Session, row: ActionRow, decision: StepDecision, trigger: str) -> None:
    """A halt by the recheck (SYSTEM, no purpose): kept as decided; its audit line names none of the records."""
    unnamed = stored_gates.blocks_as_shown(decision.blocking, stored_gates.hidden_for_nobody)
    _halt(session, SYSTEM, row, replace(decision, blocking=unnamed), trigger, decision.blocking)


def _halt(
    session: Session,
    caller: Caller,
    row: ActionRow,
    decision: StepDecision,
    trigger: str,
    decided: Sequence[GateBlock],
) -> IlosError:
    """Record the halt (one row per blocking gate), alert the owner and every holder, audit; return the error.
    `decision` holds the gates as the acting caller may see them (its audit line, its refusal); the halt and
    alerts keep them as `decided` (the same gates, with the records they rest on), for each reader to be
    shown as the reader's purpose may see them."""
    now = datetime.now(UTC)
    from_state = row.state
    kept = {b.gate: b for b in decided}
    blocking = [kept.get(b.gate, b) for b in decision.blocking]
    for block in blocking:
        session.add(
            ActionHaltRow(
                id=new_id(),
                action_id=row.id,
                subject_id=row.subject_id,
                step=decision.step.value,
                from_state=from_state,
                gate=block.gate,
                reason=block.reason,
                evidence=list(block.evidence),
                trigger=trigger,
                halted_by=caller.actor,
                at=now,
                records=None if block.records is None else list(block.records),
            )
        )
    row.state, row.updated_at = ActionState.HALTED.value, now
    headline = f"{_label(row)} halted at {decision.step.value}"
    recipients = {row.planned_by} | holders_of(session, row.subject_id)
    alerted = write_alerts(
        session,
        recipients,
        stored_gates.HALT_ALERT,
        ("action", row.id),
        row.subject_id,
        headline,
        now,
        stored_gates.alert_gates(blocking),
    )
    gates = "; ".join(b.describe() for b in decision.blocking)
    detail = f"{headline}: {gates}; alerted {', '.join(alerted)}"
    name = "action.recheck" if decision.step is ActionStep.RECHECK else f"action.{decision.step.value}"
    record(session, caller, Action(name, "action", (row.id, row.subject_id), outcome="halted", detail=detail))
    session.flush()
    return gate_error(_label(row), decision)


def _refuse(store: Store, caller: Caller, audit: Action, error: IlosError) -> NoReturn:
    """Audit a refused step in its own transaction (nothing else was written), then raise it."""
    refused = Action(
        audit.name, audit.object_type, audit.object_ids, audit.query, outcome="refused", detail=error.message
    )
    record_alone(store, caller, refused)
    raise error


def _apply(
    session: Session, row: ActionRow, decision: StepDecision, verification: Verification | None
) -> None:
    now = datetime.now(UTC)
    if decision.step is ActionStep.REOPEN:
        for old in session.scalars(
            select(ActionVerificationRow).where(ActionVerificationRow.action_id == row.id)
        ):
            old.superseded = True
    if verification is not None:
        session.add(
            ActionVerificationRow(
                id=new_id(),
                action_id=row.id,
                kind=verification.kind.value,
                verified_by=verification.verified_by,
                at=verification.at,
                evidence=list(verification.evidence),
                note=verification.note,
                superseded=False,
                covers=list(verification.covers),
            )
        )
    row.state, row.updated_at = decision.target.value, now
    session.flush()


def _verification(facts: ActionFacts, caller: Caller, request: StepRequest) -> Verification | None:
    kind = verification_for(request.step)
    if kind is None:
        return None
    made = Verification(kind, caller.actor, datetime.now(UTC), tuple(request.evidence), request.note)
    check_verification(facts, made)
    return made


def _label(row: ActionRow) -> str:
    return f"Action {row.id} ({row.kind} of {row.subject_id})"


def _get(session: Session, action_id: str) -> ActionRow:
    row = session.get(ActionRow, action_id)
    if row is None:
        raise NotFoundError(f"No action {action_id!r}; list a case's actions with GET /api/v1/cases/{{id}}")
    return row


def _verifications(session: Session, action_id: str) -> tuple[Verification, ...]:
    rows = session.scalars(
        select(ActionVerificationRow)
        .where(ActionVerificationRow.action_id == action_id, ActionVerificationRow.superseded.is_(False))
        .order_by(ActionVerificationRow.at)
    ).all()
    return tuple(
        Verification(
            VerificationKind(v.kind), v.verified_by, v.at, tuple(v.evidence), v.note, tuple(v.covers or ())
        )
        for v in rows
    )


def _facts(session: Session, row: ActionRow) -> ActionFacts:
    return ActionFacts(
        row.id, ActionKind(row.kind), ActionState(row.state), row.planned_by, _verifications(session, row.id)
    )


def _view(session: Session, row: ActionRow, hidden: stored_gates.Hidden) -> ActionView:
    """The action with its halts and kept gates as the reader `hidden` stands for may see them."""
    halts = session.scalars(
        select(ActionHaltRow)
        .where(ActionHaltRow.action_id == row.id)
        .order_by(ActionHaltRow.at, ActionHaltRow.gate)
    ).all()
    rested_on = [*(h.records for h in halts), *stored_gates.kept_records(row.last_gates)]
    withheld = stored_gates.hidden_among(hidden, rested_on)
    return ActionView(
        action_id=row.id,
        subject_id=row.subject_id,
        kind=row.kind,
        state=row.state,
        case_id=row.case_id,
        planned_by=row.planned_by,
        destination_country=row.destination_country,
        planned_for=row.planned_for,
        verifications=_verifications(session, row.id),
        halts=tuple(_halt_view(h, withheld) for h in halts),
        last_gates=stored_gates.kept_as_shown(row.last_gates, withheld),
        last_checked_at=row.last_checked_at,
    )


def _halt_view(h: ActionHaltRow, hidden: frozenset[str]) -> HaltView:
    reason, evidence = stored_gates.text_as_shown(h.reason, h.evidence, h.records, hidden)
    return HaltView(h.gate, reason, evidence, h.step, h.from_state, h.trigger, h.halted_by, h.at)
