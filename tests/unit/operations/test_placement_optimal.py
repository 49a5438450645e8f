"""Placement is optimal: it matches brute force on small instances and places as many as possible."""

from __future__ import annotations

import pytest
from placement_instances import brute_force, random_problem

from ilos.operations.placement import solve_placement


@pytest.mark.parametrize("seed", range(40))
def test_placement_matches_brute_force(seed: int) -> None:
    problem = random_problem(seed, people=seed % 7 + 1, facilities=seed % 3 + 1)
    plan = solve_placement(problem)
    placed, cost = brute_force(problem)
    assert len(plan.placements) == placed
    assert sum(p.cost.total for p in plan.placements) == cost
    assert plan.is_proven_optimal


@pytest.mark.parametrize("seed", range(12))
def test_pricing_recovers_facilities_left_out_of_the_first_flow(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = random_problem(seed, people=seed % 7 + 1, facilities=3)
    monkeypatch.setattr("ilos.operations.placement.CANDIDATES_PER_GROUP", 1)
    plan = solve_placement(problem)
    placed, cost = brute_force(problem)
    assert (len(plan.placements), sum(p.cost.total for p in plan.placements)) == (placed, cost)
    assert plan.is_proven_optimal


def test_larger_instance_is_the_same_with_few_or_all_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = random_problem(99, people=400, facilities=30)
    full = solve_placement(problem)
    monkeypatch.setattr("ilos.operations.placement.CANDIDATES_PER_GROUP", 2)
    pruned = solve_placement(problem)
    assert pruned.objective == full.objective == pruned.lower_bound
    assert pruned.rounds > 1
