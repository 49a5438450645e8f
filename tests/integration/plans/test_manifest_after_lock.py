"""A locked manifest after its lock (both backends): a subject change re-checks everyone on it (the worker's
recheck), the check at departure re-checks them again, and the blocked are taken off with an alert to the
manifest's holder and an audit event. A lock finds subjects by the A-number whatever its spelling, and one
flight, or one person, is locked in one plan version at a time."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from gates_fake import FakeGates
from plan_instances import three_flights
from sqlalchemy import select

from ilos.errors import ConflictError, NotFoundError
from ilos.operations.transport_types import Flight, Removee, TransportProblem
from ilos.policy.results import GateId
from ilos.services import changes, logistics, manifest_checks, plan_manifests, plans, publish
from ilos.services.access import Caller, Purpose, Role, local_operator
from ilos.services.change_inbox import Processed
from ilos.services.store_access import Store
from ilos.store.operations_tables import AlertRow
from ilos.store.tables import AuditEventRow

PLANNER = Caller("pat", frozenset({Role.logistics_planner}), Purpose.removal_logistics, "test")
OTHER_PLANNER = Caller("quinn", frozenset({Role.logistics_planner}), Purpose.removal_logistics, "test")


def _publish(store: Store, carried: dict[str, str]) -> None:
    """Publish one subject per (subject id -> A-number as the published record spells it)."""
    rows = [
        {
            "subject_id": s,
            "display_name": s,
            "date_of_birth": None,
            "identifiers": {"a_number": a},
            "payload": {},
        }
        for s, a in carried.items()
    ]
    publish.publish(store, local_operator(Purpose.data_quality), rows)


def _locked_f0(store: Store) -> plans.PlanSummary:
    """Transport v1 of `three_flights` with F0 (A0, A1, A2) locked, everyone cleared."""
    made = plans.create_plan(store, PLANNER, "transport")
    _publish(store, {"SA0": "A0", "SA1": "A1", "SA2": "A2"})
    assert plan_manifests.lock_manifest(store, PLANNER, made.version, "F0").cleared == 3
    return made


def _f0(store: Store, version: int = 1) -> plans.PlanView:
    return plans.read_plan(store, PLANNER, "transport", version, plans.PlanPage(target="F0"))


def _audit(store: Store, action: str) -> list[AuditEventRow]:
    with store.transaction() as session:
        return list(session.scalars(select(AuditEventRow).where(AuditEventRow.action == action)))


def _alerts(store: Store) -> list[AlertRow]:
    with store.transaction() as session:
        return list(session.scalars(select(AlertRow).where(AlertRow.kind == manifest_checks.MANIFEST_ALERT)))


def _worker_completes(store: Store, subject_id: str, event_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the near-real-time worker does when a change to `subject_id` completes (`recheck_on_change`)."""
    done = Processed(
        event_id,
        "court_cases:STAY1",
        subject_id,
        "joined",
        (),
        ({"classification": "affirmative", "kind": "stay_granted"},),
        1.0,
        "",
    )
    with store.transaction() as session:
        changes.recheck_on_change(store)(session, done)


