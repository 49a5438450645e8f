"""Small transport instances and a brute-force optimum to check the solver against."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

from ilos.operations.transport import hold_cents, screen_people, seat_cents
from ilos.operations.transport_types import Flight, Removee, TransportProblem, TransportWeights

TODAY = date(2026, 11, 1)


def random_transport(seed: int, people: int, flights: int) -> TransportProblem:
    rng = random.Random(seed)
    countries = ["MEX", "GTM", "HND"][: rng.randint(1, 3)]
    folks = tuple(
        Removee(
            person_id=f"P{i}",
            destination=rng.choice(countries),
            removal_allowed=rng.random() > 0.1,
            documents_ready_on=None if rng.random() < 0.1 else TODAY + timedelta(rng.randint(-5, 20)),
            blocked_reason="stay of removal" if rng.random() < 0.5 else None,
        )
        for i in range(people)
    )
    fleet = tuple(
        Flight(
            flight_id=f"F{j}",
            destinations=tuple(sorted(rng.sample(countries, rng.randint(1, len(countries))))),
            seats=rng.randint(0, 4),
            departs_on=TODAY + timedelta(rng.randint(0, 25)),
            cost_cents=rng.choice([0, 100_000, 400_000, 1_500_000]),
            seat_cost_cents=rng.choice([0, 20_000]),
        )
        for j in range(flights)
    )
    weights = TransportWeights(
        daily_detention_cents=rng.choice([5_000, 16_500, 40_000]), horizon_days=rng.randint(1, 30)
    )
    return TransportProblem(folks, fleet, TODAY, weights)


def brute_force_transport(problem: TransportProblem) -> int:
    """Least total cost over every assignment of every cleared person to a flight or to waiting."""
    screened = screen_people(problem)
    hold = hold_cents(problem, screened.horizon)
    people = sorted(screened.eligible)
    options = [[None, *screened.eligible[pid]] for pid in people]
    best: int | None = None
    for plan in itertools.product(*options):
        load = [0] * len(problem.flights)
        cost = 0
        for f in plan:
            if f is None:
                cost += hold
            else:
                load[f] += 1
                cost += seat_cents(problem, problem.flights[f])
        if any(n > problem.flights[i].seats for i, n in enumerate(load)):
            continue
        cost += sum(problem.flights[i].cost_cents for i, n in enumerate(load) if n)
        best = cost if best is None or cost < best else best
    assert best is not None
    return best
