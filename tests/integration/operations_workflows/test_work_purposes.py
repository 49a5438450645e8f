"""Enforcement work needs a purpose it serves, not only a role: a supervisor or analyst signed in for data
quality may not open cases, plan actions or register operations, nor a supervisor working a case plan
removals. Each refusal is audited with the purposes the work serves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select

from ilos.domain.cases import ActionKind
from ilos.errors import PermissionDeniedError
from ilos.services import case_actions, cases, deconfliction, departures_tracking, plans
from ilos.services.access import Caller, Purpose, Role
from ilos.services.case_actions import ActionRequest
from ilos.services.deconfliction import OperationRequest
from ilos.services.store_access import Store
from ilos.store.tables import AuditEventRow

ANALYST_FOR_QUALITY = Caller("ann", frozenset({Role.analyst}), Purpose.data_quality, "test")
SUPERVISOR_FOR_QUALITY = Caller("sup", frozenset({Role.supervisor}), Purpose.data_quality, "test")
SUPERVISOR_ON_CASES = Caller("sup", frozenset({Role.supervisor}), Purpose.case_investigation, "test")

REFUSED: list[tuple[Caller, str, Callable[[Store, Caller], object]]] = [
    (ANALYST_FOR_QUALITY, "case.open", lambda store, who: cases.open_case(store, who, "t", ["S1"])),
    (
        SUPERVISOR_FOR_QUALITY,
        "action.create",
        lambda store, who: case_actions.create_action(store, who, ActionRequest("S1", ActionKind.REMOVAL)),
    ),
    (
        SUPERVISOR_FOR_QUALITY,
        "operation.register",
        lambda store, who: deconfliction.register_operation(
            store, who, OperationRequest("ERO", "t", date(2027, 1, 1), date(2027, 1, 2), ("S1",))
        ),
    ),
    (SUPERVISOR_ON_CASES, "plan.create", lambda store, who: plans.create_plan(store, who, "placement")),
    (SUPERVISOR_FOR_QUALITY, "plan.list", lambda store, who: plans.list_plans(store, who)),
    (
        SUPERVISOR_FOR_QUALITY,
        "departure.record",
        lambda store, who: departures_tracking.record_departures(store, who, []),
    ),
]


@pytest.mark.parametrize(("caller", "action", "attempt"), REFUSED, ids=[r[1] for r in REFUSED])
def test_enforcement_work_refuses_a_purpose_it_does_not_serve(
    store: Store, caller: Caller, action: str, attempt: Callable[[Store, Caller], object]
) -> None:
    with pytest.raises(PermissionDeniedError, match=f"serves the purposes .*not {caller.purpose.value}"):
        attempt(store, caller)
    with store.transaction() as session:
        events = list(session.scalars(select(AuditEventRow).where(AuditEventRow.action == action)))
    assert [(e.outcome, e.purpose) for e in events] == [("denied", caller.purpose.value)]
    assert "serves the purposes" in events[0].detail


def test_the_same_role_working_for_the_right_purpose_may(store: Store) -> None:
    opened = cases.open_case(store, SUPERVISOR_ON_CASES, "t", ["S1"])
    assert opened.subjects == ("S1",)


def test_reading_a_case_needs_a_purpose_enforcement_or_oversight_serves(store: Store) -> None:
    opened = cases.open_case(store, SUPERVISOR_ON_CASES, "t", ["S1"])
    with pytest.raises(PermissionDeniedError, match="serves the purposes"):
        cases.read_case(store, SUPERVISOR_FOR_QUALITY, opened.case_id)
    oversight = Caller("olga", frozenset({Role.oversight}), Purpose.oversight, "test")
    assert cases.read_case(store, oversight, opened.case_id).case_id == opened.case_id


def test_a_data_steward_cannot_record_departures(store: Store) -> None:
    """Recording a verified departure cancels enforcement actions: not data-quality work."""
    steward = Caller("stew", frozenset({Role.data_steward}), Purpose.data_quality, "test")
    with pytest.raises(PermissionDeniedError):
        departures_tracking.record_departures(store, steward, [])
    with store.transaction() as session:
        events = session.scalars(select(AuditEventRow).where(AuditEventRow.action == "departure.record"))
        assert [(e.actor, e.outcome) for e in events] == [("stew", "denied")]
