"""Gate text kept in the store (an action's halts and kept gates, a halt's alerts) is shown to each reader as
that reader's purpose may see it, whoever wrote it: the recheck (no purpose at all) or an officer working
for another purpose. Text stored before the records were kept with it is taken to rest on every record the
reader may not see (`stored_gates`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from gates_fake import ScenarioGates
from sqlalchemy import select, update

from ilos.definitions.sources import SourcesConfig, SourceSpec
from ilos.domain.cases import ActionKind, ActionStep
from ilos.errors import GateBlockedError
from ilos.services import case_actions
from ilos.services.access import Caller, Purpose, Role
from ilos.services.case_actions import ActionRequest, ActionView, StepRequest
from ilos.services.operations_alerts import my_alerts
from ilos.services.store_access import Store
from ilos.store.operations_tables import ActionHaltRow, ActionRow, AlertRow

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "policy"))
from policy_scenarios import FINAL_ORDER, MARKINGS, SUBJECT, TODAY, policy, subject

# One person who plans removals and also does oversight: the purpose declared decides what is shown.
OLGA = frozenset({Role.supervisor, Role.oversight})
OLGA_PLANNING = Caller("olga", OLGA, Purpose.removal_logistics, "test")
OLGA_OVERSEEING = Caller("olga", OLGA, Purpose.oversight, "test")
PLANNER = Caller("pat", frozenset({Role.logistics_planner}), Purpose.removal_logistics, "test")
INVESTIGATOR = Caller("sam", frozenset({Role.supervisor}), Purpose.case_investigation, "test")
TAX = "tax_addresses:T3"  # TAX: no enforcement purpose may use it without a recorded authority; oversight may
DAY = "2026-04-04"  # the tax record's date, which nothing else carries
TAX_STAY = f"{DAY} {TAX} stay case=C1 stay_type=JUDICIAL"
WITNESS = "cooperation:W1"  # COOPERATION: case investigation may use it, removal logistics may not
COOPERATING = f"2026-01-01 {WITNESS} cooperation type=MATERIAL_WITNESS status=ACTIVE"


def _shown(view: ActionView) -> str:
    return json.dumps([*view.last_gates, *(f"{h.gate} {h.reason} {h.evidence}" for h in view.halts)])


def _alerts(store: Store, reader: Caller, gates: ScenarioGates) -> str:
    return " | ".join(a.message for a in my_alerts(store, reader, gates=gates))


def _halted_by_the_recheck(store: Store, sources: SourcesConfig | None = None) -> tuple[str, ScenarioGates]:
    """An action planned on a clear subject, then halted by the recheck on a stay only a tax record shows."""
    gates = ScenarioGates({SUBJECT: subject([FINAL_ORDER])}, policy(), TODAY)
    if sources is not None:
        gates.sources = sources
    action = case_actions.create_action(
        store, OLGA_PLANNING, ActionRequest(SUBJECT, ActionKind.REMOVAL), gates
    )
    gates.subjects[SUBJECT] = subject([FINAL_ORDER, TAX_STAY])
    with store.transaction() as session:
        halts = case_actions.recheck_subject(session, SUBJECT, "stay posted", gates)
    assert [h.gate for h in halts] == ["stay_in_effect"]
    assert TAX not in json.dumps([h.evidence for h in halts])  # what it returns names no record either
    return action.action_id, gates


def test_a_recheck_halt_on_a_tax_record_is_shown_to_an_enforcement_reader_without_it(store: Store) -> None:
    action_id, gates = _halted_by_the_recheck(store)
    view = case_actions.read_action(store, OLGA_PLANNING, action_id, gates)
    assert view.state == "halted" and [h.gate for h in view.halts] == ["stay_in_effect"]
    assert [h.evidence for h in view.halts] == [("withheld:tax_addresses",)]
    assert TAX not in _shown(view) and DAY not in _shown(view)
    alerts = _alerts(store, OLGA_PLANNING, gates)
    assert "halted at recheck: gate stay_in_effect: rests on records withheld" in alerts
    assert "stay of removal in effect" not in alerts and TAX not in alerts


def test_a_recheck_halt_on_a_tax_record_is_shown_in_full_to_a_reader_who_may_see_it(store: Store) -> None:
    action_id, gates = _halted_by_the_recheck(store)
    view = case_actions.read_action(store, OLGA_OVERSEEING, action_id, gates)
    [halt] = view.halts
    assert halt.reason == "judicial stay of removal in effect" and any(TAX in e for e in halt.evidence)
    assert "judicial stay of removal in effect" in _alerts(store, OLGA_OVERSEEING, gates)


def test_a_halt_written_for_one_purpose_is_not_shown_as_it_was_to_a_reader_with_another(store: Store) -> None:
    gates = ScenarioGates({SUBJECT: subject([FINAL_ORDER])}, policy(), TODAY)
    action = case_actions.create_action(store, PLANNER, ActionRequest(SUBJECT, ActionKind.REMOVAL), gates)
    gates.subjects[SUBJECT] = subject([FINAL_ORDER, COOPERATING])
    verify = StepRequest(ActionStep.VERIFY_IDENTITY, ("passport seen",))
    with pytest.raises(GateBlockedError) as refused:  # halted, as the investigator (who may see it) is shown
        case_actions.step_action(store, INVESTIGATOR, action.action_id, verify, gates)
    assert "MATERIAL_WITNESS" in refused.value.message
    planner_view = case_actions.read_action(store, PLANNER, action.action_id, gates)
    assert [h.gate for h in planner_view.halts] == ["witness_or_victim"]
    assert WITNESS not in _shown(planner_view) and "MATERIAL_WITNESS" not in _shown(planner_view)
    assert "withheld:cooperation" in _shown(planner_view)
    planner_alerts = _alerts(store, PLANNER, gates)
    assert "halted at verify_identity" in planner_alerts and "MATERIAL_WITNESS" not in planner_alerts
    investigator_view = case_actions.read_action(store, INVESTIGATOR, action.action_id, gates)
    assert any(WITNESS in e for h in investigator_view.halts for e in h.evidence)


def _as_an_older_store_holds_them(store: Store, action_id: str) -> None:
    """The action's halts, kept gates and alerts stored without their records, the gates in the message."""
    with store.transaction() as session:
        session.execute(update(ActionHaltRow).values(records=None))
        for alert in session.scalars(select(AlertRow)):
            alert.message = f"{alert.message}: gate stay_in_effect: judicial stay ({DAY} {TAX})"
            alert.gates = None
        row = session.get(ActionRow, action_id)
        assert row is not None
        row.last_gates = [{k: v for k, v in g.items() if k != "records"} for g in row.last_gates]


