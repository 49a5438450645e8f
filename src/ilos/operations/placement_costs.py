"""What a facility costs for a person: transfer distance, distance from the court, and the counsel rule.

One definition serves the solver (vectorised over groups × facilities), the explanations and the
brute-force tests, so the three can never disagree."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ilos.operations.geo import distance_matrix_km
from ilos.operations.placement_types import (
    CostBreakdown,
    Detainee,
    Facility,
    PlacementProblem,
    PlacementWeights,
)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
NO_PLACE = -1


@dataclass(frozen=True, slots=True)
class PlaceDistances:
    """Kilometres from every place in use to every facility; rows indexed by `index[place_id]`."""

    index: dict[str, int]
    km: IntArray

    def row(self, place_id: str | None) -> int:
        return NO_PLACE if place_id is None else self.index[place_id]


def place_distances(problem: PlacementProblem, place_ids: list[str]) -> PlaceDistances:
    points = [problem.location(p) for p in place_ids]
    km = distance_matrix_km(points, [f.location for f in problem.facilities])
    return PlaceDistances({p: i for i, p in enumerate(place_ids)}, km)


def counsel_cost(km: IntArray, weights: PlacementWeights) -> IntArray:
    """Nothing within the radius; beyond it a fixed penalty plus a per-kilometre charge for the excess."""
    excess = np.maximum(km - weights.counsel_radius_km, 0)
    return np.where(excess > 0, weights.away_from_counsel + weights.counsel_per_km * excess, 0)


def counsel_points(km: int, weights: PlacementWeights) -> int:
    """The scalar twin of `counsel_cost`, for explaining one placement."""
    excess = max(km - weights.counsel_radius_km, 0)
    return weights.away_from_counsel + weights.counsel_per_km * excess if excess > 0 else 0


@dataclass(frozen=True, slots=True)
class CostTables:
    """Weighted cost of every facility from every place, per component; the extra last row is all zeros
    so NO_PLACE (-1) selects "no court" or "no counsel" without a branch."""

    transfer: IntArray
    court: IntArray
    counsel: IntArray


def cost_tables(dist: PlaceDistances, weights: PlacementWeights) -> CostTables:
    zero = np.zeros((1, dist.km.shape[1]), dtype=np.int64)
    return CostTables(
        transfer=np.vstack([weights.transfer_per_km * dist.km, zero]),
        court=np.vstack([weights.court_per_km * dist.km, zero]),
        counsel=np.vstack([counsel_cost(dist.km, weights), zero]),
    )


def cost_rows(tables: CostTables, origins: IntArray, courts: IntArray, counsels: IntArray) -> IntArray:
    """Total cost of every facility for each (origin, court, counsel) row of place indices."""
    return tables.transfer[origins] + tables.court[courts] + tables.counsel[counsels]


def is_compatible(person: Detainee, facility: Facility) -> bool:
    """Sex and security must match a bed class with beds; medical care must meet the need; no bar applies."""
    return (
        facility.beds((person.sex, person.security)) > 0
        and facility.medical_level >= person.medical_need
        and facility.facility_id not in person.excluded_facilities
    )


def places_in_use(problem: PlacementProblem) -> list[str]:
    """Every place any person refers to, sorted, so the distance table is the same on every call."""
    used = {p.origin for p in problem.people}
    used |= {x for p in problem.people for x in (p.court, p.counsel) if x is not None}
    return sorted(used)


def breakdown(
    dist: PlaceDistances, weights: PlacementWeights, person: Detainee, facility_index: int
) -> CostBreakdown:
    """The cost of one facility for one person, component by component, from the solver's own table."""
    transfer_km = int(dist.km[dist.row(person.origin), facility_index])
    court_km = None if person.court is None else int(dist.km[dist.row(person.court), facility_index])
    counsel_km = None if person.counsel is None else int(dist.km[dist.row(person.counsel), facility_index])
    counsel = 0 if counsel_km is None else counsel_points(counsel_km, weights)
    return CostBreakdown(
        transfer_km=transfer_km,
        court_km=court_km,
        counsel_km=counsel_km,
        transfer_cost=weights.transfer_per_km * transfer_km,
        court_cost=0 if court_km is None else weights.court_per_km * court_km,
        counsel_cost=counsel,
    )
