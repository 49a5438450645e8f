"""Typed inputs and outputs of removal transport: people the caller's gates allow to be removed, flights
with seats, dates and costs, and a plan whose every seat carries the costs that explain it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Removee:
    """A person as transport sees them. `removal_allowed` is the caller's gate decision: transport never
    decides who may be removed, it only excludes whoever the gates did not clear, with their reason."""

    person_id: str
    destination: str
    removal_allowed: bool
    documents_ready_on: date | None
    blocked_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Flight:
    """A flight or bus; `destinations` has more than one country for multi-stop flights. Costs in cents."""

    flight_id: str
    destinations: tuple[str, ...]
    seats: int
    departs_on: date
    cost_cents: int
    seat_cost_cents: int = 0


@dataclass(frozen=True, slots=True)
class TransportWeights:
    """Cents per detention day; people left off every flight are held until `horizon_days` after the last
    flight (the cost of waiting for the next planning round)."""

    daily_detention_cents: int = 16_500
    horizon_days: int = 30


@dataclass(frozen=True, slots=True)
class TransportProblem:
    people: tuple[Removee, ...]
    flights: tuple[Flight, ...]
    today: date
    weights: TransportWeights = field(default_factory=TransportWeights)


@dataclass(frozen=True, slots=True)
class Seat:
    person_id: str
    flight_id: str
    destination: str
    detention_days: int
    detention_cents: int
    seat_cents: int
    flight_share_cents: int
    reason: str


@dataclass(frozen=True, slots=True)
class Excluded:
    """Not planned at all: the gates did not clear removal, or no travel document is ready."""

    person_id: str
    destination: str
    reason: str


@dataclass(frozen=True, slots=True)
class Unassigned:
    """Cleared and documented, but on no flight in this plan; held until the next round."""

    person_id: str
    destination: str
    reason: str


@dataclass(frozen=True, slots=True)
class FlightLoad:
    flight_id: str
    operated: bool
    used: int
    seats: int
    by_destination: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class TransportPlan:
    """A plan with its proof: `lower_bound` is the sum of the per-component solver bounds."""

    seats: tuple[Seat, ...]
    unassigned: tuple[Unassigned, ...]
    excluded: tuple[Excluded, ...]
    flights: tuple[FlightLoad, ...]
    objective_cents: int
    lower_bound_cents: int
    components: int

    @property
    def gap(self) -> float:
        return 0.0 if self.objective_cents == 0 else 1 - self.lower_bound_cents / self.objective_cents
