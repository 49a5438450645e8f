"""An action's destination is kept as the ISO 3166-1 alpha-3 code protections are compared in: a lower-case,
padded or spelled-out protected country is refused by country_protection like its code, a destination that
names no known country is refused (422, audited), and an action stored with an uncoded destination is still
halted by the gate at its next step."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from gates_fake import ScenarioGates
from sqlalchemy import select

from ilos.domain.cases import ActionKind, ActionStep
from ilos.errors import GateBlockedError, InvalidInputError
from ilos.services import case_actions
from ilos.services.access import Caller, Purpose, Role
from ilos.services.case_actions import ActionRequest, StepRequest
from ilos.services.store_access import Store
from ilos.store.operations_tables import ActionRow
from ilos.store.tables import AuditEventRow

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "policy"))
from policy_scenarios import FINAL_ORDER, SUBJECT, TODAY, policy, subject

PLANNER = Caller("pat", frozenset({Role.logistics_planner}), Purpose.removal_logistics, "test")
SUPERVISOR = Caller("sam", frozenset({Role.supervisor}), Purpose.removal_logistics, "test")
WITHHOLDING_COL = "2025-03-01 court_cases:D1 removal_order case=C1 outcome=REMOVAL destination_country=COL relief=WITHHOLDING"


def _gates(events: list[str]) -> ScenarioGates:
    return ScenarioGates({SUBJECT: subject(events)}, policy(), TODAY)


def _create(store: Store, destination: str | None, gates: ScenarioGates) -> case_actions.ActionView:
    request = ActionRequest(SUBJECT, ActionKind.REMOVAL, destination_country=destination)
    return case_actions.create_action(store, PLANNER, request, gates)


def _actions(store: Store) -> list[ActionRow]:
    with store.transaction() as session:
        return list(session.scalars(select(ActionRow)))


def _audited(store: Store, action: str) -> list[AuditEventRow]:
    with store.transaction() as session:
        return list(session.scalars(select(AuditEventRow).where(AuditEventRow.action == action)))


@pytest.mark.parametrize("destination", ["col", " COL", "COL ", "Col", "CO", "COLOMBIA"])
def test_a_protected_country_in_any_spelling_is_refused_by_country_protection(
    store: Store, destination: str
) -> None:
    with pytest.raises(GateBlockedError) as refused:
        _create(store, destination, _gates([WITHHOLDING_COL]))
    assert [p.location for p in refused.value.problems] == ["gate.country_protection"]
    assert "removal to COL is barred (withholding:COL)" in refused.value.message
    assert _actions(store) == []
    assert [e.outcome for e in _audited(store, "action.create")] == ["refused"]


@pytest.mark.parametrize(
    "destination", ["XX", "Narnia", "UNKNOWN", "C0L", "USA", "united states", "Puerto Rico", "gum"]
)
def test_a_destination_that_is_no_removal_country_is_refused_and_audited(
    store: Store, destination: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        _create(store, destination, _gates([FINAL_ORDER]))  # no protection: only the input refuses it
    [problem] = refused.value.problems
    assert problem.location == "destination_country"
    assert repr(destination) in problem.message and "ISO 3166-1 alpha-3" in problem.message
    assert refused.value.http_status == 422
    assert _actions(store) == []
    [event] = _audited(store, "action.create")
    assert event.outcome == "refused" and "destination_country" in (event.detail or "")


def test_a_destination_is_kept_as_its_code(store: Store) -> None:
    gates = _gates([FINAL_ORDER])
    planned = _create(store, " colombia ", gates)
    assert planned.destination_country == "COL"
    assert [a.destination_country for a in _actions(store)] == ["COL"]
    assert _create(store, "   ", gates).destination_country is None  # blank: the order's country applies


def test_an_action_stored_with_an_uncoded_destination_is_halted_by_the_protection(store: Store) -> None:
    gates = _gates([FINAL_ORDER])
    planned = _create(store, "GTM", gates)
    with store.transaction() as session:  # as an action planned before destinations were coded was kept
        row = session.get(ActionRow, planned.action_id)
        assert row is not None
        row.destination_country = "col "
    gates.subjects[SUBJECT] = subject([WITHHOLDING_COL])
    step = StepRequest(ActionStep.VERIFY_IDENTITY, ("passport seen",))
    with pytest.raises(GateBlockedError) as refused:
        case_actions.step_action(store, SUPERVISOR, planned.action_id, step, gates)
    assert [p.location for p in refused.value.problems] == ["gate.country_protection"]
    assert case_actions.read_action(store, SUPERVISOR, planned.action_id, gates).state == "halted"
