"""Gate-aware steps of an action: which gates refuse a step, which halt an action in flight, and the error
that names them. Gate results come in as values (`GateBlock`); this module never evaluates a gate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ilos.domain.cases import (
    ADVERSE_STEPS,
    OPEN_ACTION_STATES,
    ActionFacts,
    ActionState,
    ActionStep,
    GateBlock,
    VerificationKind,
    next_action_state,
)
from ilos.errors import ConflictError, FieldProblem, GateBlockedError

# From these states on, an action is one step from adverse effect: a doubt about identity halts it too.
_COMMITTED_STATES = frozenset({ActionState.APPROVED, ActionState.LOCKED})


@dataclass(frozen=True, slots=True)
class StepDecision:
    """Where a step leads and the gates that refuse it (none: go ahead)."""

    step: ActionStep
    target: ActionState
    blocking: tuple[GateBlock, ...]

    @property
    def allowed(self) -> bool:
        return not self.blocking

    @property
    def halts(self) -> bool:
        """A refused step on an action in flight halts it; a refused creation or reopening has nothing to halt."""
        return bool(self.blocking) and self.step not in (ActionStep.CREATE, ActionStep.REOPEN)


def blocks_that_matter(
    state: ActionState, step: ActionStep, blocks: Sequence[GateBlock]
) -> tuple[GateBlock, ...]:
    """Legal gates always matter. A gate a verification settles (identity) matters once the action is adverse
    or about to be: before that, verifying it is exactly the work still to do."""
    if step in ADVERSE_STEPS or state in _COMMITTED_STATES:
        return tuple(blocks)
    return tuple(b for b in blocks if not b.needs_verification)


def decide_creation(blocks: Sequence[GateBlock]) -> StepDecision:
    """A new action starts planned unless a legal gate already blocks adverse action on the subject."""
    return StepDecision(
        ActionStep.CREATE,
        ActionState.PLANNED,
        blocks_that_matter(ActionState.PLANNED, ActionStep.CREATE, blocks),
    )


def decide_step(action: ActionFacts, step: ActionStep, blocks: Sequence[GateBlock]) -> StepDecision:
    """The state `step` leads to and the gates (re-checked now, by the caller) that refuse it.

    Cancelling is never refused: it ends adverse action. Adverse steps (approve, lock, execute) also need
    both human verifications on record: no adverse action rests on raw match results."""
    target = next_action_state(action, step)
    if step is ActionStep.CANCEL:
        return StepDecision(step, target, ())
    if step in ADVERSE_STEPS and not action.is_fully_verified:
        missing = [k.value for k in VerificationKind if action.verified(k) is None]
        raise ConflictError(
            f"Action {action.action_id} cannot {step.value}: {' and '.join(missing)} not yet verified by a person; "
            "record the verification with its evidence first"
        )
    return StepDecision(step, target, blocks_that_matter(action.state, step, blocks))


def decide_recheck(action: ActionFacts, blocks: Sequence[GateBlock]) -> StepDecision:
    """The near-real-time re-check of an open action: any gate that matters in its state halts it."""
    if action.state not in OPEN_ACTION_STATES:
        return StepDecision(ActionStep.RECHECK, action.state, ())
    blocking = blocks_that_matter(action.state, ActionStep.RECHECK, blocks)
    return StepDecision(ActionStep.RECHECK, ActionState.HALTED if blocking else action.state, blocking)


def gate_error(action_label: str, decision: StepDecision) -> GateBlockedError:
    """The refusal a person reads: which gate, why, and (when halted) that the halt was recorded."""
    gates = "; ".join(b.describe() for b in decision.blocking)
    halted = " The action is halted and its owner alerted." if decision.halts else ""
    problems = [FieldProblem(f"gate.{b.gate}", b.reason) for b in decision.blocking]
    return GateBlockedError(f"{action_label}: {decision.step.value} refused by {gates}.{halted}", problems)
