"""The placement network: people grouped by everything their costs depend on, beds by facility and
class, and the group × facility cost and compatibility blocks the solver and its certificate read."""

from __future__ import annotations

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

    members: list[list[int]]
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
    """Vectorised grouping: one integer row per person, unique rows are groups, members in id order."""
    class_index = {c: i for i, c in enumerate(BED_CLASSES)}
    bars = sorted({p.excluded_facilities for p in problem.people}, key=sorted)
    bar_index = {b: i for i, b in enumerate(bars)}
    rows = np.array(
        [
            (
                class_index[(p.sex, p.security)],
                int(p.medical_need),
                dist.row(p.origin),
                dist.row(p.court),
                dist.row(p.counsel),
                bar_index[p.excluded_facilities],
            )
            for p in problem.people
        ],
        dtype=np.int64,
    ).reshape(len(problem.people), 6)
    keys, inverse = np.unique(rows, axis=0, return_inverse=True)
    by_id = np.argsort(np.array([p.person_id for p in problem.people], dtype=object), kind="stable")
    rank = np.empty(len(by_id), dtype=np.int64)
    rank[by_id] = np.arange(len(by_id))
    order = np.lexsort((rank, inverse.ravel()))
    sizes = np.bincount(inverse.ravel(), minlength=len(keys)).astype(np.int64)
    members = [m.tolist() for m in np.split(order, np.cumsum(sizes)[:-1])] if len(keys) else []
    excluded = [bars[int(b)] for b in keys[:, 5]]
    return Groups(
        members=members,
        bed_class=keys[:, 0].copy(),
        medical=keys[:, 1].copy(),
        origin=keys[:, 2].copy(),
        court=keys[:, 3].copy(),
        counsel=keys[:, 4].copy(),
        excluded=excluded,
        size=sizes,
        barred=np.flatnonzero([bool(e) for e in excluded]).astype(np.int64),
    )


def _beds(problem: PlacementProblem) -> Beds:
    cap = np.array([[f.beds(c) for c in BED_CLASSES] for f in problem.facilities], dtype=np.int64)
    cap = cap.reshape(len(problem.facilities), len(BED_CLASSES))
    has = cap > 0
    of = np.full(cap.shape, NO_BED, dtype=np.int64)
    of[has] = np.arange(int(has.sum()))
    facility, bed_class = np.nonzero(has)
    return Beds(of, facility.astype(np.int64), bed_class.astype(np.int64), cap[has])


def block(net: Network, rows: slice) -> tuple[IntArray, IntArray]:
    """Costs and bed indices (NO_BED where incompatible) for a slice of groups × every facility."""
    g = net.groups
    cost = cost_rows(net.tables, g.origin[rows], g.court[rows], g.counsel[rows])
    bed = net.beds.of[:, g.bed_class[rows]].T.copy()
    bed[net.medical[None, :] < g.medical[rows][:, None]] = NO_BED
    start = rows.start or 0
    for gi in g.barred[(g.barred >= start) & (g.barred < start + len(bed))]:
        columns = [j for j, fid in enumerate(net.facility_ids) if fid in g.excluded[gi]]
        bed[gi - start, columns] = NO_BED
    return cost, bed
