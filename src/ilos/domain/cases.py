"""Cases and actions as plain state machines: which step may follow which, and what a human verification
records. Nothing here reads a gate or a database; `ilos.operations.actions` decides gate-aware steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ilos.errors import ConflictError, FieldProblem, InvalidInputError


class CaseState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class CaseStep(StrEnum):
    ASSIGN = "assign"
    NOTE = "note"
    ADD_SUBJECT = "add_subject"
    CLOSE = "close"


class ActionKind(StrEnum):
    ARREST_PLAN = "arrest_plan"  # a planned arrest or encounter
    DETENTION_PLACEMENT = "detention_placement"
    MANIFEST_ENTRY = "manifest_entry"
    REMOVAL = "removal"


class ActionState(StrEnum):
    PLANNED = "planned"  # created; gates passed; human verification still to come
    VERIFIED = "verified"  # identity and legal status verified by a person, with evidence
    APPROVED = "approved"  # a supervisor approved it
    LOCKED = "locked"  # manifest entries only: the manifest is locked
    EXECUTED = "executed"
    HALTED = "halted"  # a gate appeared after planning; recorded with the gate and its reason
    CANCELLED = "cancelled"


class ActionStep(StrEnum):
    CREATE = "create"
    VERIFY_IDENTITY = "verify_identity"
    VERIFY_LEGAL_STATUS = "verify_legal_status"
    APPROVE = "approve"
    LOCK = "lock"
    EXECUTE = "execute"
    CANCEL = "cancel"
    REOPEN = "reopen"  # a halted action goes back to planned; every verification must be made again
    RECHECK = "recheck"  # not a user step: the near-real-time path re-evaluating gates


class VerificationKind(StrEnum):
    IDENTITY = "identity"
    LEGAL_STATUS = "legal_status"


TERMINAL_ACTION_STATES = frozenset({ActionState.EXECUTED, ActionState.CANCELLED})
OPEN_ACTION_STATES = frozenset(
    {ActionState.PLANNED, ActionState.VERIFIED, ActionState.APPROVED, ActionState.LOCKED}
)
ADVERSE_STEPS = frozenset({ActionStep.APPROVE, ActionStep.LOCK, ActionStep.EXECUTE})

_VERIFY_STEPS = {
    ActionStep.VERIFY_IDENTITY: VerificationKind.IDENTITY,
    ActionStep.VERIFY_LEGAL_STATUS: VerificationKind.LEGAL_STATUS,
}


@dataclass(frozen=True, slots=True)
class Verification:
    """A person's statement that they checked the identity or the legal status, when, and on what evidence.

    `covers` is the identity gate's evidence when the identity was verified (weak links, conflicts, candidate
    matches): the verification settles that gate only while its evidence stays within what was seen."""

    kind: VerificationKind
    verified_by: str
    at: datetime
    evidence: tuple[str, ...]
    note: str = ""
    covers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GateBlock:
    """A gate that blocks adverse action now, as the policy stage reported it (passed in as a value).

    `needs_verification` marks gates a human verification can settle (identity), as opposed to the law;
    `records` the records ("source:record_id") whose values the reason and evidence show, so each reader can
    be shown them as the reader's purpose may (None: not known, taken to rest on every withheld record)."""

    gate: str
    reason: str
    evidence: tuple[str, ...] = ()
    needs_verification: bool = False
    records: tuple[str, ...] | None = None

    def describe(self) -> str:
        return f"gate {self.gate}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ActionFacts:
    """What the state machine needs to know about one action."""

    action_id: str
    kind: ActionKind
    state: ActionState
    planned_by: str
    verifications: tuple[Verification, ...] = ()

    def verified(self, kind: VerificationKind) -> Verification | None:
        found = [v for v in self.verifications if v.kind == kind]
        return max(found, key=lambda v: v.at) if found else None

    @property
    def is_fully_verified(self) -> bool:
        return all(self.verified(k) is not None for k in VerificationKind)


def next_case_state(state: CaseState, step: CaseStep) -> CaseState:
    """Every case step needs an open case; closing is the only step that changes its state."""
    if state is CaseState.CLOSED:
        raise ConflictError(f"The case is closed; {step.value} is not possible on a closed case")
    return CaseState.CLOSED if step is CaseStep.CLOSE else CaseState.OPEN


def next_action_state(action: ActionFacts, step: ActionStep) -> ActionState:
    """The state `step` leads to, or a ConflictError naming the state and the steps it allows."""
    target = _target(action, step)
    if target is None:
        allowed = ", ".join(s.value for s in allowed_steps(action)) or "none"
        raise ConflictError(
            f"Action {action.action_id} ({action.kind.value}) is {action.state.value}; "
            f"{step.value} is not possible now (possible: {allowed})"
        )
    return target


def allowed_steps(action: ActionFacts) -> tuple[ActionStep, ...]:
    user_steps = [s for s in ActionStep if s not in (ActionStep.CREATE, ActionStep.RECHECK)]
    return tuple(s for s in user_steps if _target(action, s) is not None)


def _target(action: ActionFacts, step: ActionStep) -> ActionState | None:
    state, kind = action.state, action.kind
    if step is ActionStep.CANCEL:
        return ActionState.CANCELLED if state not in TERMINAL_ACTION_STATES else None
    if step is ActionStep.REOPEN:
        return ActionState.PLANNED if state is ActionState.HALTED else None
    if step in _VERIFY_STEPS:
        if state not in (ActionState.PLANNED, ActionState.VERIFIED):
            return None
        others = [v for v in action.verifications if v.kind != _VERIFY_STEPS[step]]
        return ActionState.VERIFIED if others else ActionState.PLANNED
    if step is ActionStep.APPROVE:
        return ActionState.APPROVED if state is ActionState.VERIFIED else None
    if step is ActionStep.LOCK:
        ok = state is ActionState.APPROVED and kind is ActionKind.MANIFEST_ENTRY
        return ActionState.LOCKED if ok else None
    if step is ActionStep.EXECUTE:
        ready = ActionState.LOCKED if kind is ActionKind.MANIFEST_ENTRY else ActionState.APPROVED
        return ActionState.EXECUTED if state is ready else None
    return None


def verification_for(step: ActionStep) -> VerificationKind | None:
    return _VERIFY_STEPS.get(step)


def check_verification(action: ActionFacts, verification: Verification) -> None:
    """A verification needs evidence — every item saying what was checked, none blank — and a second person:
    the planner cannot verify their own plan."""
    blank = [
        FieldProblem(f"evidence[{i}]", "blank") for i, e in enumerate(verification.evidence) if not e.strip()
    ]
    if not verification.evidence or blank:
        what = "none given" if not verification.evidence else f"{len(blank)} blank item(s)"
        raise InvalidInputError(
            f"A {verification.kind.value} verification needs evidence (documents or records checked, each "
            f"named); {what}",
            blank or [FieldProblem("evidence", "name the documents or records checked")],
        )
    if verification.verified_by == action.planned_by:
        raise ConflictError(
            f"{verification.verified_by} planned action {action.action_id} and cannot also verify its "
            f"{verification.kind.value}; another person must verify"
        )


def check_approval(action: ActionFacts, approver: str) -> None:
    """Separation of duties: whoever verified the identity or the legal status on record cannot also approve
    the action (as the planner cannot verify it) — an approval is a second person's check of the verifications."""
    verified = [k.value for k in VerificationKind if (v := action.verified(k)) and v.verified_by == approver]
    if verified:
        raise ConflictError(
            f"{approver} verified the {' and '.join(verified)} of action {action.action_id} and cannot also "
            "approve it; another supervisor must approve"
        )
