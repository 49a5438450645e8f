"""The placement network: people grouped by everything their costs depend on, beds by facility and
class, and the group × facility cost and compatibility blocks the solver and its certificate read."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ilos.operations.placement_costs import (
    CostTables,
    PlaceDistances,
    cost_rows,
    cost_tables,
    place_distances,
    places_in_use,
)
from ilos.operations.placement_types import BED_CLASSES, PlacementProblem

IntArray = npt.NDArray[np.int64]
NO_BED = -1
BLOCK_CELLS = 2_000_000  # group × facility cells held at once: bounds memory at 50k people


@dataclass(frozen=True, slots=True)
class Groups:
    """People who share sex, security, medical need, origin, court, counsel and bars share every cost,
    so the solver ships group sizes and splits them back to people afterwards."""

    order: IntArray  # person indices, grouped, each group's members in person-id order
    start: IntArray  # group g's members are order[start[g] : start[g + 1]]
    bed_class: IntArray
    medical: IntArray
    origin: IntArray
    court: IntArray
    counsel: IntArray
    excluded: list[frozenset[str]]
    size: IntArray
    barred: IntArray  # groups with any facility bar: the only rows that need per-row masking


@dataclass(frozen=True, slots=True)
class Beds:
    """One node per (facility, bed class) with beds; `of[f, c]` is its index or NO_BED."""

    of: IntArray
    facility: IntArray
    bed_class: IntArray
    capacity: IntArray


@dataclass(frozen=True, slots=True)
class Network:
    problem: PlacementProblem
    groups: Groups
    beds: Beds
    dist: PlaceDistances
    tables: CostTables
    medical: IntArray
    overflow_cost: int
    facility_ids: tuple[str, ...]

    @property
    def overflow_bed(self) -> int:
        return len(self.beds.capacity)

    def blocks(self) -> list[slice]:
        step = max(1, BLOCK_CELLS // max(1, len(self.problem.facilities)))
        return [slice(i, i + step) for i in range(0, len(self.groups.size), step)]


def build_network(problem: PlacementProblem) -> Network:
    dist = place_distances(problem, places_in_use(problem))
    beds = _beds(problem)
    w = problem.weights
    worst_km = int(dist.km.max()) if dist.km.size else 0
    worst = (w.transfer_per_km + w.court_per_km + w.counsel_per_km) * worst_km + w.away_from_counsel
    # Above the cost of any chain of moves through every bed, so the optimum places as many as it can.
    overflow = worst * (len(beds.capacity) + 2) + 1
    medical = np.array([int(f.medical_level) for f in problem.facilities], dtype=np.int64)
    ids = tuple(f.facility_id for f in problem.facilities)
    tables = cost_tables(dist, w)
    return Network(problem, _groups(problem, dist), beds, dist, tables, medical, overflow, ids)


def _groups(problem: PlacementProblem, dist: PlaceDistances) -> Groups:
    """Vectorised grouping: one integer key per person (the six attributes in mixed radix), unique keys
    are groups, members in person-id order."""
    people = problem.people
    class_index = {c: i for i, c in enumerate(BED_CLASSES)}
    bars = sorted({p.excluded_facilities for p in people}, key=sorted)
    bar_index = {b: i for i, b in enumerate(bars)}
    n = len(people)
    columns = [
        np.fromiter((class_index[(p.sex, p.security)] for p in people), np.int64, n),
        np.fromiter((p.medical_need for p in people), np.int64, n),
        np.fromiter((dist.index[p.origin] for p in people), np.int64, n),
        np.fromiter((-1 if p.court is None else dist.index[p.court] for p in people), np.int64, n),
        np.fromiter((-1 if p.counsel is None else dist.index[p.counsel] for p in people), np.int64, n),
        np.fromiter((bar_index[p.excluded_facilities] for p in people), np.int64, n),
    ]
    keys, first, inverse = np.unique(group_key(columns), return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    rank = np.empty(n, dtype=np.int64)
    rank[sorted(range(n), key=[p.person_id for p in people].__getitem__)] = np.arange(n)
    order = np.lexsort((rank, inverse))
    sizes = np.bincount(inverse, minlength=len(keys)).astype(np.int64)
    excluded = [bars[int(columns[5][i])] for i in first]
    return Groups(
        order=order,
        start=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
        bed_class=columns[0][first],
        medical=columns[1][first],
        origin=columns[2][first],
        court=columns[3][first],
        counsel=columns[4][first],
        excluded=excluded,
        size=sizes,
        barred=np.flatnonzero([bool(e) for e in excluded]).astype(np.int64),
    )


def group_key(columns: list[IntArray]) -> IntArray:
    """One int64 per person that sorts like the attribute rows (mixed radix; "none" (-1) shifted to 0);
    when the radices would overflow int64, the rank of each row among the unique rows instead."""
    radices = [int(c.max(initial=0)) + 2 for c in columns]
    if math.prod(radices) >= 2**62:
        rows = np.stack(columns, axis=1)
        return np.unique(rows, axis=0, return_inverse=True)[1].ravel().astype(np.int64)
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column, radix in zip(columns, radices, strict=True):
        key = key * radix + column + 1
    return key


def _beds(problem: PlacementProblem) -> Beds:
    cap = np.array([[f.beds(c) for c in BED_CLASSES] for f in problem.facilities], dtype=np.int64)
    cap = cap.reshape(len(problem.facilities), len(BED_CLASSES))
    has = cap > 0
    of = np.full(cap.shape, NO_BED, dtype=np.int64)
    of[has] = np.arange(int(has.sum()))
    facility, bed_class = np.nonzero(has)
    return Beds(of, facility.astype(np.int64), bed_class.astype(np.int64), cap[has])


def block(net: Network, rows: slice | IntArray) -> tuple[IntArray, IntArray]:
    """Costs and bed indices (NO_BED where incompatible) for some groups (a slice or indices) × every
    facility."""
    g = net.groups
    index = np.arange(len(g.size), dtype=np.int64)[rows]
    cost = cost_rows(net.tables, g.origin[index], g.court[index], g.counsel[index])
    bed = net.beds.of[:, g.bed_class[index]].T.copy()
    bed[net.medical[None, :] < g.medical[index][:, None]] = NO_BED
    for r in np.flatnonzero(np.isin(index, g.barred)):
        excluded = g.excluded[int(index[r])]
        bed[r, [j for j, fid in enumerate(net.facility_ids) if fid in excluded]] = NO_BED
    return cost, bed