@pytest.fixture(autouse=True)
def _fake_gates_for_the_worker(gates: FakeGates, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(changes, "gate_source_for", lambda _store: gates)


def test_a_stay_posted_after_the_lock_takes_the_person_off_the_locked_manifest_and_alerts(
    store: Store, flights: TransportProblem, gates: FakeGates, monkeypatch: pytest.MonkeyPatch
) -> None:
    _locked_f0(store)
    gates.block("SA1", GateId.STAY, "judicial stay of removal entered after the lock")
    _worker_completes(store, "SA1", "E1", monkeypatch)

    view = _f0(store)
    assert [(a.person_id, a.status) for a in view.assignments] == [
        ("A0", "seated"),
        ("A1", "removed"),
        ("A2", "seated"),
    ]
    assert "recheck: change event E1" in view.assignments[1].explanation
    assert "judicial stay of removal entered after the lock" in view.assignments[1].explanation
    [manifest] = view.manifests
    assert manifest.cleared == 2
    assert [(r.person_id, r.gate, r.step) for r in manifest.removed] == [
        ("A1", "stay_in_effect", "recheck: change event E1")
    ]
    [alert] = _alerts(store)
    assert (alert.recipient, alert.subject_id) == ("pat", "SA1")  # whoever locked the manifest
    assert alert.message.startswith("A1 taken off F0 (transport v1)")
    assert alert.gates and alert.gates[0]["gate"] == "stay_in_effect"
    [event] = _audit(store, "plan.manifest_recheck")
    assert (
        event.outcome == "ok"
        and "A1" in event.object_ids
        and "taken off: A1 (stay_in_effect)" in event.detail
    )

    _worker_completes(store, "SA1", "E2", monkeypatch)  # already off: nothing more happens
    assert len(_alerts(store)) == 1 and _f0(store).manifests[0].cleared == 2


def test_a_change_to_a_subject_on_no_locked_manifest_touches_no_plan(
    store: Store, flights: TransportProblem, gates: FakeGates, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = plans.create_plan(store, PLANNER, "transport")  # a draft: nothing locked
    _publish(store, {"SA1": "A1"})
    gates.block("SA1", GateId.STAY, "stay")
    _worker_completes(store, "SA1", "E1", monkeypatch)
    draft = plans.read_plan(store, PLANNER, "transport", made.version, plans.PlanPage(target="F0"))
    assert [a.status for a in draft.assignments] == ["seated"] * 3
    assert _alerts(store) == [] and _audit(store, "plan.manifest_recheck") == []


def test_the_departure_check_removes_a_person_blocked_since_the_lock(
    store: Store, flights: TransportProblem, gates: FakeGates, monkeypatch: pytest.MonkeyPatch
) -> None:
    _locked_f0(store)
    gates.block("SA2", GateId.APPEAL, "appeal filed the day before the flight")
    checked = manifest_checks.depart_manifest(store, OTHER_PLANNER, 1, "F0")
    assert checked.departed == 2
    assert [(r.person_id, r.gate, r.step) for r in checked.halted] == [
        ("A2", "appeal_pending_or_open", "departure")
    ]
    assert "appeal filed the day before the flight" in checked.halted[0].reason

    view = _f0(store)
    assert [(a.person_id, a.status) for a in view.assignments] == [
        ("A0", "departed"),
        ("A1", "departed"),
        ("A2", "removed"),
    ]
    assert view.assignments[0].explanation.startswith("departed on F0")
    assert (view.manifests[0].departed, view.manifests[0].cleared) == (2, 2)
    [alert] = _alerts(store)
    assert alert.recipient == "pat" and "at departure" in alert.message  # the holder, not who departed it
    [event] = _audit(store, "plan.depart")
    assert event.actor == "quinn" and event.result_count == 2 and "A2 (appeal_pending_or_open" in event.detail

    with pytest.raises(ConflictError, match="Nobody is seated"):
        manifest_checks.depart_manifest(store, PLANNER, 1, "F0")
    gates.block("SA0", GateId.STAY, "too late: already flown")  # a departed seat is not rechecked
    _worker_completes(store, "SA0", "E3", monkeypatch)
    assert _f0(store).assignments[0].status == "departed"


def test_only_a_locked_manifest_departs(store: Store, flights: TransportProblem, gates: FakeGates) -> None:
    made = plans.create_plan(store, PLANNER, "transport")
    with pytest.raises(ConflictError, match="is not locked; lock it first"):
        manifest_checks.depart_manifest(store, PLANNER, made.version, "F1")
    with pytest.raises(NotFoundError, match="not in transport v1"):
        manifest_checks.depart_manifest(store, PLANNER, made.version, "NOPE")


def test_a_lock_finds_the_subject_by_the_demo_worlds_a_number_forms(
    store: Store, gates: FakeGates, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plan names people by their booking's A-number ("A200139349"); a published subject carries the
    standardized nine digits ("200139349"), or an older spelling with a leading zero lost."""
    today = date(2026, 11, 1)
    people = tuple(Removee(a, "GTM", True, today) for a in ("A200139349", "A012345670", "A-300 000 001"))
    problem = TransportProblem(people, (Flight("F0", ("GTM",), 10, today + timedelta(3), 1),), today)
    monkeypatch.setattr(logistics, "draft_plan", lambda *_a: logistics.transport_draft(problem, "demo forms"))
    made = plans.create_plan(store, PLANNER, "transport")
    _publish(store, {"S1": "200139349", "S2": "12345670", "S3": "300000001"})
    gates.block("S2", GateId.STAY, "stay for the second")
    lock = plan_manifests.lock_manifest(store, PLANNER, made.version, "F0")
    assert lock.cleared == 2
    assert [(r.person_id, r.gate) for r in lock.removed] == [("A012345670", "stay_in_effect")]
    assert ("S1", "GTM") in gates.calls and ("S3", "GTM") in gates.calls


def test_a_flight_locked_in_one_version_cannot_be_locked_in_another(
    store: Store, flights: TransportProblem, gates: FakeGates
) -> None:
    _locked_f0(store)
    plans.create_plan(store, PLANNER, "transport")  # v2 seats the same people on the same flight
    with pytest.raises(ConflictError, match=r"'F0' is already locked in transport v1 \(by pat"):
        plan_manifests.lock_manifest(store, PLANNER, 2, "F0")
    v2 = plans.read_plan(store, PLANNER, "transport", 2, plans.PlanPage(target="F0"))
    assert v2.plan.status == "draft" and v2.manifests == ()


def test_a_person_on_a_locked_manifest_cannot_be_locked_onto_another_flight(
    store: Store, gates: FakeGates, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = three_flights()
    renamed = tuple(replace(f, flight_id=f"G{i}") for i, f in enumerate(first.flights))
    later = replace(first, flights=renamed)  # the same people on flights of other ids
    problems = iter([first, later])
    monkeypatch.setattr(logistics, "draft_plan", lambda *_a: logistics.transport_draft(next(problems), "t"))
    _locked_f0(store)
    plans.create_plan(store, PLANNER, "transport")
    with pytest.raises(ConflictError) as refused:
        plan_manifests.lock_manifest(store, PLANNER, 2, "G0")
    assert "A0 is seated on F0 locked in transport v1" in refused.value.message
    assert "A2 is seated on F0 locked in transport v1" in refused.value.message
    assert plans.read_plan(store, PLANNER, "transport", 2).manifests == ()
    plan_manifests.lock_manifest(store, PLANNER, 2, "G1")  # people on no other locked manifest: locked
