"""The logistics solvers on a world's files: detention placement and removal transport, each turned into
a plan draft (inputs hash, objective and proof, one explained row per person, capacity overlays per
facility bed class or per flight) that `services.plans` stores as a new version."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ilos.errors import InvalidInputError
from ilos.operations.placement import solve_placement
from ilos.operations.placement_types import Placement, PlacementPlan, PlacementProblem
from ilos.operations.transport import solve_transport
from ilos.operations.transport_types import Seat, TransportPlan, TransportProblem
from ilos.services import logistics_inputs as inputs
from ilos.services.progress import Progress, silent
from ilos.store.plan_tables import AssignmentValues

Row = dict[str, Any]
KINDS = ("placement", "transport")


@dataclass(frozen=True, slots=True)
class PlanDraft:
    """A solved plan not yet stored: what the solver saw (hash), what it found and proved, and why."""

    kind: str
    source: str
    inputs_hash: str
    objective: int
    lower_bound: int
    solver_seconds: float
    summary: Row
    assignments: list[AssignmentValues]
    capacity: list[Row]

    @property
    def gap(self) -> float:
        return 0.0 if self.objective == 0 else 1 - self.lower_bound / self.objective


def draft_plan(
    kind: str, world_dir: Path, resources: Path | None = None, step: Progress = silent
) -> PlanDraft:
    """Solve a `kind` plan on the world's current files (`resources` overrides its facilities or flights)."""
    if kind == "placement":
        return draft_placement(world_dir, resources, step)
    if kind == "transport":
        return draft_transport(world_dir, resources, step)
    raise InvalidInputError(f"Unknown plan kind {kind!r}; use one of: {', '.join(KINDS)}")


def draft_placement(
    world_dir: Path, facilities_csv: Path | None = None, step: Progress = silent
) -> PlanDraft:
    """Place everyone currently held in the world (DEMO people) in its facilities."""
    step("reading facilities and bookings")
    source = facilities_csv or world_dir / "facilities.csv"
    facilities = inputs.load_facilities(source)
    people = inputs.demo_detainees(inputs.held_people(world_dir))
    problem = PlacementProblem(people, facilities, {f.facility_id: f.location for f in facilities})
    step(f"placing {len(people):,} people in {len(facilities)} facilities")
    return placement_draft(problem, str(source))


def placement_draft(problem: PlacementProblem, source: str) -> PlanDraft:
    """Solve a placement problem and explain it, person by person and bed class by bed class."""
    started = time.perf_counter()
    plan = solve_placement(problem)
    seconds = time.perf_counter() - started
    rows = [placement_values(p) for p in plan.placements]
    rows += [
        AssignmentValues(u.person_id, "unplaced", None, None, None, None, None, None, u.reason)
        for u in plan.unplaced
    ]
    summary: Row = {
        "placed": len(plan.placements),
        "unplaced": len(plan.unplaced),
        "away_from_counsel": _away(plan),
    }
    summary |= {"unit": "cost points", "groups": plan.groups, "arcs": plan.arcs, "rounds": plan.rounds}
    proof = (plan.objective, plan.lower_bound, seconds)
    return PlanDraft("placement", source, _hash(problem), *proof, summary, rows, _bed_rows(plan))


def draft_transport(world_dir: Path, flights_csv: Path | None = None, step: Progress = silent) -> PlanDraft:
    """Plan removal flights for everyone held whom the DEMO gate clears."""
    step("reading transport resources and bookings")
    source = flights_csv or world_dir / "transport_resources.csv"
    flights = inputs.load_flights(source)
    today = inputs.world_today(world_dir)
    people = inputs.demo_removees(inputs.held_people(world_dir), today)
    problem = TransportProblem(people, flights, today)
    step(f"packing {len(people):,} people onto {len(flights)} flights")
    return transport_draft(problem, str(source))


