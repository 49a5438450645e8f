"""Manifests lock and depart only after a fresh gate check of every person on them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from ilos.errors import NotFoundError
from ilos.operations.manifest import GateOutcome, check_at_departure, lock_manifest
from ilos.operations.transport import solve_transport
from ilos.operations.transport_types import Flight, Removee, TransportProblem

TODAY = date(2026, 11, 1)
LOCK = datetime(2026, 11, 2, 9, 0)


def _plan() -> TransportProblem:
    people = tuple(Removee(f"P{i}", "GTM", True, TODAY) for i in range(3))
    flight = Flight("F1", ("GTM",), 10, TODAY + timedelta(3), 100_000)
    return TransportProblem(people, (flight,), TODAY)


def test_stay_blocks_manifest_lock() -> None:
    plan = solve_transport(_plan())
    assert [s.person_id for s in plan.seats] == ["P0", "P1", "P2"]
    calls: list[tuple[str, str]] = []

    def gates_now(person_id: str, destination: str) -> GateOutcome:
        calls.append((person_id, destination))
        if person_id == "P1":
            return GateOutcome(False, "judicial stay of removal entered 2026-11-02")
        return GateOutcome(True, "no gate blocks")

    manifest = lock_manifest(plan, "F1", gates_now, LOCK)
    assert calls == [("P0", "GTM"), ("P1", "GTM"), ("P2", "GTM")]
    assert [s.person_id for s in manifest.seats] == ["P0", "P2"]
    [removed] = manifest.removed
    assert (removed.person_id, removed.step, removed.at) == ("P1", "manifest lock", LOCK)
    assert removed.reason == "judicial stay of removal entered 2026-11-02"


def test_departure_check_halts_someone_blocked_after_the_lock() -> None:
    plan = solve_transport(_plan())
    manifest = lock_manifest(plan, "F1", lambda p, d: GateOutcome(True, "clear"), LOCK)

    def appeal_filed(person_id: str, destination: str) -> GateOutcome:
        return GateOutcome(person_id != "P2", "appeal filed with the BIA")

    check = check_at_departure(manifest, appeal_filed, LOCK + timedelta(days=2))
    assert [s.person_id for s in check.cleared] == ["P0", "P1"]
    assert [(b.person_id, b.step, b.reason) for b in check.halted] == [
        ("P2", "departure", "appeal filed with the BIA")
    ]
    assert check.may_depart


def test_locking_an_unknown_flight_is_not_found() -> None:
    with pytest.raises(NotFoundError, match="'F9' is not in this plan"):
        lock_manifest(solve_transport(_plan()), "F9", lambda p, d: GateOutcome(True, ""), LOCK)


def test_people_the_gates_did_not_clear_are_excluded_with_the_reason() -> None:
    problem = _plan()
    blocked = Removee("P9", "GTM", False, TODAY, "protection under CAT for GTM")
    undocumented = Removee("P8", "GTM", True, None)
    plan = solve_transport(TransportProblem((*problem.people, blocked, undocumented), problem.flights, TODAY))
    assert {e.person_id: e.reason for e in plan.excluded} == {
        "P8": "no travel document issued or expected",
        "P9": "protection under CAT for GTM",
    }
    assert "P9" not in {s.person_id for s in plan.seats}
