"""Cases and actions for the web: the list of cases (audited), and each action with the steps its state
allows now. Opening, planning and stepping go through `cases` and `case_actions` unchanged (gates are
re-checked there, against the linkage under ILOS_HOME, at every step)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ilos.domain.cases import ActionFacts, ActionKind, ActionState, ActionStep, allowed_steps
from ilos.errors import GateBlockedError, IlosError
from ilos.services.access import ENFORCEMENT_READING, Caller
from ilos.services.audit_log import Action, record_alone, require_role
from ilos.services.case_actions import STEP_ROLES, ActionView
from ilos.services.cases import CASE_READERS
from ilos.services.store_access import Store
from ilos.store.operations_tables import ActionRow, CaseRow, CaseSubjectRow

LIST_LIMIT = 200


@dataclass(frozen=True, slots=True)
class CaseLine:
    case_id: str
    title: str
    state: str
    opened_by: str
    opened_at: datetime
    assignee: str | None
    subjects: int
    actions: int


@dataclass(frozen=True, slots=True)
class BlockedGate:
    gate: str  # the gate's id, e.g. no_final_order
    reason: str


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused step as the page shows it: the message and, when gates blocked it, each gate and why."""

    status: int
    message: str
    gates: tuple[BlockedGate, ...]


def list_cases(store: Store, caller: Caller) -> tuple[CaseLine, ...]:
    """The latest cases, newest first, with their subject and action counts; audited."""
    require_role(store, caller, CASE_READERS, Action("case.list", "case"), ENFORCEMENT_READING)
    subjects = (
        select(func.count()).where(CaseSubjectRow.case_id == CaseRow.id).correlate(CaseRow).scalar_subquery()
    )
    actions = select(func.count()).where(ActionRow.case_id == CaseRow.id).correlate(CaseRow).scalar_subquery()
    with store.transaction() as session:
        rows = session.execute(
            select(CaseRow, subjects, actions)
            .order_by(CaseRow.opened_at.desc(), CaseRow.id)
            .limit(LIST_LIMIT)
        ).all()
        lines = tuple(
            CaseLine(r.id, r.title, r.state, r.opened_by, r.opened_at, r.assignee, s, a) for r, s, a in rows
        )
    record_alone(store, caller, Action("case.list", "case", result_count=len(lines)))
    return lines


def steps_now(view: ActionView, caller: Caller) -> tuple[str, ...]:
    """The steps the state machine allows now that the caller's roles may take (gates are checked when taken)."""
    facts = ActionFacts(
        view.action_id, ActionKind(view.kind), ActionState(view.state), view.planned_by, view.verifications
    )
    return tuple(s.value for s in allowed_steps(facts) if caller.has_any(STEP_ROLES.get(s, ())))


def refusal_of(exc: IlosError) -> Refusal:
    """Which gates blocked the step (`gate.<id>` problems of a GateBlockedError) and why."""
    gates: tuple[BlockedGate, ...] = ()
    if isinstance(exc, GateBlockedError):
        gates = tuple(
            BlockedGate(p.location.removeprefix("gate."), p.message)
            for p in exc.problems
            if p.location.startswith("gate.")
        )
    return Refusal(exc.http_status, exc.message, gates)


ACTION_KINDS = tuple(k.value for k in ActionKind)
STEP_LABELS = {
    ActionStep.VERIFY_IDENTITY.value: "Verify identity",
    ActionStep.VERIFY_LEGAL_STATUS.value: "Verify legal status",
    ActionStep.APPROVE.value: "Approve",
    ActionStep.LOCK.value: "Lock manifest",
    ActionStep.EXECUTE.value: "Execute",
    ActionStep.CANCEL.value: "Cancel",
    ActionStep.REOPEN.value: "Reopen",
}
