"""Optimal detention placement as a min-cost flow over compatibility groups, with a proof of optimality.

Groups (people who share every cost) ship to bed nodes (facility × sex × security); an overflow arc
priced above any chain of moves keeps the flow feasible while placing as many people as possible.
Only each group's K cheapest compatible facilities enter the first flow; duality prices then check
every other facility and add any that could improve the plan, until the prices prove the plan optimal
over all facilities (see flow_certificate). People are then dealt to facilities group by group in
person-id order, so the same input gives the same plan."""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from ilos.errors import IlosError, InvalidInputError
from ilos.operations.flow_certificate import Arcs, IntArray, bed_prices, lower_bound, priced_minimum
from ilos.operations.placement_network import NO_BED, Network, block, build_network
from ilos.operations.placement_report import report_plan
from ilos.operations.placement_types import PlacementPlan, PlacementProblem

CANDIDATES_PER_GROUP = 12
MAX_ROUNDS = 50
BIG = np.iinfo(np.int64).max // 4


def solve_placement(problem: PlacementProblem) -> PlacementPlan:
    """The cheapest placement that places as many people as capacity and compatibility allow."""
    _check_inputs(problem)
    net = build_network(problem)
    arcs = _initial_arcs(net)
    for rounds in range(1, MAX_ROUNDS + 1):
        flow, objective = _solve_flow(net, arcs)
        used = np.bincount(arcs.bed, weights=flow, minlength=net.overflow_bed + 1).astype(np.int64)
        prices = bed_prices(arcs, flow, used[:-1], net.beds.capacity)
        restricted = priced_minimum(arcs, prices, len(net.groups.size))
        best, missing = _price_out(net, prices, restricted)
        bound = lower_bound(best, net.groups.size, prices, net.beds.capacity)
        if missing is None:
            return report_plan(net, arcs, flow, objective, bound, rounds)
        arcs = _concat(arcs, missing)
    raise IlosError(f"placement did not converge in {MAX_ROUNDS} pricing rounds; report this with the input")


def _check_inputs(problem: PlacementProblem) -> None:
    ids = [p.person_id for p in problem.people]
    if len(set(ids)) != len(ids):
        raise InvalidInputError("person ids must be unique in a placement problem")
    fids = [f.facility_id for f in problem.facilities]
    if len(set(fids)) != len(fids):
        raise InvalidInputError("facility ids must be unique in a placement problem")
    places = {x for p in problem.people for x in (p.origin, p.court, p.counsel) if x is not None}
    unknown = sorted(places - set(problem.places))
    if unknown:
        raise InvalidInputError(f"{len(unknown)} places have no location (e.g. {unknown[0]!r}); add them")


def _initial_arcs(net: Network) -> Arcs:
    """Each group's cheapest compatible facilities, plus its overflow arc."""
    parts: list[Arcs] = []
    k = min(CANDIDATES_PER_GROUP, len(net.problem.facilities))
    for rows in net.blocks():
        cost, bed = block(net, rows)
        if k == 0:
            break
        masked = np.where(bed != NO_BED, cost, BIG)
        pick = np.argpartition(masked, k - 1, axis=1)[:, :k] if k < masked.shape[1] else None
        if pick is None:
            pick = np.broadcast_to(np.arange(masked.shape[1]), masked.shape)
        parts.append(_arcs_at(rows, np.take_along_axis(bed, pick, 1), np.take_along_axis(cost, pick, 1)))
    n = len(net.groups.size)
    overflow = Arcs(
        np.arange(n, dtype=np.int64),
        np.full(n, net.overflow_bed, dtype=np.int64),
        np.full(n, net.overflow_cost, dtype=np.int64),
    )
    return _concat(*parts, overflow)


def _arcs_at(rows: slice, bed: IntArray, cost: IntArray) -> Arcs:
    r, c = np.nonzero(bed != NO_BED)
    start = rows.start or 0
    return Arcs((r + start).astype(np.int64), bed[r, c], cost[r, c])


def _concat(*parts: Arcs) -> Arcs:
    return Arcs(
        np.concatenate([p.group for p in parts]),
        np.concatenate([p.bed for p in parts]),
        np.concatenate([p.cost for p in parts]),
    )


def _price_out(net: Network, prices: IntArray, restricted: IntArray) -> tuple[IntArray, Arcs | None]:
    """Each group's cheapest priced option over all facilities, and the arcs priced below the current one."""
    best = np.minimum(restricted, net.overflow_cost)
    missing: list[Arcs] = []
    for rows in net.blocks():
        cost, bed = block(net, rows)
        priced = np.where(bed != NO_BED, cost + prices[np.maximum(bed, 0)], BIG)
        best[rows] = np.minimum(best[rows], priced.min(axis=1, initial=BIG))
        better = np.where(priced < restricted[rows][:, None], bed, NO_BED)
        if (better != NO_BED).any():
            missing.append(_arcs_at(rows, better, cost))
    return best, (_concat(*missing) if missing else None)


def _solve_flow(net: Network, arcs: Arcs) -> tuple[IntArray, int]:
    """One min-cost flow: groups → beds (overflow included) → sink."""
    n_groups, n_beds = len(net.groups.size), net.overflow_bed + 1
    sink = n_groups + n_beds
    total = int(net.groups.size.sum())
    flow = min_cost_flow.SimpleMinCostFlow()
    ids = flow.add_arcs_with_capacity_and_unit_cost(
        arcs.group, n_groups + arcs.bed, net.groups.size[arcs.group], arcs.cost
    )
    bed_nodes = n_groups + np.arange(n_beds, dtype=np.int64)
    capacity = np.append(net.beds.capacity, total)
    flow.add_arcs_with_capacity_and_unit_cost(
        bed_nodes, np.full(n_beds, sink), capacity, np.zeros(n_beds, dtype=np.int64)
    )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n_groups] = net.groups.size
    supplies[sink] = -total
    flow.set_nodes_supplies(np.arange(sink + 1), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise IlosError(f"min-cost flow for placement ended with status {status}; report this with the input")
    return np.asarray(flow.flows(ids), dtype=np.int64), int(flow.optimal_cost())
