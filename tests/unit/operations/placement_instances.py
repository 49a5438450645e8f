"""Small placement instances and a brute-force optimum to check the solver against."""

from __future__ import annotations

import itertools
import random

from ilos.operations.geo import GeoPoint
from ilos.operations.placement_costs import breakdown, is_compatible, place_distances, places_in_use
from ilos.operations.placement_types import (
    BED_CLASSES,
    Detainee,
    Facility,
    MedicalLevel,
    PlacementProblem,
    PlacementWeights,
    SecurityLevel,
    Sex,
)


def random_problem(seed: int, people: int, facilities: int) -> PlacementProblem:
    """People and facilities scattered over the continental US with tight, uneven capacity."""
    rng = random.Random(seed)
    places = {f"S{i}": GeoPoint(rng.uniform(26, 48), rng.uniform(-122, -72)) for i in range(5)}
    facs = []
    for j in range(facilities):
        fid = f"FAC{j}"
        places[fid] = GeoPoint(rng.uniform(26, 48), rng.uniform(-122, -72))
        capacity = {c: rng.choice([0, 0, 1, 1, 2, 3]) for c in BED_CLASSES}
        facs.append(Facility(fid, fid, places[fid], capacity, MedicalLevel(rng.randint(1, 3))))
    spots = sorted(places)
    folks = tuple(
        Detainee(
            person_id=f"P{i}",
            sex=rng.choice(list(Sex)),
            security=rng.choice([SecurityLevel.LOW, SecurityLevel.MEDIUM]),
            medical_need=MedicalLevel(rng.choice([0, 0, 1, 2, 3])),
            origin=rng.choice(spots),
            court=rng.choice([None, *spots]),
            counsel=rng.choice([None, *spots]),
            excluded_facilities=frozenset({"FAC0"}) if rng.random() < 0.15 else frozenset(),
        )
        for i in range(people)
    )
    weights = PlacementWeights(counsel_radius_km=rng.choice([100, 400, 900]))
    return PlacementProblem(folks, tuple(facs), places, weights)


def brute_force(problem: PlacementProblem) -> tuple[int, int]:
    """(most people placeable, least total cost among plans placing that many), by enumeration."""
    dist = place_distances(problem, places_in_use(problem))
    options = []
    for person in problem.people:
        choices: list[tuple[int | None, int]] = [(None, 0)]
        for j, f in enumerate(problem.facilities):
            if is_compatible(person, f):
                choices.append((j, breakdown(dist, problem.weights, person, j).total))
        options.append(choices)
    best: tuple[int, int] | None = None
    for plan in itertools.product(*options):
        load: dict[tuple[int, object], int] = {}
        for person, (j, _) in zip(problem.people, plan, strict=True):
            if j is not None:
                key = (j, (person.sex, person.security))
                load[key] = load.get(key, 0) + 1
        if any(n > problem.facilities[j].capacity.get(c, 0) for (j, c), n in load.items()):  # type: ignore[call-overload]
            continue
        score = (sum(1 for j, _ in plan if j is not None), -sum(c for _, c in plan))
        best = score if best is None or score > best else best
    assert best is not None
    return best[0], -best[1]