def transport_draft(problem: TransportProblem, source: str) -> PlanDraft:
    """Solve a transport problem and explain it, person by person and flight by flight."""
    started = time.perf_counter()
    plan = solve_transport(problem)
    seconds = time.perf_counter() - started
    summary: Row = {
        "seated": len(plan.seats),
        "waiting": len(plan.unassigned),
        "excluded": len(plan.excluded),
    }
    summary |= {"unit": "cents", "components": plan.components, "today": problem.today.isoformat()}
    proof = (plan.objective_cents, plan.lower_bound_cents, seconds)
    rows, loads = _transport_rows(plan), _flight_rows(plan)
    return PlanDraft("transport", source, _hash(problem), *proof, summary, rows, loads)


def _hash(problem: PlacementProblem | TransportProblem) -> str:
    """sha256 of every input the optimiser saw (people, resources, weights), canonical JSON."""
    text = json.dumps(_canonical(dataclasses.asdict(problem)), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _canonical(value: object) -> object:
    """JSON-ready: mapping keys (bed classes are tuples) become strings, sets become sorted lists."""
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(str(v) for v in value)
    return value


def placement_values(p: Placement) -> AssignmentValues:
    """One placed person: the facility, the cost that explains it, and the counsel rule's verdict."""
    c = p.cost
    counsel = (
        "no counsel of record"
        if p.near_counsel is None
        else (f"counsel {c.counsel_km} km away" + ("" if p.near_counsel else f" ({p.counsel_reason})"))
    )
    explanation = (
        f"{p.facility_id}: {c.transfer_km} km transfer ({c.transfer_cost} pts)"
        + ("" if c.court_km is None else f", court {c.court_km} km ({c.court_cost} pts)")
        + f"; {counsel}; {c.total} pts in the cheapest plan (proven optimal)"
    )
    segment = f"{p.bed_class[0].value}/{p.bed_class[1].value}"
    counsel_cost = None if p.near_counsel is None else c.counsel_cost
    return AssignmentValues(
        p.person_id,
        "placed",
        p.facility_id,
        segment,
        c.total,
        c.counsel_km,
        counsel_cost,
        p.counsel_reason,
        explanation,
    )


def _away(plan: PlacementPlan) -> int:
    return sum(1 for p in plan.placements if p.near_counsel is False)


def _bed_rows(plan: PlacementPlan) -> list[Row]:
    return [
        {
            "resource": b.facility_id,
            "segment": f"{b.bed_class[0].value}/{b.bed_class[1].value}",
            "used": b.used,
            "capacity": b.capacity,
            "operated": None,
        }
        for b in plan.beds
    ]


def _seat_values(s: Seat) -> AssignmentValues:
    explanation = (
        f"{s.flight_id} to {s.destination}: {s.reason}; {s.detention_days} detention days "
        f"(${s.detention_cents / 100:,.2f}), flight share ${s.flight_share_cents / 100:,.2f}"
        + (f", seat ${s.seat_cents / 100:,.2f}" if s.seat_cents else "")
    )
    cost = s.detention_cents + s.seat_cents + s.flight_share_cents
    return AssignmentValues(
        s.person_id, "seated", s.flight_id, s.destination, cost, None, None, None, explanation
    )


def _transport_rows(plan: TransportPlan) -> list[AssignmentValues]:
    rows = [_seat_values(s) for s in plan.seats]
    rows += [_off_flight(u.person_id, "waiting", u.destination, u.reason) for u in plan.unassigned]
    rows += [_off_flight(e.person_id, "excluded", e.destination, e.reason) for e in plan.excluded]
    return rows


def _off_flight(person_id: str, status: str, destination: str, reason: str) -> AssignmentValues:
    return AssignmentValues(person_id, status, None, destination, None, None, None, None, reason)


def _flight_rows(plan: TransportPlan) -> list[Row]:
    rows = []
    for f in plan.flights:
        whole = {"resource": f.flight_id, "segment": "*", "used": f.used, "capacity": f.seats}
        rows.append({**whole, "operated": f.operated})
        rows += [{**whole, "segment": d, "used": n, "operated": f.operated} for d, n in f.by_destination]
    return rows
