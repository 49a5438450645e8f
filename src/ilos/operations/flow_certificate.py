"""Prices that prove a transportation-problem solution optimal (linear-programming duality).

Groups ship people to beds (capacity-limited) or to an uncapacitated overflow bed. For any bed
prices π ≥ 0, every group's cheapest priced option u_g = min_k(c_gk + π_k) gives the lower bound
Σ n_g·u_g − Σ cap_k·π_k on every feasible plan (weak duality). Prices derived from an optimal flow
by shortest paths make the bound equal the flow's cost; an arc priced below its group's u_g shows the
restricted arc set missed something and is added back. This is what lets the solver look at a few
cheap facilities per group yet prove optimality over all of them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
UNREACHED = np.iinfo(np.int64).max // 4


@dataclass(frozen=True, slots=True)
class Arcs:
    """Group → bed arcs with unit costs; the overflow bed is index `beds` (one past the last real bed)."""

    group: IntArray
    bed: IntArray
    cost: IntArray


def bed_prices(arcs: Arcs, flow: IntArray, bed_used: IntArray, bed_capacity: IntArray) -> IntArray:
    """Shortest-path prices over the residual graph between beds (overflow included, price 0).

    Moving one person of group g from bed k (where g has flow) to bed j changes cost by c_gj − c_gk,
    so π_k ≤ π_j + c_gj − c_gk; beds with spare room must be priced 0. The largest such π is the
    shortest distance from the beds with room. Returned prices are clamped at 0, so they are always
    a valid dual (the bound stays valid even if the flow were not optimal)."""
    n_beds = len(bed_capacity) + 1
    src, dst, weight = _residual_edges(arcs, flow)
    dist = np.full(n_beds, UNREACHED, dtype=np.int64)
    roots = np.append(bed_used < bed_capacity, True)
    dist[roots] = 0
    for _ in range(n_beds):
        reach = dist[src] < UNREACHED
        candidate = dist[src[reach]] + weight[reach]
        new = dist.copy()
        np.minimum.at(new, dst[reach], candidate)
        if np.array_equal(new, dist):
            break
        dist = new
    return np.clip(np.where(dist >= UNREACHED, 0, dist), 0, None)


def _residual_edges(arcs: Arcs, flow: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Edges j → k weighted c_gj − c_gk for every group g with flow on bed k and an arc to bed j."""
    order = np.argsort(arcs.group, kind="stable")
    group, bed, cost = arcs.group[order], arcs.bed[order], arcs.cost[order]
    starts = np.searchsorted(group, np.arange(group.max() + 2 if len(group) else 1))
    used = np.flatnonzero(flow > 0)
    used_group, used_bed, used_cost = arcs.group[used], arcs.bed[used], arcs.cost[used]
    counts = starts[used_group + 1] - starts[used_group]
    owner = np.repeat(np.arange(len(used)), counts)
    offsets = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    partner = starts[used_group][owner] + offsets
    return bed[partner], used_bed[owner], cost[partner] - used_cost[owner]


def lower_bound(group_best: IntArray, group_size: IntArray, prices: IntArray, bed_capacity: IntArray) -> int:
    """Σ n_g·u_g − Σ cap_k·π_k, with u_g each group's cheapest priced option over all its arcs."""
    return int(group_size @ group_best) - int(bed_capacity @ prices[: len(bed_capacity)])


def priced_minimum(arcs: Arcs, prices: IntArray, n_groups: int) -> IntArray:
    """Each group's cheapest priced option among the given arcs."""
    best = np.full(n_groups, UNREACHED, dtype=np.int64)
    np.minimum.at(best, arcs.group, arcs.cost + prices[arcs.bed])
    return best