def test_gate_text_stored_before_its_records_were_kept_is_withheld_from_a_reader_who_may_not_see_some(
    store: Store,
) -> None:
    action_id, gates = _halted_by_the_recheck(store)
    _as_an_older_store_holds_them(store, action_id)
    view = case_actions.read_action(store, OLGA_PLANNING, action_id, gates)
    assert [h.evidence for h in view.halts] == [("withheld:tax_addresses",)]
    assert TAX not in _shown(view) and DAY not in _shown(view)
    alerts = _alerts(store, OLGA_PLANNING, gates)
    assert "halted at recheck: rests on records withheld for this purpose (tax_addresses)" in alerts
    assert TAX not in alerts and DAY not in alerts
    overseen = case_actions.read_action(store, OLGA_OVERSEEING, action_id, gates)
    assert any(TAX in e for h in overseen.halts for e in h.evidence)  # nothing withheld from oversight
    assert TAX in _alerts(store, OLGA_OVERSEEING, gates)


def test_gate_text_stored_before_its_records_were_kept_stays_withheld_after_its_record_leaves_the_subject(
    store: Store,
) -> None:
    """The halt's text names the tax record, which a re-link has since moved to another subject: the subject
    holds nothing the planner may not see now, yet the text is withheld for every source the planner's
    purpose may not see, as what it rests on is not known."""
    config = SourcesConfig.model_construct(
        sources=tuple(SourceSpec.model_construct(name=s, markings=m) for s, m in MARKINGS.items())
    )
    action_id, gates = _halted_by_the_recheck(store, config)
    _as_an_older_store_holds_them(store, action_id)
    gates.subjects[SUBJECT] = subject([FINAL_ORDER])  # the tax record is another subject's now

    view = case_actions.read_action(store, OLGA_PLANNING, action_id, gates)

    [evidence] = [h.evidence for h in view.halts]
    assert "withheld:tax_addresses" in evidence
    assert TAX not in _shown(view) and DAY not in _shown(view)
    alerts = _alerts(store, OLGA_PLANNING, gates)
    assert "rests on records withheld for this purpose (" in alerts and "tax_addresses" in alerts
    assert TAX not in alerts and DAY not in alerts
    overseen = case_actions.read_action(store, OLGA_OVERSEEING, action_id, gates)
    assert any(TAX in e for h in overseen.halts for e in h.evidence)  # oversight may see every source
