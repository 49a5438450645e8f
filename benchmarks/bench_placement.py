"""Placement at national scale: 50,000 people to 250 facilities, seeded, with realistic structure.

Facilities, immigration courts, field offices and law offices sit in 70 metro areas. Most people are
already held (origin = their facility, court = the one serving it); the rest were just arrested and
processed at a field office; 35% have counsel of record (about 70% of detained people have none),
mostly in their court's city. Capacity is sized for ~85% occupancy overall but not class by class.
Prints solve time, objective and the duality certificate (lower bound == objective proves optimality
over every facility).

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
        places[f"OFFICE{m}"] = _near(rng, p, 0.2)  # the field office where arrests are processed
        for o in range(3):
            places[f"LAW{m}-{o}"] = _near(rng, p, 0.2)
    metro_of = rng.integers(METROS, size=facilities)
    facs = [_facility(rng, j, metros[int(metro_of[j])], people, facilities) for j in range(facilities)]
    places |= {f.facility_id: f.location for f in facs}
    beds = np.array([sum(f.capacity.values()) for f in facs], dtype=np.float64)
    held_at = rng.choice(facilities, size=people, p=beds / beds.sum())
    folks = tuple(_person(rng, i, facs[int(held_at[i])], int(metro_of[held_at[i]])) for i in range(people))
    return PlacementProblem(folks, tuple(facs), places)


def _near(rng: np.random.Generator, p: GeoPoint, spread: float) -> GeoPoint:
    return GeoPoint(p.latitude + float(rng.normal(0, spread)), p.longitude + float(rng.normal(0, spread)))


def _facility(rng: np.random.Generator, j: int, metro: GeoPoint, people: int, n: int) -> Facility:
    mean = people / n / 0.85  # ~85% occupancy overall
    shares = [0.36, 0.30, 0.19, 0.07, 0.05, 0.03]
    capacity = {c: int(rng.poisson(mean * s)) for c, s in zip(BED_CLASSES, shares, strict=True)}
    medical = MedicalLevel(int(rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15])))
    return Facility(f"FAC{j:04d}", f"Facility {j}", _near(rng, metro, 0.5), capacity, medical)


def _person(rng: np.random.Generator, i: int, held: Facility, metro: int) -> Detainee:
    """70% already held (origin = their facility, court = the one serving it); 30% newly arrested in a
    random metro; 35% have counsel, mostly local, some left behind by an earlier transfer."""
    if rng.random() >= 0.7:
        metro = int(rng.integers(METROS))
    origin = held.facility_id if rng.random() < 0.7 else f"OFFICE{metro}"
    counsel_metro = metro if rng.random() < 0.85 else int(rng.integers(METROS))
    counsel = f"LAW{counsel_metro}-{int(rng.integers(3))}" if rng.random() < 0.35 else None
    return Detainee(
        person_id=f"P{i:06d}",
        sex=Sex.MALE if rng.random() < 0.88 else Sex.FEMALE,
        security=SecurityLevel(rng.choice(["low", "medium", "high"], p=[0.45, 0.35, 0.2])),
        medical_need=MedicalLevel(int(rng.choice([0, 1, 2, 3], p=[0.75, 0.17, 0.06, 0.02]))),
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
    started, cpu = time.perf_counter(), time.process_time()
    plan = solve_placement(problem)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    away = sum(1 for p in plan.placements if p.near_counsel is False)
    print(f"placement: {args.people:,} people, {args.facilities} facilities, seed {args.seed}")
    print(
        f"  solve time        {seconds:.2f} s wall, {cpu:.2f} s CPU (groups {plan.groups:,}, arcs {plan.arcs:,}, rounds {plan.rounds})"
    )
    print(f"  placed / unplaced {len(plan.placements):,} / {len(plan.unplaced):,}")
    print(
        f"  placement cost    {sum(p.cost.total for p in plan.placements):,} points; away from counsel {away:,}"
    )
    print(f"  objective         {plan.objective:,} (overflow included)")
    print(f"  lower bound       {plan.lower_bound:,} -> optimal: {plan.is_proven_optimal}")


if __name__ == "__main__":
    main()
