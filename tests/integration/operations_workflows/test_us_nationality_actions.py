"""A record naming the person's nationality as the United States stops an action through the citizenship
gate: planning is refused, and an action planned before the record arrived is halted at its next step, an
identity verification included (only a supervisor's citizenship review lifts the gate)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from gates_fake import ScenarioGates

from ilos.domain.cases import ActionKind, ActionStep
from ilos.errors import GateBlockedError
from ilos.services import case_actions
from ilos.services.access import Caller, Purpose, Role
from ilos.services.case_actions import ActionRequest, StepRequest
from ilos.services.store_access import Store

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "policy"))
from policy_scenarios import FINAL_ORDER, SUBJECT, TODAY, policy, subject

PLANNER = Caller("pat", frozenset({Role.logistics_planner}), Purpose.removal_logistics, "test")
SUPERVISOR = Caller("sam", frozenset({Role.supervisor}), Purpose.removal_logistics, "test")
NATIONALITIES = ["nationality=MEX court_cases:D1 2025-03-01", "nationality=USA encounters:E7 2026-01-01"]
REASON = "records suggest US citizenship (nationality USA on encounters:E7); supervisor review required"


def test_planning_is_refused_by_the_citizenship_gate(store: Store) -> None:
    gates = ScenarioGates({SUBJECT: subject([FINAL_ORDER], NATIONALITIES)}, policy(), TODAY)
    with pytest.raises(GateBlockedError) as refused:
        case_actions.create_action(store, PLANNER, ActionRequest(SUBJECT, ActionKind.REMOVAL), gates)
    problems = {p.location: p.message for p in refused.value.problems}
    assert problems == {"gate.us_citizenship_signal": REASON}


def test_an_action_in_flight_is_halted_and_identity_verification_does_not_lift_it(store: Store) -> None:
    gates = ScenarioGates({SUBJECT: subject([FINAL_ORDER])}, policy(), TODAY)
    action = case_actions.create_action(store, PLANNER, ActionRequest(SUBJECT, ActionKind.REMOVAL), gates)
    gates.subjects[SUBJECT] = subject([FINAL_ORDER], NATIONALITIES)  # the encounter arrives
    verify = StepRequest(ActionStep.VERIFY_IDENTITY, ("passport P1 compared with the encounter photo",))
    with pytest.raises(GateBlockedError) as refused:
        case_actions.step_action(store, SUPERVISOR, action.action_id, verify, gates)
    assert "gate.us_citizenship_signal" in {p.location for p in refused.value.problems}
    halted = case_actions.read_action(store, SUPERVISOR, action.action_id, gates)
    assert halted.state == "halted"
    assert {h.gate for h in halted.halts} >= {"us_citizenship_signal"}
