"""Removal transport: pack cleared, documented people onto flights, minimising flight cost and detention.

People ride only to their own country, so the problem splits into independent components of countries
joined by shared (multi-stop) flights; with single-destination flights every country is its own
component. Inside a component people with the same country and the same eligible flights are
interchangeable, so a small exact model (CP-SAT: which flights to operate, how many of each group on
each) solves it to optimality in milliseconds. The plan's lower bound is the sum of the components'
proven bounds, so its gap is a proof, not an estimate."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from ortools.sat.python import cp_model

from ilos.errors import IlosError, InvalidInputError
from ilos.operations.transport_report import Component, Solution, report_transport
from ilos.operations.transport_types import Excluded, Flight, Removee, TransportPlan, TransportProblem


@dataclass(frozen=True, slots=True)
class Screened:
    excluded: tuple[Excluded, ...]
    eligible: dict[str, tuple[int, ...]]  # person id -> indices of flights they can take
    horizon: date


def solve_transport(problem: TransportProblem, seconds_per_component: float = 10.0) -> TransportPlan:
    """The cheapest plan over every component; each component is solved to proven optimality when
    its time limit allows (it always has on instances of the documented size)."""
    _check_inputs(problem)
    screened = screen_people(problem)
    hold = hold_cents(problem, screened.horizon)
    solutions = [_solve(problem, c, hold, seconds_per_component) for c in _components(problem, screened)]
    return report_transport(problem, screened.excluded, screened.eligible, screened.horizon, solutions)


def _check_inputs(problem: TransportProblem) -> None:
    ids = [p.person_id for p in problem.people]
    if len(set(ids)) != len(ids):
        raise InvalidInputError("person ids must be unique in a transport problem")
    fids = [f.flight_id for f in problem.flights]
    if len(set(fids)) != len(fids):
        raise InvalidInputError("flight ids must be unique in a transport problem")
    bad = [f.flight_id for f in problem.flights if f.seats < 0 or f.cost_cents < 0 or f.seat_cost_cents < 0]
    if bad:
        raise InvalidInputError(f"{len(bad)} flights have negative seats or costs (e.g. {bad[0]!r})")


def screen_people(problem: TransportProblem) -> Screened:
    """Drop whoever the gates did not clear or who has no travel document, saying why; list the
    flights each remaining person could take (their country, departing on or after documents are ready)."""
    excluded: list[Excluded] = []
    eligible: dict[str, tuple[int, ...]] = {}
    for p in sorted(problem.people, key=lambda x: x.person_id):
        reason = _exclusion(p)
        if reason:
            excluded.append(Excluded(p.person_id, p.destination, reason))
            continue
        ready = max(p.documents_ready_on or problem.today, problem.today)
        eligible[p.person_id] = tuple(
            i
            for i, f in enumerate(problem.flights)
            if p.destination in f.destinations and f.departs_on >= ready and f.seats > 0
        )
    last = max((f.departs_on for f in problem.flights), default=problem.today)
    return Screened(
        tuple(excluded), eligible, max(last, problem.today) + timedelta(problem.weights.horizon_days)
    )


def _exclusion(p: Removee) -> str | None:
    if not p.removal_allowed:
        return p.blocked_reason or "removal not cleared by the gate check"
    if p.documents_ready_on is None:
        return "no travel document issued or expected"
    return None


def _components(problem: TransportProblem, screened: Screened) -> list[Component]:
    """Groups of interchangeable people joined to the flights they could share (union-find on flights)."""
    groups: dict[tuple[str, tuple[int, ...]], list[str]] = defaultdict(list)
    by_id = {p.person_id: p for p in problem.people}
    for pid, flights in screened.eligible.items():
        if flights:
            groups[(by_id[pid].destination, flights)].append(pid)
    parent = list(range(len(problem.flights)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for _, flights in groups:
        for f in flights[1:]:
            parent[root(f)] = root(flights[0])
    parts: dict[int, list[tuple[tuple[str, tuple[int, ...]], list[str]]]] = defaultdict(list)
    for key in sorted(groups):
        parts[root(key[1][0])].append((key, groups[key]))
    return [
        Component(
            groups=tuple((dest, flights, tuple(sorted(people))) for (dest, flights), people in members),
            flights=tuple(sorted({f for (_, flights), _ in members for f in flights})),
        )
        for _, members in sorted(parts.items())
    ]


def seat_cents(problem: TransportProblem, flight: Flight) -> int:
    """What one person on this flight costs besides the flight itself: the seat and detention until it."""
    days = (flight.departs_on - problem.today).days
    return flight.seat_cost_cents + problem.weights.daily_detention_cents * days


def hold_cents(problem: TransportProblem, horizon: date) -> int:
    """What a person left off every flight costs: detention until the plan's horizon."""
    return problem.weights.daily_detention_cents * (horizon - problem.today).days


def _solve(problem: TransportProblem, comp: Component, hold: int, seconds: float) -> Solution:
    """Fixed-charge transportation model for one component, solved exactly by CP-SAT."""
    model = cp_model.CpModel()
    fly = {f: model.new_bool_var(f"fly{f}") for f in comp.flights}
    take: dict[tuple[int, int], cp_model.IntVar] = {}
    for g, (_, flights, people) in enumerate(comp.groups):
        for f in flights:
            take[g, f] = model.new_int_var(0, len(people), f"x{g}_{f}")
        model.add(sum(take[g, f] for f in flights) <= len(people))
    for f in comp.flights:
        riders = [v for (_, h), v in take.items() if h == f]
        model.add(sum(riders) <= problem.flights[f].seats * fly[f])
        model.add(sum(riders) >= fly[f])  # an empty flight is not operated, even when it would cost nothing
    everyone = sum(len(people) for _, _, people in comp.groups)
    model.minimize(
        sum(problem.flights[f].cost_cents * fly[f] for f in comp.flights)
        + sum((seat_cents(problem, problem.flights[f]) - hold) * v for (_, f), v in take.items())
        + hold * everyone
    )
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1  # deterministic, and the machine's cores are shared
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise IlosError(
            f"transport model for {comp.countries()} ended with {solver.status_name(status)}; report this"
        )
    return Solution(
        component=comp,
        flown=tuple(f for f in comp.flights if solver.value(fly[f])),
        taken={k: int(solver.value(v)) for k, v in take.items() if solver.value(v)},
        objective=round(solver.objective_value),
        bound=math.ceil(solver.best_objective_bound - 1e-6),  # integer costs: round the float bound up
    )
