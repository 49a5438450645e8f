"""Plans saved in the operational store: versions per kind, explanations and capacity overlays, paging,
diffs, manifest locks after a fresh gate check, and a 50,000-row bulk load (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from gates_fake import FakeGates
from sqlalchemy import func, select

from ilos.errors import ConflictError, NotFoundError, PermissionDeniedError
from ilos.operations.transport_types import TransportProblem
from ilos.policy.results import GateId
from ilos.services import plan_manifests, plans, publish
from ilos.services.access import Caller, Purpose, Role, local_operator
from ilos.services.audit_log import new_id
from ilos.services.store_access import Store
from ilos.store.plan_tables import AssignmentValues, OperationPlanRow, PlanAssignmentRow, insert_assignments

PLANNER = local_operator(Purpose.removal_logistics)
ANALYST = Caller("ann", frozenset({Role.analyst}), Purpose.case_investigation, "test")


def _transport(store: Store, world: Path) -> plans.PlanSummary:
    return plans.create_plan(store, PLANNER, "transport", resources=world / "flights.csv")


def test_each_placement_is_a_new_version_and_supersedes_the_last_draft(store: Store) -> None:
    first = plans.create_plan(store, PLANNER, "placement")
    second = plans.create_plan(store, PLANNER, "placement")
    assert (first.version, second.version) == (1, 2)
    listed = plans.list_plans(store, PLANNER, "placement")
    assert [(p.version, p.status) for p in listed] == [(2, "draft"), (1, "superseded")]
    assert second.proven_optimal and second.gap == 0.0 and second.inputs_hash == first.inputs_hash
    assert second.created_by == PLANNER.actor and second.solver_seconds >= 0


def test_a_placement_explains_every_person_and_overlays_every_bed_class(store: Store) -> None:
    made = plans.create_plan(store, PLANNER, "placement")
    view = plans.read_plan(store, PLANNER, "placement", made.version, plans.PlanPage(limit=1000))
    assert len(view.assignments) == made.summary["placed"] + made.summary["unplaced"]
    placed = [a for a in view.assignments if a.status == "placed"]
    assert placed and all(a.target and a.explanation.startswith(a.target) for a in placed)
    away = [a for a in placed if a.counsel_reason]
    assert all(a.counsel_cost and a.counsel_cost > 0 for a in away)
    assert len(away) == made.summary["away_from_counsel"]
    used = {(c.resource, c.segment): c.used for c in view.capacity}
    assert all(c.used <= c.capacity for c in view.capacity)
    for facility_class in {(a.target, a.segment) for a in placed}:
        assert used[facility_class] == sum(1 for a in placed if (a.target, a.segment) == facility_class)


def test_assignments_are_paged_in_person_order(store: Store) -> None:
    made = plans.create_plan(store, PLANNER, "placement")
    everyone = plans.read_plan(
        store, PLANNER, "placement", made.version, plans.PlanPage(limit=1000)
    ).assignments
    pages: list[str] = []
    after: str | None = None
    while True:
        view = plans.read_plan(store, PLANNER, "placement", made.version, plans.PlanPage(after, 7))
        pages += [a.person_id for a in view.assignments]
        if view.next_after is None:
            break
        after = view.next_after
    assert pages == sorted(a.person_id for a in everyone)


def test_diff_of_two_versions_on_the_same_inputs_moves_nobody(store: Store) -> None:
    plans.create_plan(store, PLANNER, "placement")
    plans.create_plan(store, PLANNER, "placement")
    diff = plans.diff_plans(store, PLANNER, "placement", 1, 2)
    assert diff.same_inputs and diff.changed == 0 and diff.changes == ()


def test_a_transport_plan_overlays_seats_per_flight(store: Store, world: Path) -> None:
    made = _transport(store, world)
    view = plans.read_plan(store, PLANNER, "transport", made.version, plans.PlanPage(limit=1000))
    seated = [a for a in view.assignments if a.status == "seated"]
    assert seated and all("detention days" in a.explanation for a in seated)
    whole = {c.resource: c for c in view.capacity if c.segment == "*"}
    assert sum(c.used for c in whole.values()) == len(seated)
    assert all(c.used <= c.capacity for c in whole.values())


def test_manifest_lock_names_each_blocked_subject_with_its_gate(
    store: Store, flights: TransportProblem, gates: FakeGates
) -> None:
    made = plans.create_plan(store, PLANNER, "transport")
    assert made.summary["seated"] == 9
    _publish(store, ["A0", "A1"])  # A2 is carried by no published subject
    gates.block("SA1", GateId.STAY, "judicial stay of removal entered today")
    lock = plan_manifests.lock_manifest(store, PLANNER, made.version, "F0")
    assert lock.cleared == 1
    assert [(r.person_id, r.gate) for r in lock.removed] == [
        ("A1", "stay_in_effect"),
        ("A2", plans.UNRESOLVED),
    ]
    assert "judicial stay of removal entered today" in lock.removed[0].reason
    after = plans.read_plan(store, PLANNER, "transport", made.version, plans.PlanPage(target="F0"))
    assert after.plan.status == "locked" and [m.flight_id for m in after.manifests] == ["F0"]
    assert [a.status for a in after.assignments] == ["seated", "removed", "removed"]
    assert "stay_in_effect" in after.assignments[1].explanation
    with pytest.raises(ConflictError, match="already locked"):
        plan_manifests.lock_manifest(store, PLANNER, made.version, "F0")
    newer = plans.create_plan(store, PLANNER, "transport")
    assert plans.list_plans(store, PLANNER, "transport")[1].status == "locked"
    assert newer.status == "draft"


def _publish(store: Store, a_numbers: list[str]) -> None:
    subjects = [
        {
            "subject_id": f"S{p}",
            "display_name": p,
            "date_of_birth": None,
            "identifiers": {"a_number": p},
            "payload": {},
        }
        for p in a_numbers
    ]
    publish.publish(store, local_operator(Purpose.data_quality), subjects)


def test_a_superseded_plan_cannot_be_locked_and_an_unknown_flight_is_not_found(
    store: Store, flights: TransportProblem, gates: FakeGates
) -> None:
    old = plans.create_plan(store, PLANNER, "transport")
    plans.create_plan(store, PLANNER, "transport")
    with pytest.raises(ConflictError, match="superseded"):
        plan_manifests.lock_manifest(store, PLANNER, old.version, "F1")
    with pytest.raises(NotFoundError, match="not in transport v2"):
        plan_manifests.lock_manifest(store, PLANNER, 2, "NOPE")


def test_an_analyst_may_not_create_or_read_plans(store: Store) -> None:
    with pytest.raises(PermissionDeniedError):
        plans.create_plan(store, ANALYST, "placement")
    with pytest.raises(PermissionDeniedError):
        plans.list_plans(store, ANALYST)


def test_fifty_thousand_assignments_load_in_one_bulk_insert(store: Store) -> None:
    rows = [
        AssignmentValues(f"P{i:06d}", "placed", f"FAC{i % 250:04d}", "M/low", i, None, None, None, f"why {i}")
        for i in range(50_000)
    ]
    now = datetime.now(UTC)
    with store.transaction() as session:
        plan = OperationPlanRow(
            id=new_id(),
            kind="placement",
            version=1,
            status="draft",
            inputs_hash="0" * 64,
            source="test",
            created_by="t",
            created_at=now,
            objective=0,
            lower_bound=0,
            gap=0.0,
            proven_optimal=True,
            solver_seconds=0.0,
            summary={},
            locked_by=None,
            locked_at=None,
        )
        session.add(plan)
        session.flush()
        insert_assignments(session, plan.id, rows)
    with store.transaction() as session:
        count = session.scalar(select(func.count()).select_from(PlanAssignmentRow))
        last = session.get(PlanAssignmentRow, (plan.id, "P049999"))
    assert count == 50_000
    assert last is not None and (last.target, last.cost, last.explanation) == ("FAC0249", 49_999, "why 49999")


def test_manifest_lock_checks_every_subject_carrying_the_a_number(
    store: Store, flights: TransportProblem, gates: FakeGates
) -> None:
    """A shared or borrowed A-number is carried by more than one subject: any one of them blocked
    takes the person off, whichever the store returns first."""
    made = plans.create_plan(store, PLANNER, "transport")
    twins = [("SX0", "A0"), ("SX1", "A1")]  # a second subject carrying the same A-number
    rows = [(f"S{a}", a) for a in ("A0", "A1", "A2")] + twins
    subjects = [
        {
            "subject_id": s,
            "display_name": s,
            "date_of_birth": None,
            "identifiers": {"a_number": a},
            "payload": {},
        }
        for s, a in rows
    ]
    publish.publish(store, local_operator(Purpose.data_quality), subjects)
    gates.block("SA0", GateId.STAY, "stay entered for the first subject")
    gates.block("SX1", GateId.STAY, "stay entered for the second subject")
    lock = plan_manifests.lock_manifest(store, PLANNER, made.version, "F0")
    removed = [(r.person_id, r.gate) for r in lock.removed]
    assert removed == [("A0", "stay_in_effect"), ("A1", "stay_in_effect")]
    assert lock.cleared == 1
