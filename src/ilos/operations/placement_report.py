"""Turn group flows into a plan about people: who goes where and why, who could not be placed and why,
and how full every bed class of every facility ends up."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ilos.operations.flow_certificate import Arcs, IntArray
from ilos.operations.placement_costs import BoolArray, counsel_points
from ilos.operations.placement_network import NO_BED, Network, block
from ilos.operations.placement_types import (
    BED_CLASSES,
    BedUse,
    CostBreakdown,
    MedicalLevel,
    Placement,
    PlacementPlan,
    PlacementWeights,
    Sex,
    Unplaced,
)


def report_plan(
    net: Network, arcs: Arcs, flow: IntArray, objective: int, bound: int, rounds: int
) -> PlacementPlan:
    used = np.bincount(arcs.bed, weights=flow, minlength=net.overflow_bed + 1).astype(np.int64)
    carrying = np.flatnonzero(flow > 0)
    carrying = carrying[np.lexsort((arcs.bed[carrying], arcs.group[carrying]))]
    group, bed, amount = arcs.group[carrying], arcs.bed[carrying], flow[carrying]
    # Each arc deals the next `amount` members of its group, in person-id order.
    before = np.cumsum(amount) - amount
    first_of_group = np.searchsorted(group, group)
    offset = net.groups.start[group] + before - before[first_of_group]
    placed = bed != net.overflow_bed
    costs = _arc_costs(net, group[placed], bed[placed])
    rows = _explained_rows(net, group, costs, placed, used)
    arc_row = np.cumsum(placed) - 1  # position of each placing arc among the placing arcs
    placements: list[Placement] = []
    unplaced: list[Unplaced] = []
    people, ids = net.problem.people, net.groups.order
    for a, g in enumerate(group.tolist()):
        members = ids[offset[a] : offset[a] + amount[a]].tolist()
        if not placed[a]:
            why = _unplaced_reason(net, rows[g])
            unplaced.extend(Unplaced(people[i].person_id, why) for i in members)
            continue
        cost, near = costs.breakdown(int(arc_row[a]))
        reason = None if near is None or near else _away_reason(net, rows[g], cost)
        facility_id = net.facility_ids[int(net.beds.facility[bed[a]])]
        bed_class = BED_CLASSES[int(net.beds.bed_class[bed[a]])]
        placements.extend(
            Placement(people[i].person_id, facility_id, bed_class, cost, near, reason) for i in members
        )
    groups, n_arcs = len(net.groups.size), len(arcs.group)
    return PlacementPlan(
        tuple(placements), tuple(unplaced), _bed_uses(net, used), objective, bound, groups, n_arcs, rounds
    )


@dataclass(frozen=True, slots=True)
class _Row:
    """One group's costs and beds over every facility."""

    group: int
    cost: IntArray
    bed: IntArray
    near: BoolArray  # compatible facilities within the counsel radius
    room: BoolArray  # ... of which some beds of the class are still free


@dataclass(frozen=True, slots=True)
class _ArcCosts:
    """Cost components of every placing arc, computed at once from the solver's distance table."""

    transfer_km: IntArray
    court_km: IntArray  # -1: no court
    counsel_km: IntArray  # -1: no counsel
    weights: PlacementWeights

    def breakdown(self, i: int) -> tuple[CostBreakdown, bool | None]:
        w, t, c, k = self.weights, int(self.transfer_km[i]), int(self.court_km[i]), int(self.counsel_km[i])
        cost = CostBreakdown(
            transfer_km=t,
            court_km=None if c < 0 else c,
            counsel_km=None if k < 0 else k,
            transfer_cost=w.transfer_per_km * t,
            court_cost=0 if c < 0 else w.court_per_km * c,
            counsel_cost=0 if k < 0 else counsel_points(k, w),
        )
        return cost, None if k < 0 else k <= w.counsel_radius_km


def _arc_costs(net: Network, group: IntArray, bed: IntArray) -> _ArcCosts:
    g, f, km = net.groups, net.beds.facility[bed], net.dist.km

    def at(place: IntArray) -> IntArray:
        return np.where(place >= 0, km[np.maximum(place, 0), f], -1) if len(place) else place

    return _ArcCosts(at(g.origin[group]), at(g.court[group]), at(g.counsel[group]), net.problem.weights)


def _explained_rows(
    net: Network, group: IntArray, costs: _ArcCosts, placed: BoolArray, used: IntArray
) -> dict[int, _Row]:
    """Full rows only for the groups whose outcome needs a reason: unplaced, or held away from counsel."""
    radius = net.problem.weights.counsel_radius_km
    away = (costs.counsel_km >= 0) & (costs.counsel_km > radius)
    needy = np.unique(np.concatenate([group[~placed], group[placed][away]]))
    if not len(needy):
        return {}
    cost, beds = block(net, needy)
    near, room = _counsel_options(net, needy, beds, used)
    return {int(g): _Row(int(g), cost[r], beds[r], near[r], room[r]) for r, g in enumerate(needy)}


def _counsel_options(
    net: Network, groups: IntArray, bed: IntArray, used: IntArray
) -> tuple[BoolArray, BoolArray]:
    """For some groups: which compatible facilities are near counsel, and which of those have room."""
    radius = net.problem.weights.counsel_radius_km
    counsel_km = net.dist.km[net.groups.counsel[groups]]
    near = (bed != NO_BED) & (counsel_km <= radius) & (net.groups.counsel[groups] != -1)[:, None]
    k = np.maximum(bed, 0)
    return near, near & (used[k] < np.append(net.beds.capacity, 0)[k])


def _bed_uses(net: Network, used: IntArray) -> tuple[BedUse, ...]:
    return tuple(
        BedUse(
            net.facility_ids[int(net.beds.facility[k])],
            BED_CLASSES[int(net.beds.bed_class[k])],
            int(used[k]),
            int(net.beds.capacity[k]),
        )
        for k in range(len(net.beds.capacity))
    )


def _describe(net: Network, g: int) -> str:
    sex, level = BED_CLASSES[int(net.groups.bed_class[g])]
    medical = MedicalLevel(int(net.groups.medical[g]))
    care = "" if medical == MedicalLevel.NONE else f" and {medical.name.lower()} medical care or better"
    return f"{'male' if sex == Sex.MALE else 'female'} {level.value}-security beds{care}"


def _away_reason(net: Network, row: _Row, cost: CostBreakdown) -> str:
    """Why this person is held beyond the counsel radius: none near, all full, or cheaper overall."""
    radius, g = net.problem.weights.counsel_radius_km, row.group
    if not row.near.any():
        return f"no facility within {radius} km of counsel has {_describe(net, g)}"
    if not row.room.any():
        full = ", ".join(net.facility_ids[j] for j in np.flatnonzero(row.near)[:3])
        return f"every facility within {radius} km of counsel with {_describe(net, g)} is full ({full})"
    j = int(np.argmin(np.where(row.room, row.cost, np.iinfo(np.int64).max)))
    return (
        f"cheaper overall than {net.facility_ids[j]} within {radius} km of counsel "
        f"({cost.total} vs {int(row.cost[j])} cost points, transfer and court distance included)"
    )


def _unplaced_reason(net: Network, row: _Row) -> str:
    g = row.group
    compatible = int((row.bed != NO_BED).sum())
    barred = len(net.groups.excluded[g])
    bars = f" ({barred} facilities barred for this person)" if barred else ""
    if compatible == 0:
        return f"no facility has {_describe(net, g)}{bars}"
    return f"all {compatible} facilities with {_describe(net, g)} are full{bars}"
