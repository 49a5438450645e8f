"""Actions through the store: gates re-checked at every step, halts recorded with alerts, all audited."""

from __future__ import annotations

import pytest
from gates_fake import FakeGates
from sqlalchemy import select

from ilos.domain.cases import ActionKind, ActionStep
from ilos.errors import ConflictError, GateBlockedError, InvalidInputError, PermissionDeniedError
from ilos.policy.results import GateId
from ilos.services import case_actions, cases
from ilos.services.access import Caller, Purpose, Role
from ilos.services.case_actions import ActionRequest, StepRequest
from ilos.services.operations_alerts import my_alerts
from ilos.services.store_access import Store
from ilos.store.operations_tables import ActionHaltRow, AlertRow
from ilos.store.tables import AuditEventRow

PLANNER = Caller("planner", frozenset({Role.logistics_planner}), Purpose.removal_logistics, "test")
SUPERVISOR = Caller("sup", frozenset({Role.supervisor}), Purpose.removal_logistics, "test")
APPROVER = Caller("sup2", frozenset({Role.supervisor}), Purpose.removal_logistics, "test")
ANALYST = Caller("analyst", frozenset({Role.analyst}), Purpose.case_investigation, "test")
OVERSIGHT = Caller("watcher", frozenset({Role.oversight}), Purpose.oversight, "test")
SUBJECT = "S1"


@pytest.fixture
def gates() -> FakeGates:
    fake = FakeGates()
    fake.block(SUBJECT, GateId.IDENTITY, "needs verification: 1 record linked below 0.9")
    return fake


def _locked_manifest_entry(store: Store, gates: FakeGates) -> str:
    action = case_actions.create_action(
        store, PLANNER, ActionRequest(SUBJECT, ActionKind.MANIFEST_ENTRY, destination_country="MX"), gates
    )
    for step, evidence in [
        (ActionStep.VERIFY_IDENTITY, ("passport P123 compared with booking photo",)),
        (ActionStep.VERIFY_LEGAL_STATUS, ("final order court_cases:C1 read; no stay on docket",)),
        (ActionStep.APPROVE, ()),
        (ActionStep.LOCK, ()),
    ]:
        caller = {ActionStep.LOCK: PLANNER, ActionStep.APPROVE: APPROVER}.get(step, SUPERVISOR)
        case_actions.step_action(store, caller, action.action_id, StepRequest(step, evidence), gates)
    return action.action_id


def _audit(store: Store, action: str) -> list[AuditEventRow]:
    with store.transaction() as session:
        return list(session.scalars(select(AuditEventRow).where(AuditEventRow.action == action)))


def test_manifest_entry_goes_from_plan_to_execution_with_gates_checked_each_step(
    store: Store, gates: FakeGates
) -> None:
    action_id = _locked_manifest_entry(store, gates)
    done = case_actions.step_action(store, PLANNER, action_id, StepRequest(ActionStep.EXECUTE), gates)
    assert done.state == "executed"
    assert {v.kind.value for v in done.verifications} == {"identity", "legal_status"}
    assert all(v.verified_by == "sup" and v.evidence for v in done.verifications)
    # the identity gate's evidence when identity was verified is stored with the verification
    assert [v.covers for v in done.verifications if v.kind.value == "identity"] == [
        ("identity_needs_verification evidence",)
    ]
    # creation, identity verification (the gate's evidence, then gates with the verification covering it),
    # legal-status verification, approval, lock, execution
    assert len(gates.calls) == 7
    assert [e.outcome for e in _audit(store, "action.execute")] == ["ok"]
    assert f"{len(GateId)} gates checked" in _audit(store, "action.lock")[0].detail


def test_stay_after_manifest_lock_refuses_execution_records_halt_and_alerts(
    store: Store, gates: FakeGates
) -> None:
    case = cases.open_case(store, ANALYST, "Removal of S1", [SUBJECT])
    action_id = _locked_manifest_entry(store, gates)
    gates.block(SUBJECT, GateId.STAY, "judicial stay of removal in effect")
    with pytest.raises(GateBlockedError) as refused:
        case_actions.step_action(store, PLANNER, action_id, StepRequest(ActionStep.EXECUTE), gates)
    assert refused.value.problems[0].location == "gate.stay_in_effect"
    assert "judicial stay" in refused.value.message
    view = case_actions.read_action(store, SUPERVISOR, action_id)
    assert view.state == "halted"
    assert [(h.gate, h.step, h.from_state) for h in view.halts] == [("stay_in_effect", "execute", "locked")]
    with store.transaction() as session:
        alerts = session.scalars(select(AlertRow).where(AlertRow.object_id == action_id)).all()
    assert {a.recipient for a in alerts} == {"planner", "analyst"}  # owner, and the case holding S1
    assert case.case_id and all([g["gate"] for g in a.gates or ()] == ["stay_in_effect"] for a in alerts)
    assert [e.outcome for e in _audit(store, "action.execute")] == ["halted"]
    assert any("stay_in_effect" in a.message for a in my_alerts(store, PLANNER))


