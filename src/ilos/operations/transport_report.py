"""Turn component solutions into a plan about people: who flies on which flight and why, who waits for
the next round and why, and how full every flight is, by destination."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from ilos.operations.transport_types import (
    Excluded,
    FlightLoad,
    Removee,
    Seat,
    TransportPlan,
    TransportProblem,
    Unassigned,
)

Group = tuple[str, tuple[int, ...], tuple[str, ...]]  # destination, eligible flights, people (sorted)


@dataclass(frozen=True, slots=True)
class Component:
    groups: tuple[Group, ...]
    flights: tuple[int, ...]

    def countries(self) -> str:
        return ", ".join(sorted({g[0] for g in self.groups}))


@dataclass(frozen=True, slots=True)
class Solution:
    component: Component
    flown: tuple[int, ...]
    taken: dict[tuple[int, int], int]
    objective: int
    bound: int


def report_transport(
    problem: TransportProblem,
    excluded: tuple[Excluded, ...],
    eligible: dict[str, tuple[int, ...]],
    horizon: date,
    solutions: list[Solution],
) -> TransportPlan:
    hold = problem.weights.daily_detention_cents * (horizon - problem.today).days
    placed: list[tuple[str, int, str]] = []
    by_id = {p.person_id: p for p in problem.people}
    stranded = [pid for pid, flights in sorted(eligible.items()) if not flights]
    unassigned = [_no_flight(problem, by_id[pid]) for pid in stranded]
    waiting: list[tuple[str, str, list[int]]] = []
    for s in solutions:
        for g, (dest, flights, people) in enumerate(s.component.groups):
            order = sorted(flights, key=lambda f: (problem.flights[f].departs_on, f))
            cursor = 0
            for f in order:
                n = s.taken.get((g, f), 0)
                placed.extend((pid, f, dest) for pid in people[cursor : cursor + n])
                cursor += n
            waiting.extend((pid, dest, order) for pid in people[cursor:])
    used = Counter(f for _, f, _ in placed)
    flown = set(used)
    unassigned += [
        Unassigned(pid, dest, _waiting_reason(problem, dest, order, used)) for pid, dest, order in waiting
    ]
    seats = tuple(_seat(problem, pid, f, dest, used[f], eligible[pid], flown) for pid, f, dest in placed)
    return TransportPlan(
        seats=tuple(sorted(seats, key=lambda x: x.person_id)),
        unassigned=tuple(sorted(unassigned, key=lambda x: x.person_id)),
        excluded=excluded,
        flights=_loads(problem, placed, flown),
        objective_cents=sum(s.objective for s in solutions) + hold * len(stranded),
        lower_bound_cents=sum(s.bound for s in solutions) + hold * len(stranded),
        components=len(solutions),
    )


def _no_flight(problem: TransportProblem, person: Removee) -> Unassigned:
    ready = max(person.documents_ready_on or problem.today, problem.today)
    return Unassigned(
        person.person_id, person.destination, f"no flight to {person.destination} departs on or after {ready}"
    )


def _seat(
    problem: TransportProblem,
    pid: str,
    f: int,
    dest: str,
    riders: int,
    eligible: tuple[int, ...],
    flown: set[int],
) -> Seat:
    flight = problem.flights[f]
    days = (flight.departs_on - problem.today).days
    earlier = [e for e in eligible if problem.flights[e].departs_on < flight.departs_on]
    if not earlier:
        reason = f"earliest flight to {dest} on or after the travel documents are ready"
    else:
        full = [problem.flights[e].flight_id for e in earlier if e in flown]
        idle = [problem.flights[e].flight_id for e in earlier if e not in flown]
        parts = ([f"full ({', '.join(full)})"] if full else []) + (
            [f"not worth operating ({', '.join(idle)})"] if idle else []
        )
        reason = f"earlier flights to {dest} were " + " or ".join(parts)
    return Seat(
        person_id=pid,
        flight_id=flight.flight_id,
        destination=dest,
        detention_days=days,
        detention_cents=problem.weights.daily_detention_cents * days,
        seat_cents=flight.seat_cost_cents,
        flight_share_cents=flight.cost_cents // max(riders, 1),
        reason=reason,
    )


def _waiting_reason(problem: TransportProblem, dest: str, flights: list[int], used: Counter[int]) -> str:
    """Full flights, flights with room whose seat costs more than waiting, flights not worth operating."""
    ids = [problem.flights[f].flight_id for f in flights]
    full = [i for f, i in zip(flights, ids, strict=True) if used[f] >= problem.flights[f].seats]
    idle = [i for f, i in zip(flights, ids, strict=True) if used[f] == 0]
    room = [i for i in ids if i not in full and i not in idle]
    if not idle and not room:
        return f"every eligible flight to {dest} is full ({', '.join(full)})"
    parts = [f"full: {', '.join(full)}"] if full else []
    parts += [f"a seat costs more than waiting: {', '.join(room)}"] if room else []
    parts += [f"not worth operating: {', '.join(idle)}"] if idle else []
    return f"held for the next round; flights to {dest} " + "; ".join(parts)


def _loads(
    problem: TransportProblem, placed: list[tuple[str, int, str]], flown: set[int]
) -> tuple[FlightLoad, ...]:
    by_flight: dict[int, Counter[str]] = {}
    for _, f, dest in placed:
        by_flight.setdefault(f, Counter())[dest] += 1
    return tuple(
        FlightLoad(
            flight_id=flight.flight_id,
            operated=i in flown,
            used=sum(by_flight.get(i, Counter()).values()),
            seats=flight.seats,
            by_destination=tuple(sorted(by_flight.get(i, Counter()).items())),
        )
        for i, flight in enumerate(problem.flights)
    )
