"""Turn group flows into a plan about people: who goes where and why, who could not be placed and why,
and how full every bed class of every facility ends up."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ilos.operations.flow_certificate import Arcs, IntArray
from ilos.operations.placement_costs import BoolArray, breakdown
from ilos.operations.placement_network import NO_BED, Network, block
from ilos.operations.placement_types import (
    BED_CLASSES,
    BedUse,
    CostBreakdown,
    MedicalLevel,
    Placement,
    PlacementPlan,
    Sex,
    Unplaced,
)


def report_plan(
    net: Network, arcs: Arcs, flow: IntArray, objective: int, bound: int, rounds: int
) -> PlacementPlan:
    used = np.bincount(arcs.bed, weights=flow, minlength=net.overflow_bed + 1).astype(np.int64)
    carrying = np.flatnonzero(flow > 0)
    order = carrying[np.lexsort((arcs.bed[carrying], arcs.group[carrying]))]
    placements: list[Placement] = []
    unplaced: list[Unplaced] = []
    for rows in net.blocks():
        cost, bed = block(net, rows)
        near, room = _counsel_options(net, rows, bed, used)
        start = rows.start or 0
        lo, hi = np.searchsorted(arcs.group[order], [start, start + len(bed)])
        cursor = 0
        previous = -1
        for arc in order[lo:hi]:
            g, k, amount = int(arcs.group[arc]), int(arcs.bed[arc]), int(flow[arc])
            cursor = 0 if g != previous else cursor
            previous = g
            people = net.groups.members[g][cursor : cursor + amount]
            cursor += amount
            r = g - start
            row = _Row(g, cost[r], bed[r], near[r], room[r])
            if k == net.overflow_bed:
                reason = _unplaced_reason(net, row)
                unplaced.extend(Unplaced(net.problem.people[i].person_id, reason) for i in people)
            else:
                placements.extend(_place(net, row, k, people))
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


def _counsel_options(net: Network, rows: slice, bed: IntArray, used: IntArray) -> tuple[BoolArray, BoolArray]:
    """For a block of groups: which compatible facilities are near counsel, and which of those have room."""
    radius = net.problem.weights.counsel_radius_km
    counsel_km = net.dist.km[net.groups.counsel[rows]]
    near = (bed != NO_BED) & (counsel_km <= radius) & (net.groups.counsel[rows] != -1)[:, None]
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


def _place(net: Network, row: _Row, bed: int, people: list[int]) -> list[Placement]:
    """Every member of a group on one facility shares one cost breakdown and one counsel reason."""
    f = int(net.beds.facility[bed])
    person = net.problem.people[people[0]]
    cost = breakdown(net.dist, net.problem.weights, person, f)
    near = None if cost.counsel_km is None else cost.counsel_km <= net.problem.weights.counsel_radius_km
    reason = None if near is None or near else _away_reason(net, row, cost)
    facility_id = net.facility_ids[f]
    bed_class = BED_CLASSES[int(net.beds.bed_class[bed])]
    return [
        Placement(net.problem.people[i].person_id, facility_id, bed_class, cost, near, reason) for i in people
    ]


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