def test_halted_action_reopens_only_when_the_gate_lifts_and_needs_fresh_verification(
    store: Store, gates: FakeGates
) -> None:
    action_id = _locked_manifest_entry(store, gates)
    gates.block(SUBJECT, GateId.STAY, "administrative stay of removal in effect")
    with pytest.raises(GateBlockedError):
        case_actions.step_action(store, PLANNER, action_id, StepRequest(ActionStep.EXECUTE), gates)
    with pytest.raises(GateBlockedError, match="reopen refused by gate stay_in_effect"):
        case_actions.step_action(store, SUPERVISOR, action_id, StepRequest(ActionStep.REOPEN), gates)
    assert [e.outcome for e in _audit(store, "action.reopen")] == ["refused"]
    gates.clear(SUBJECT, GateId.STAY)
    reopened = case_actions.step_action(store, SUPERVISOR, action_id, StepRequest(ActionStep.REOPEN), gates)
    assert reopened.state == "planned" and reopened.verifications == ()


def test_creation_refused_when_a_legal_gate_blocks(store: Store, gates: FakeGates) -> None:
    gates.block(SUBJECT, GateId.CITIZENSHIP, "records suggest US citizenship (BIRTH_RECORD)")
    with pytest.raises(GateBlockedError, match="us_citizenship_signal"):
        case_actions.create_action(store, PLANNER, ActionRequest(SUBJECT, ActionKind.ARREST_PLAN), gates)
    assert [e.outcome for e in _audit(store, "action.create")] == ["refused"]


def test_recheck_subject_halts_every_open_action_and_alerts_holders(store: Store, gates: FakeGates) -> None:
    first = _locked_manifest_entry(store, gates)
    second = case_actions.create_action(store, ANALYST, ActionRequest(SUBJECT, ActionKind.ARREST_PLAN), gates)
    other = case_actions.create_action(store, ANALYST, ActionRequest("S2", ActionKind.ARREST_PLAN), gates)
    gates.block(SUBJECT, GateId.APPEAL, "an appeal or petition is pending")
    with store.transaction() as session:
        halts = case_actions.recheck_subject(session, SUBJECT, "appeal filed (court_cases:C7)", gates)
    assert len(halts) == 2 and {h.gate for h in halts} == {"appeal_pending_or_open"}
    states = {a: case_actions.read_action(store, SUPERVISOR, a).state for a in (first, second.action_id)}
    assert states == {first: "halted", second.action_id: "halted"}
    assert case_actions.read_action(store, SUPERVISOR, other.action_id).state == "planned"
    with store.transaction() as session:
        recorded = session.scalars(select(ActionHaltRow)).all()
        recipients = set(session.scalars(select(AlertRow.recipient)))
    assert {h.trigger for h in recorded} == {"recheck: appeal filed (court_cases:C7)"}
    assert recipients == {"planner", "analyst"}
    assert [e.result_count for e in _audit(store, "action.recheck") if e.object_type == "subject"] == [2]


def test_a_planner_cannot_verify_and_an_analyst_cannot_approve(store: Store, gates: FakeGates) -> None:
    action = case_actions.create_action(store, SUPERVISOR, ActionRequest(SUBJECT, ActionKind.REMOVAL), gates)
    evidence = StepRequest(ActionStep.VERIFY_IDENTITY, ("passport",))
    with pytest.raises(ConflictError, match="another person must verify"):
        case_actions.step_action(store, SUPERVISOR, action.action_id, evidence, gates)
    with pytest.raises(PermissionDeniedError):
        case_actions.step_action(store, ANALYST, action.action_id, StepRequest(ActionStep.APPROVE), gates)
    with pytest.raises(PermissionDeniedError):
        case_actions.read_action(
            store, Caller("x", frozenset({Role.admin}), Purpose.administration, "t"), "nope"
        )
    outcomes = sorted(
        e.outcome for e in _audit(store, "action.verify_identity") + _audit(store, "action.approve")
    )
    assert outcomes == ["denied", "refused"]


def test_blank_evidence_and_an_approval_by_a_verifier_are_refused_and_audited(
    store: Store, gates: FakeGates
) -> None:
    action = case_actions.create_action(store, PLANNER, ActionRequest(SUBJECT, ActionKind.REMOVAL), gates)
    for step, evidence in [(ActionStep.VERIFY_IDENTITY, ("",)), (ActionStep.VERIFY_LEGAL_STATUS, ("   ",))]:
        with pytest.raises(InvalidInputError, match="blank item"):
            case_actions.step_action(store, SUPERVISOR, action.action_id, StepRequest(step, evidence), gates)
    assert case_actions.read_action(store, SUPERVISOR, action.action_id, gates).verifications == ()
    for step, evidence in [
        (ActionStep.VERIFY_IDENTITY, ("passport P123 compared with booking photo",)),
        (ActionStep.VERIFY_LEGAL_STATUS, ("final order court_cases:C1 read; no stay on docket",)),
    ]:
        case_actions.step_action(store, SUPERVISOR, action.action_id, StepRequest(step, evidence), gates)
    with pytest.raises(ConflictError, match="cannot also approve"):
        case_actions.step_action(store, SUPERVISOR, action.action_id, StepRequest(ActionStep.APPROVE), gates)
    approved = case_actions.step_action(
        store, APPROVER, action.action_id, StepRequest(ActionStep.APPROVE), gates
    )
    assert approved.state == "approved"
    assert [e.outcome for e in _audit(store, "action.approve")] == ["refused", "ok"]
    assert [e.outcome for e in _audit(store, "action.verify_identity")] == ["refused", "ok"]
