"""The typed inputs and outputs of detention placement: people, facilities with capacity by sex and
security level, cost weights, and a plan whose every placement carries the costs that explain it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from ilos.operations.geo import GeoPoint


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"


class SecurityLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class MedicalLevel(IntEnum):
    """Ordered: a facility serves every need up to its own level."""

    NONE = 0
    BASIC = 1
    INTERMEDIATE = 2
    FULL = 3


BedClass = tuple[Sex, SecurityLevel]
BED_CLASSES: tuple[BedClass, ...] = tuple((s, lvl) for s in Sex for lvl in SecurityLevel)


@dataclass(frozen=True, slots=True)
class Facility:
    facility_id: str
    name: str
    location: GeoPoint
    capacity: Mapping[BedClass, int]
    medical_level: MedicalLevel

    def beds(self, bed_class: BedClass) -> int:
        return self.capacity.get(bed_class, 0)


@dataclass(frozen=True, slots=True)
class Detainee:
    """A detained or to-be-detained person as placement sees them.

    Locations are place ids (a facility, an arrest site, a court, a law office) so that people who share
    them share every cost exactly; that is what lets the solver work on groups, not individuals."""

    person_id: str
    sex: Sex
    security: SecurityLevel
    medical_need: MedicalLevel
    origin: str
    court: str | None = None
    counsel: str | None = None
    excluded_facilities: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class PlacementWeights:
    """Cost points per kilometre and the counsel rule; integers so optima are exact."""

    transfer_per_km: int = 10
    court_per_km: int = 3
    counsel_radius_km: int = 160
    counsel_per_km: int = 5
    away_from_counsel: int = 2_000


@dataclass(frozen=True, slots=True)
class PlacementProblem:
    people: tuple[Detainee, ...]
    facilities: tuple[Facility, ...]
    places: Mapping[str, GeoPoint]
    weights: PlacementWeights = field(default_factory=PlacementWeights)

    def location(self, place_id: str) -> GeoPoint:
        return self.places[place_id]


@dataclass(frozen=True, slots=True)
class CostBreakdown:
    """Why a facility costs what it does for one person: each component in cost points and kilometres."""

    transfer_km: int
    court_km: int | None
    counsel_km: int | None
    transfer_cost: int
    court_cost: int
    counsel_cost: int

    @property
    def total(self) -> int:
        return self.transfer_cost + self.court_cost + self.counsel_cost


@dataclass(frozen=True, slots=True)
class Placement:
    person_id: str
    facility_id: str
    bed_class: BedClass
    cost: CostBreakdown
    near_counsel: bool | None
    counsel_reason: str | None


@dataclass(frozen=True, slots=True)
class Unplaced:
    person_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class BedUse:
    facility_id: str
    bed_class: BedClass
    used: int
    capacity: int


@dataclass(frozen=True, slots=True)
class PlacementPlan:
    """An optimal placement with its certificate: `lower_bound == objective` proves optimality."""

    placements: tuple[Placement, ...]
    unplaced: tuple[Unplaced, ...]
    beds: tuple[BedUse, ...]
    objective: int
    lower_bound: int
    groups: int
    arcs: int
    rounds: int

    @property
    def is_proven_optimal(self) -> bool:
        return self.lower_bound == self.objective
