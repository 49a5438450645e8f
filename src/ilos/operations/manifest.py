"""Manifests are locked and flown only after a fresh gate check of every person on them.

The plan was made with gate decisions of its own moment; a stay of removal, an appeal or a protection
can arrive at any time after. So locking re-runs the caller's gate check for every person (never a
cached answer) and takes off anyone now blocked, recording why; the check at departure does the same
again and halts those people. Nothing here decides a gate: the caller supplies the check."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from ilos.errors import NotFoundError
from ilos.operations.transport_types import Seat, TransportPlan


@dataclass(frozen=True, slots=True)
class GateOutcome:
    """The gate check's answer now; `gate` names the gate that blocks (empty when allowed)."""

    allowed: bool
    reason: str
    gate: str = ""


GateCheck = Callable[[str, str], GateOutcome]  # (person id, destination country) -> outcome now


@dataclass(frozen=True, slots=True)
class Blocked:
    """Someone taken off a manifest: at which step, when, which gate and its reason."""

    person_id: str
    destination: str
    step: str
    at: datetime
    reason: str
    gate: str = ""


class Passenger(Protocol):
    """Whatever names a person and where they are flown: a planned seat, or a stored manifest row."""

    @property
    def person_id(self) -> str: ...

    @property
    def destination(self) -> str: ...


P = TypeVar("P", bound=Passenger)
P_co = TypeVar("P_co", bound=Passenger, covariant=True)


class Manifest(Protocol[P_co]):
    """A locked flight's passengers: a `LockedManifest` just made, or one read back from the store."""

    @property
    def flight_id(self) -> str: ...

    @property
    def seats(self) -> Sequence[P_co]: ...


@dataclass(frozen=True, slots=True)
class LockedManifest:
    flight_id: str
    locked_at: datetime
    seats: tuple[Seat, ...]
    removed: tuple[Blocked, ...]


@dataclass(frozen=True, slots=True)
class DepartureCheck(Generic[P]):
    flight_id: str
    checked_at: datetime
    cleared: tuple[P, ...]
    halted: tuple[Blocked, ...]

    @property
    def may_depart(self) -> bool:
        """The flight leaves with the cleared people; halted people stay, whatever the schedule."""
        return bool(self.cleared)


def lock_manifest(plan: TransportPlan, flight_id: str, gate_check: GateCheck, at: datetime) -> LockedManifest:
    """Lock one flight's manifest: every planned person is checked again now; the blocked are removed."""
    seats = tuple(s for s in plan.seats if s.flight_id == flight_id)
    if not seats and flight_id not in {f.flight_id for f in plan.flights}:
        raise NotFoundError(f"flight {flight_id!r} is not in this plan; choose one of its flights")
    cleared, removed = recheck(seats, gate_check, "manifest lock", at)
    return LockedManifest(flight_id, at, cleared, removed)


def check_at_departure(manifest: Manifest[P], gate_check: GateCheck, at: datetime) -> DepartureCheck[P]:
    """The last check, at the aircraft door: anyone now blocked is halted and stays."""
    cleared, halted = recheck(manifest.seats, gate_check, "departure", at)
    return DepartureCheck(manifest.flight_id, at, cleared, halted)


def recheck(
    passengers: Sequence[P], gate_check: GateCheck, step: str, at: datetime
) -> tuple[tuple[P, ...], tuple[Blocked, ...]]:
    """Ask the gate check about every passenger now: those it allows, and those it blocks with why."""
    cleared: list[P] = []
    blocked: list[Blocked] = []
    for seat in passengers:
        outcome = gate_check(seat.person_id, seat.destination)
        if outcome.allowed:
            cleared.append(seat)
        else:
            blocked.append(Blocked(seat.person_id, seat.destination, step, at, outcome.reason, outcome.gate))
    return tuple(cleared), tuple(blocked)
