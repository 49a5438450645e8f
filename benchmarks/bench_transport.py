"""Removal transport at the documented size: 5,000 people, 40 destination countries, 60 flights.

Seeded. Destinations follow a skewed (Zipf-like) share; most flights serve one country, some are
multi-stop (2-3 countries) so components couple countries; ~8% of people are not cleared by the gates
and ~6% have no travel document yet; documents become ready over the next month. Prints time, the
objective, the proven lower bound and the gap.

    .venv/bin/python benchmarks/bench_transport.py [--people 5000] [--countries 40] [--flights 60] [--seed 7]
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

import numpy as np

from ilos.operations.transport import solve_transport
from ilos.operations.transport_types import Flight, Removee, TransportProblem

TODAY = date(2026, 11, 1)
AIRCRAFT = ((48, 3_000_000), (150, 7_500_000), (180, 9_000_000))  # seats, cost in cents


def build_problem(people: int, countries: int, flights: int, seed: int) -> TransportProblem:
    rng = np.random.default_rng(seed)
    codes = [f"C{c:02d}" for c in range(countries)]
    share = 1 / np.arange(1, countries + 1) ** 0.9
    share /= share.sum()
    dest = rng.choice(countries, size=people, p=share)
    folks = tuple(
        Removee(
            person_id=f"P{i:05d}",
            destination=codes[int(dest[i])],
            removal_allowed=bool(rng.random() > 0.08),
            documents_ready_on=None if rng.random() < 0.06 else TODAY + timedelta(int(rng.integers(-10, 30))),
            blocked_reason=None,
        )
        for i in range(people)
    )
    fleet = []
    for j in range(flights):
        first = codes[j % countries] if j < countries else codes[int(rng.choice(countries, p=share))]
        stops = [first]
        if rng.random() < 0.2:
            stops += [codes[int(c)] for c in rng.choice(countries, size=int(rng.integers(1, 3)), p=share)]
        seats, cost = AIRCRAFT[int(rng.integers(len(AIRCRAFT)))]
        fleet.append(
            Flight(
                flight_id=f"F{j:03d}",
                destinations=tuple(sorted(set(stops))),
                seats=seats,
                departs_on=TODAY + timedelta(int(rng.integers(1, 45))),
                cost_cents=int(cost * rng.uniform(0.7, 1.3)) * len(set(stops)),
                seat_cost_cents=int(rng.choice([0, 15_000])),
            )
        )
    return TransportProblem(folks, tuple(fleet), TODAY)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--countries", type=int, default=40)
    parser.add_argument("--flights", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    problem = build_problem(args.people, args.countries, args.flights, args.seed)
    started, cpu = time.perf_counter(), time.process_time()
    plan = solve_transport(problem)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    operated = sum(1 for f in plan.flights if f.operated)
    print(
        f"transport: {args.people:,} people, {args.countries} countries, {args.flights} flights, seed {args.seed}"
    )
    print(f"  solve time     {seconds:.2f} s wall, {cpu:.2f} s CPU ({plan.components} components)")
    print(f"  seated         {len(plan.seats):,} on {operated} operated flights")
    print(f"  waiting        {len(plan.unassigned):,}; excluded {len(plan.excluded):,}")
    print(f"  objective      ${plan.objective_cents / 100:,.2f}")
    print(f"  lower bound    ${plan.lower_bound_cents / 100:,.2f}")
    print(f"  gap            {plan.gap:.4%}")


if __name__ == "__main__":
    main()
