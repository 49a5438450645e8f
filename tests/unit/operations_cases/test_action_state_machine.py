"""The action and case state machines, table-driven: every state, every step, and the gate rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ilos.domain.cases import (
    ActionFacts,
    ActionKind,
    ActionState,
    ActionStep,
    CaseState,
    CaseStep,
    GateBlock,
    Verification,
    VerificationKind,
    allowed_steps,
    check_approval,
    check_verification,
    next_action_state,
    next_case_state,
)
from ilos.errors import ConflictError, GateBlockedError, InvalidInputError
from ilos.operations.actions import decide_creation, decide_recheck, decide_step, gate_error

AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
IDENTITY = Verification(VerificationKind.IDENTITY, "sup", AT, ("passport P1 checked",))
LEGAL = Verification(VerificationKind.LEGAL_STATUS, "sup", AT, ("final order 2025-02-01 court_cases:C1",))
STAY = GateBlock("stay_in_effect", "judicial stay of removal in effect", ("stay 2026-11-02 court_cases:C9",))
WEAK_ID = GateBlock(
    "identity_needs_verification", "needs verification: 1 weak link", (), needs_verification=True
)
M, R = ActionKind.MANIFEST_ENTRY, ActionKind.REMOVAL
S = ActionState


def facts(state: ActionState, kind: ActionKind = M, verified: bool = True) -> ActionFacts:
    return ActionFacts("A1", kind, state, "planner", (IDENTITY, LEGAL) if verified else ())


TRANSITIONS = [
    # (kind, state, step, verifications, expected next state or None when impossible)
    (M, S.PLANNED, ActionStep.VERIFY_IDENTITY, (), S.PLANNED),
    (M, S.PLANNED, ActionStep.VERIFY_IDENTITY, (LEGAL,), S.VERIFIED),
    (M, S.PLANNED, ActionStep.VERIFY_LEGAL_STATUS, (IDENTITY,), S.VERIFIED),
    (M, S.VERIFIED, ActionStep.VERIFY_IDENTITY, (IDENTITY, LEGAL), S.VERIFIED),
    (M, S.PLANNED, ActionStep.APPROVE, (), None),
    (M, S.VERIFIED, ActionStep.APPROVE, (IDENTITY, LEGAL), S.APPROVED),
    (M, S.APPROVED, ActionStep.LOCK, (IDENTITY, LEGAL), S.LOCKED),
    (R, S.APPROVED, ActionStep.LOCK, (IDENTITY, LEGAL), None),
    (M, S.APPROVED, ActionStep.EXECUTE, (IDENTITY, LEGAL), None),
    (M, S.LOCKED, ActionStep.EXECUTE, (IDENTITY, LEGAL), S.EXECUTED),
    (R, S.APPROVED, ActionStep.EXECUTE, (IDENTITY, LEGAL), S.EXECUTED),
    (M, S.LOCKED, ActionStep.APPROVE, (IDENTITY, LEGAL), None),
    (M, S.PLANNED, ActionStep.CANCEL, (), S.CANCELLED),
    (M, S.LOCKED, ActionStep.CANCEL, (IDENTITY, LEGAL), S.CANCELLED),
    (M, S.HALTED, ActionStep.CANCEL, (), S.CANCELLED),
    (M, S.EXECUTED, ActionStep.CANCEL, (), None),
    (M, S.CANCELLED, ActionStep.REOPEN, (), None),
    (M, S.HALTED, ActionStep.REOPEN, (), S.PLANNED),
    (M, S.HALTED, ActionStep.EXECUTE, (IDENTITY, LEGAL), None),
    (M, S.EXECUTED, ActionStep.VERIFY_IDENTITY, (), None),
]


@pytest.mark.parametrize(("kind", "state", "step", "verifications", "expected"), TRANSITIONS)
def test_action_transitions(
    kind: ActionKind,
    state: ActionState,
    step: ActionStep,
    verifications: tuple[Verification, ...],
    expected: ActionState | None,
) -> None:
    action = ActionFacts("A1", kind, state, "planner", verifications)
    if expected is None:
        with pytest.raises(ConflictError, match=f"is {state.value}; {step.value} is not possible"):
            next_action_state(action, step)
        assert step not in allowed_steps(action)
    else:
        assert next_action_state(action, step) is expected


GATED = [
    # (state, step, blocks, expected blocking gate ids, halts)
    (S.PLANNED, ActionStep.VERIFY_IDENTITY, [WEAK_ID], (), False),  # verifying is the work to do
    (S.PLANNED, ActionStep.VERIFY_IDENTITY, [STAY], ("stay_in_effect",), True),
    (S.VERIFIED, ActionStep.APPROVE, [WEAK_ID], ("identity_needs_verification",), True),
    (S.VERIFIED, ActionStep.APPROVE, [], (), False),
    (S.APPROVED, ActionStep.LOCK, [STAY, WEAK_ID], ("stay_in_effect", "identity_needs_verification"), True),
    (S.LOCKED, ActionStep.EXECUTE, [STAY], ("stay_in_effect",), True),
    (S.LOCKED, ActionStep.CANCEL, [STAY], (), False),  # ending adverse action is never refused
    (S.HALTED, ActionStep.REOPEN, [STAY], ("stay_in_effect",), False),  # refused, nothing left to halt
    (S.HALTED, ActionStep.REOPEN, [WEAK_ID], (), False),
]


@pytest.mark.parametrize(("state", "step", "blocks", "gates", "halts"), GATED)
def test_gates_rechecked_at_every_step(
    state: ActionState, step: ActionStep, blocks: list[GateBlock], gates: tuple[str, ...], halts: bool
) -> None:
    decision = decide_step(facts(state), step, blocks)
    assert tuple(b.gate for b in decision.blocking) == gates
    assert decision.allowed is (not gates)
    assert decision.halts is halts


def test_stay_after_manifest_lock_refuses_execution_and_names_the_gate() -> None:
    decision = decide_step(facts(S.LOCKED), ActionStep.EXECUTE, [STAY])
    assert decision.halts
    error = gate_error("Action A1", decision)
    assert isinstance(error, GateBlockedError) and isinstance(error, ConflictError)
    assert error.http_status == 409 and error.code == "gate_blocked"
    assert "stay_in_effect" in error.message and "judicial stay" in error.message
    assert [(p.location, p.message) for p in error.problems] == [("gate.stay_in_effect", STAY.reason)]


@pytest.mark.parametrize("step", [ActionStep.APPROVE, ActionStep.LOCK, ActionStep.EXECUTE])
def test_no_adverse_step_without_both_verifications(step: ActionStep) -> None:
    state = {ActionStep.APPROVE: S.VERIFIED, ActionStep.LOCK: S.APPROVED, ActionStep.EXECUTE: S.LOCKED}[step]
    action = ActionFacts("A1", M, state, "planner", (IDENTITY,))
    with pytest.raises(ConflictError, match="legal_status not yet verified by a person"):
        decide_step(action, step, [])


@pytest.mark.parametrize(
    ("blocks", "allowed"), [([], True), ([WEAK_ID], True), ([STAY], False), ([STAY, WEAK_ID], False)]
)
def test_creation_is_refused_only_by_legal_gates(blocks: list[GateBlock], allowed: bool) -> None:
    decision = decide_creation(blocks)
    assert decision.allowed is allowed
    assert not decision.halts


@pytest.mark.parametrize(
    ("state", "blocks", "halted"),
    [
        (S.PLANNED, [WEAK_ID], False),
        (S.PLANNED, [STAY], True),
        (S.VERIFIED, [WEAK_ID], False),
        (S.APPROVED, [WEAK_ID], True),
        (S.LOCKED, [STAY], True),
        (S.LOCKED, [], False),
        (S.HALTED, [STAY], False),
        (S.EXECUTED, [STAY], False),
        (S.CANCELLED, [STAY], False),
    ],
)
def test_recheck_halts_open_actions_now_blocked(
    state: ActionState, blocks: list[GateBlock], halted: bool
) -> None:
    decision = decide_recheck(facts(state), blocks)
    assert decision.halts is halted
    assert decision.target is (S.HALTED if halted else state)


def test_planner_cannot_verify_their_own_plan() -> None:
    own = Verification(VerificationKind.IDENTITY, "planner", AT, ("passport",))
    with pytest.raises(ConflictError, match="another person must verify"):
        check_verification(facts(S.PLANNED, verified=False), own)


def test_verification_needs_evidence() -> None:
    bare = Verification(VerificationKind.LEGAL_STATUS, "sup", AT, ())
    with pytest.raises(InvalidInputError, match="needs evidence"):
        check_verification(facts(S.PLANNED, verified=False), bare)


@pytest.mark.parametrize("evidence", [("",), ("   ",), ("passport P1 checked", " \t")])
def test_verification_refuses_a_blank_evidence_item(evidence: tuple[str, ...]) -> None:
    blank = Verification(VerificationKind.IDENTITY, "sup", AT, evidence)
    with pytest.raises(InvalidInputError, match="blank item") as refused:
        check_verification(facts(S.PLANNED, verified=False), blank)
    assert [p.location for p in refused.value.problems] == [f"evidence[{len(evidence) - 1}]"]


@pytest.mark.parametrize("approver", ["sup", "sup-legal"])
def test_a_verifier_cannot_approve(approver: str) -> None:
    verified = ActionFacts(
        "A1",
        M,
        S.VERIFIED,
        "planner",
        (
            Verification(VerificationKind.IDENTITY, "sup", AT, ("passport",)),
            Verification(VerificationKind.LEGAL_STATUS, "sup-legal", AT, ("docket",)),
        ),
    )
    with pytest.raises(ConflictError, match=f"{approver} verified the .* cannot also approve"):
        check_approval(verified, approver)
    check_approval(verified, "another-supervisor")


@pytest.mark.parametrize(
    ("state", "step", "expected"),
    [
        (CaseState.OPEN, CaseStep.ASSIGN, CaseState.OPEN),
        (CaseState.OPEN, CaseStep.NOTE, CaseState.OPEN),
        (CaseState.OPEN, CaseStep.ADD_SUBJECT, CaseState.OPEN),
        (CaseState.OPEN, CaseStep.CLOSE, CaseState.CLOSED),
        (CaseState.CLOSED, CaseStep.NOTE, None),
        (CaseState.CLOSED, CaseStep.CLOSE, None),
    ],
)
def test_case_transitions(state: CaseState, step: CaseStep, expected: CaseState | None) -> None:
    if expected is None:
        with pytest.raises(ConflictError, match="closed"):
            next_case_state(state, step)
    else:
        assert next_case_state(state, step) is expected
