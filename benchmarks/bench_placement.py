"""Placement at national scale: 50,000 people to 250 facilities, seeded, with realistic structure.

Facilities and immigration courts sit in ~70 metro areas; most people are already detained (origin =
their facility), the rest were arrested near a court; a court near the origin hears each case; 60%
have counsel of record, an office in the court's city. Prints solve time, objective and the duality
certificate (lower bound == objective proves optimality over every facility).

    .venv/bin/python benchmarks/bench_placement.py [--people 50000] [--facilities 250] [--seed 7]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from ilos.operations.geo import GeoPoint
from ilos.operations.placement import solve_placement
from ilos.operations.placement_types import (
    BED_CLASSES,
    Detainee,
    Facility,
    MedicalLevel,
    PlacementProblem,
    SecurityLevel,
    Sex,
)

METROS = 70


def build_problem(people: int, facilities: int, seed: int) -> PlacementProblem:
    rng = np.random.default_rng(seed)
    metros = [GeoPoint(float(rng.uniform(26, 48)), float(rng.uniform(-122, -72))) for _ in range(METROS)]
    places: dict[str, GeoPoint] = {}
    for m, p in enumerate(metros):
        places[f"COURT{m}"] = p
        for o in range(3):
            places[f"LAW{m}-{o}"] = _near(rng, p, 0.2)
        places[f"ARREST{m}"] = _near(rng, p, 0.3)
    facs = [_facility(rng, j, metros, people, facilities) for j in range(facilities)]
    places |= {f.facility_id: f.location for f in facs}
    folks = tuple(_person(rng, i, facs) for i in range(people))
    return PlacementProblem(folks, tuple(facs), places)


def _near(rng: np.random.Generator, p: GeoPoint, spread: float) -> GeoPoint:
    return GeoPoint(p.latitude + float(rng.normal(0, spread)), p.longitude + float(rng.normal(0, spread)))


def _facility(rng: np.random.Generator, j: int, metros: list[GeoPoint], people: int, n: int) -> Facility:
    metro = int(rng.integers(METROS))
    mean = people / n / 0.85 / 6  # ~85% occupancy overall
    shares = [0.30, 0.30, 0.18, 0.09, 0.08, 0.05]
    capacity = {c: int(rng.poisson(mean * 6 * s)) for c, s in zip(BED_CLASSES, shares, strict=True)}
    medical = MedicalLevel(int(rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15])))
    return Facility(f"FAC{j:04d}", f"Facility {j}", _near(rng, metros[metro], 0.5), capacity, medical)


def _person(rng: np.random.Generator, i: int, facs: list[Facility]) -> Detainee:
    male = rng.random() < 0.85
    security = SecurityLevel(rng.choice(["low", "medium", "high"], p=[0.5, 0.35, 0.15]))
    metro = int(rng.integers(METROS))
    origin = facs[int(rng.integers(len(facs)))].facility_id if rng.random() < 0.7 else f"ARREST{metro}"
    counsel = f"LAW{metro}-{int(rng.integers(3))}" if rng.random() < 0.6 else None
    return Detainee(
        person_id=f"P{i:06d}",
        sex=Sex.MALE if male else Sex.FEMALE,
        security=security,
        medical_need=MedicalLevel(int(rng.choice([0, 1, 2, 3], p=[0.7, 0.2, 0.08, 0.02]))),
        origin=origin,
        court=f"COURT{metro}",
        counsel=counsel,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--facilities", type=int, default=250)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    problem = build_problem(args.people, args.facilities, args.seed)
    started = time.perf_counter()
    plan = solve_placement(problem)
    seconds = time.perf_counter() - started
    away = sum(1 for p in plan.placements if p.near_counsel is False)
    print(f"placement: {args.people:,} people, {args.facilities} facilities, seed {args.seed}")
    print(
        f"  solve time        {seconds:.2f} s (groups {plan.groups:,}, arcs {plan.arcs:,}, rounds {plan.rounds})"
    )
    print(f"  placed / unplaced {len(plan.placements):,} / {len(plan.unplaced):,}")
    print(
        f"  placement cost    {sum(p.cost.total for p in plan.placements):,} points; away from counsel {away:,}"
    )
    print(f"  objective         {plan.objective:,} (overflow included)")
    print(f"  lower bound       {plan.lower_bound:,} -> optimal: {plan.is_proven_optimal}")


if __name__ == "__main__":
    main()
