"""Placement never breaks a rule: capacity by class, medical care, bars; nobody is dropped silently."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st
from placement_instances import random_problem

from ilos.operations.geo import GeoPoint
from ilos.operations.placement import solve_placement
from ilos.operations.placement_costs import is_compatible
from ilos.operations.placement_types import (
    Detainee,
    Facility,
    MedicalLevel,
    PlacementProblem,
    SecurityLevel,
    Sex,
)

HOUSTON = GeoPoint(29.76, -95.37)
NEW_YORK = GeoPoint(40.71, -74.01)
MALE_LOW = (Sex.MALE, SecurityLevel.LOW)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), people=st.integers(0, 25), facilities=st.integers(1, 6))
def test_capacity_and_compatibility_are_never_violated(seed: int, people: int, facilities: int) -> None:
    problem = random_problem(seed, people, facilities)
    plan = solve_placement(problem)
    by_id = {p.person_id: p for p in problem.people}
    fac = {f.facility_id: f for f in problem.facilities}
    for placement in plan.placements:
        person = by_id[placement.person_id]
        assert is_compatible(person, fac[placement.facility_id])
        assert placement.bed_class == (person.sex, person.security)
    load = Counter((p.facility_id, p.bed_class) for p in plan.placements)
    assert all(n <= fac[f].beds(c) for (f, c), n in load.items())
    accounted = [p.person_id for p in plan.placements] + [u.person_id for u in plan.unplaced]
    assert sorted(accounted) == sorted(by_id)
    assert {(b.facility_id, b.bed_class): b.used for b in plan.beds if b.used} == dict(load)
    assert plan.is_proven_optimal


def _problem(people: list[Detainee], facilities: list[Facility]) -> PlacementProblem:
    places = {"HOU": HOUSTON, "NYC": NEW_YORK} | {f.facility_id: f.location for f in facilities}
    return PlacementProblem(tuple(people), tuple(facilities), places)


def test_people_without_compatible_capacity_are_reported_with_the_reason() -> None:
    small = Facility("FAC1", "Houston", HOUSTON, {MALE_LOW: 1}, MedicalLevel.BASIC)
    people = [
        Detainee("P1", Sex.MALE, SecurityLevel.LOW, MedicalLevel.NONE, "HOU"),
        Detainee("P2", Sex.MALE, SecurityLevel.LOW, MedicalLevel.NONE, "HOU"),
        Detainee("P3", Sex.MALE, SecurityLevel.LOW, MedicalLevel.FULL, "HOU"),
        Detainee("P4", Sex.FEMALE, SecurityLevel.HIGH, MedicalLevel.NONE, "HOU"),
    ]
    plan = solve_placement(_problem(people, [small]))
    assert [p.person_id for p in plan.placements] == ["P1"]
    reasons = {u.person_id: u.reason for u in plan.unplaced}
    assert reasons["P2"] == "all 1 facilities with male low-security beds are full"
    assert reasons["P3"] == "no facility has male low-security beds and full medical care or better"
    assert reasons["P4"].startswith("no facility has female high-security beds")


def test_transfer_away_from_counsel_costs_and_records_why() -> None:
    near = Facility("FAC-NY", "New York", NEW_YORK, {MALE_LOW: 1}, MedicalLevel.FULL)
    far = Facility("FAC-TX", "Houston", HOUSTON, {MALE_LOW: 5}, MedicalLevel.FULL)
    people = [
        Detainee(f"P{i}", Sex.MALE, SecurityLevel.LOW, MedicalLevel.NONE, "NYC", "NYC", "NYC")
        for i in range(2)
    ]
    plan = solve_placement(_problem(people, [near, far]))
    where = {p.person_id: p for p in plan.placements}
    assert where["P0"].facility_id == "FAC-NY" and where["P0"].near_counsel is True
    away = where["P1"]
    assert away.facility_id == "FAC-TX" and away.near_counsel is False
    assert away.cost.counsel_cost > 0 and away.cost.counsel_km is not None and away.cost.counsel_km > 2000
    assert away.counsel_reason == (
        "every facility within 160 km of counsel with male low-security beds is full (FAC-NY)"
    )


def test_same_input_gives_the_same_plan() -> None:
    problem = random_problem(5, 60, 5)
    assert solve_placement(problem) == solve_placement(problem)
