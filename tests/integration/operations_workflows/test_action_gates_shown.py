"""What an action's gates show its caller: a gate resting on a tax record the caller's purpose may not use
still refuses the action, but the refusal, the gates kept on the action, its halts and alerts, the audit
line and a plan manifest's reasons name neither the record nor its values (`action_gates.shown_to`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from gates_fake import ScenarioGates
from sqlalchemy import select

from ilos.domain.cases import ActionKind, ActionStep
from ilos.errors import GateBlockedError
from ilos.services import case_actions, plan_manifests
from ilos.services.a_numbers import a_number_key
from ilos.services.access import Caller, Purpose, Role
from ilos.services.case_actions import ActionRequest, StepRequest
from ilos.services.operations_alerts import my_alerts
from ilos.services.store_access import Store
from ilos.store.operations_tables import AlertRow
from ilos.store.tables import AuditEventRow

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "policy"))
from policy_scenarios import FINAL_ORDER, SUBJECT, TODAY, policy, subject

PLANNER = Caller("pat", frozenset({Role.logistics_planner}), Purpose.removal_logistics, "test")
SUPERVISOR = Caller("sam", frozenset({Role.supervisor}), Purpose.removal_logistics, "test")
TAX = "tax_addresses:T3"  # TAX-marked: no enforcement purpose may use it without a recorded authority
DAY = "2026-04-04"  # the tax record's date, which nothing else carries
TAX_STAY = f"{DAY} {TAX} stay case=C1 stay_type=JUDICIAL"
DOB_CONFLICT = ["date_of_birth=1980-01-02 court_cases:D1 2025-03-01", f"date_of_birth=1975-05-05 {TAX} {DAY}"]


def _gates(events: list[str], observations: list[str] = ()) -> ScenarioGates:  # type: ignore[assignment]
    return ScenarioGates({SUBJECT: subject(events, list(observations))}, policy(), TODAY)


def _audit_details(store: Store, action: str) -> str:
    with store.transaction() as session:
        rows = session.scalars(select(AuditEventRow).where(AuditEventRow.action == action)).all()
        return " ".join(r.detail or "" for r in rows)


def _assert_unnamed(text: str, *secrets: str) -> None:
    assert "tax_addresses:T" not in text
    for secret in secrets:
        assert secret not in text


def test_a_refusal_resting_on_a_tax_record_refuses_without_naming_it(store: Store) -> None:
    gates = _gates([FINAL_ORDER, TAX_STAY])
    assert [r for r in gates(SUBJECT, None, ()) if r.blocks and TAX in (r.records or ())]  # it rests on it
    with pytest.raises(GateBlockedError) as refused:
        case_actions.create_action(store, PLANNER, ActionRequest(SUBJECT, ActionKind.REMOVAL), gates)
    [problem] = refused.value.problems
    assert problem.location == "gate.stay_in_effect"  # still refused, by the stay
    assert "withheld for this purpose (tax_addresses)" in problem.message
    _assert_unnamed(f"{refused.value.message} {problem.message}", DAY)
    _assert_unnamed(_audit_details(store, "action.create"), DAY)


def test_a_blocking_identity_gate_on_a_tax_record_is_kept_and_audited_without_it(store: Store) -> None:
    gates = _gates([FINAL_ORDER], DOB_CONFLICT)
    action = case_actions.create_action(store, PLANNER, ActionRequest(SUBJECT, ActionKind.REMOVAL), gates)
    [identity] = [g for g in action.last_gates if g["gate"] == "identity_needs_verification"]
    assert identity["blocks"]  # the verification gate does not refuse planning, but still blocks
    _assert_unnamed(json.dumps(action.last_gates), "1975-05-05", DAY)
    audited = _audit_details(store, "action.create")
    assert "blocking: identity_needs_verification" in audited
    _assert_unnamed(audited, "1975-05-05", DAY)


def test_a_step_refused_and_halted_by_a_tax_record_shows_the_halt_without_it(store: Store) -> None:
    gates = _gates([FINAL_ORDER])
    action = case_actions.create_action(store, PLANNER, ActionRequest(SUBJECT, ActionKind.REMOVAL), gates)
    case_actions.step_action(
        store,
        SUPERVISOR,
        action.action_id,
        StepRequest(ActionStep.VERIFY_IDENTITY, ("passport seen",)),
        gates,
    )
    gates.subjects[SUBJECT] = subject([FINAL_ORDER, TAX_STAY])
    with pytest.raises(GateBlockedError) as refused:
        case_actions.step_action(
            store,
            SUPERVISOR,
            action.action_id,
            StepRequest(ActionStep.VERIFY_LEGAL_STATUS, ("order",)),
            gates,
        )
    assert [p.location for p in refused.value.problems] == ["gate.stay_in_effect"]
    _assert_unnamed(refused.value.message, DAY)
    view = case_actions.read_action(store, SUPERVISOR, action.action_id, gates)
    shown = json.dumps([*view.last_gates, *(f"{h.reason} {h.evidence}" for h in view.halts)])
    assert view.state in {"planned", "halted"} and any(g["blocks"] for g in view.last_gates)
    _assert_unnamed(shown, DAY)
    with store.transaction() as session:
        alerts = " ".join(a.message for a in session.scalars(select(AlertRow)))
    _assert_unnamed(alerts, DAY)  # the gates are kept apart from the message
    _assert_unnamed(" ".join(a.message for a in my_alerts(store, PLANNER, gates=gates)), DAY)
    _assert_unnamed(_audit_details(store, "action.verify_legal_status"), DAY)


def test_a_manifest_takes_off_a_person_blocked_by_a_tax_record_without_naming_it() -> None:
    gates = _gates([FINAL_ORDER, TAX_STAY])
    check = plan_manifests.gate_check({a_number_key("A123"): (SUBJECT,)}, {}, gates, PLANNER)
    outcome = check("A123", "MEX")
    assert not outcome.allowed and outcome.gate == "stay_in_effect"  # still taken off
    assert "withheld for this purpose (tax_addresses)" in outcome.reason
    _assert_unnamed(outcome.reason, DAY)
