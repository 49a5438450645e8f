"""Transport is optimal (brute force on small instances) and never breaks a rule."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transport_instances import brute_force_transport, random_transport

from ilos.operations.transport import solve_transport


@pytest.mark.parametrize("seed", range(40))
def test_transport_matches_brute_force(seed: int) -> None:
    problem = random_transport(seed, people=seed % 7 + 1, flights=seed % 3 + 1)
    plan = solve_transport(problem)
    assert plan.objective_cents == brute_force_transport(problem)
    assert plan.lower_bound_cents == plan.objective_cents


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), people=st.integers(0, 30), flights=st.integers(0, 6))
def test_seats_dates_and_gates_are_never_violated(seed: int, people: int, flights: int) -> None:
    problem = random_transport(seed, people, flights)
    plan = solve_transport(problem)
    person = {p.person_id: p for p in problem.people}
    flight = {f.flight_id: f for f in problem.flights}
    for seat in plan.seats:
        p, f = person[seat.person_id], flight[seat.flight_id]
        assert p.removal_allowed and p.documents_ready_on is not None
        assert p.destination in f.destinations and f.departs_on >= max(p.documents_ready_on, problem.today)
    riders = Counter(s.flight_id for s in plan.seats)
    assert all(n <= flight[f].seats for f, n in riders.items())
    assert {load.flight_id: load.used for load in plan.flights if load.used} == dict(riders)
    accounted = [s.person_id for s in plan.seats] + [u.person_id for u in plan.unassigned]
    accounted += [e.person_id for e in plan.excluded]
    assert sorted(accounted) == sorted(person)
    blocked = {e.person_id: e.reason for e in plan.excluded}
    for p in problem.people:
        if not p.removal_allowed:
            assert blocked[p.person_id] == (p.blocked_reason or "removal not cleared by the gate check")
