"""The logistics use cases: plan detention placement and removal transport from a world's files, and
write each plan as a new version (plan id, version, created, inputs hash) with an explanation for
every assignment and capacity overlays per facility and per flight, as JSON and Parquet."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ilos.operations.placement import solve_placement
from ilos.operations.placement_types import Placement, PlacementPlan, PlacementProblem
from ilos.operations.transport import solve_transport
from ilos.operations.transport_types import Seat, TransportPlan, TransportProblem
from ilos.services import logistics_inputs as inputs

Step = Callable[[str], None]
Row = dict[str, Any]


def _silent(_: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class WrittenPlan:
    plan_id: str
    version: int
    created: str
    inputs_hash: str
    directory: Path
    seconds: float
    counts: dict[str, int]
    objective: int
    lower_bound: int


def plan_placement(
    world_dir: Path,
    out_dir: Path,
    facilities_csv: Path | None = None,
    plan_id: str | None = None,
    step: Step = _silent,
) -> WrittenPlan:
    """Place everyone currently held in the world (DEMO people) and write the plan as a new version."""
    step("reading facilities and bookings")
    facilities = inputs.load_facilities(facilities_csv or world_dir / "facilities.csv")
    people = inputs.demo_detainees(inputs.held_people(world_dir))
    places = {f.facility_id: f.location for f in facilities}
    problem = PlacementProblem(people, facilities, places)
    step(f"placing {len(people):,} people in {len(facilities)} facilities")
    started = time.perf_counter()
    plan = solve_placement(problem)
    seconds = time.perf_counter() - started
    rows = [placement_row(p) for p in plan.placements]
    rows += [{"person_id": u.person_id, "status": "unplaced", "explanation": u.reason} for u in plan.unplaced]
    header = {"kind": "placement", "objective": plan.objective, "lower_bound": plan.lower_bound}
    header |= {"proven_optimal": plan.is_proven_optimal, "groups": plan.groups, "arcs": plan.arcs}
    counts = {
        "placed": len(plan.placements),
        "unplaced": len(plan.unplaced),
        "away_from_counsel": _away(plan),
    }
    step("writing the plan")
    written = write_plan(
        out_dir / (plan_id or f"placement-{world_dir.name}"), _hash(problem), header, rows, _bed_rows(plan)
    )
    return dataclasses.replace(
        written, seconds=seconds, counts=counts, objective=plan.objective, lower_bound=plan.lower_bound
    )


def plan_transport(
    world_dir: Path,
    out_dir: Path,
    flights_csv: Path | None = None,
    plan_id: str | None = None,
    step: Step = _silent,
) -> WrittenPlan:
    """Plan removal flights for everyone held whom the DEMO gate clears; write the plan as a new version."""
    step("reading transport resources and bookings")
    flights = inputs.load_flights(flights_csv or world_dir / "transport_resources.csv")
    today = inputs.world_today(world_dir)
    people = inputs.demo_removees(inputs.held_people(world_dir), today)
    problem = TransportProblem(people, flights, today)
    step(f"packing {len(people):,} people onto {len(flights)} flights")
    started = time.perf_counter()
    plan = solve_transport(problem)
    seconds = time.perf_counter() - started
    header = {"kind": "transport", "today": today.isoformat(), "objective_cents": plan.objective_cents}
    header |= {"lower_bound_cents": plan.lower_bound_cents, "gap": plan.gap, "components": plan.components}
    counts = {"seated": len(plan.seats), "waiting": len(plan.unassigned), "excluded": len(plan.excluded)}
    step("writing the plan")
    plan_dir = out_dir / (plan_id or f"transport-{world_dir.name}")
    written = write_plan(plan_dir, _hash(problem), header, _transport_rows(plan), _flight_rows(plan))
    return dataclasses.replace(
        written,
        seconds=seconds,
        counts=counts,
        objective=plan.objective_cents,
        lower_bound=plan.lower_bound_cents,
    )


def write_plan(
    plan_dir: Path, inputs_hash: str, header: Row, rows: list[Row], capacity: list[Row]
) -> WrittenPlan:
    """A new version directory under the plan: plan.json (header, assignments, capacity) and the two
    tables as Parquet. Earlier versions are never touched, so a plan's history stays readable."""
    versions = [int(d.name[1:]) for d in plan_dir.glob("v*") if d.name[1:].isdigit()]
    version = max(versions, default=0) + 1
    created = datetime.now(UTC).isoformat(timespec="seconds")
    target = plan_dir / f"v{version}"
    target.mkdir(parents=True, exist_ok=False)
    meta = {"plan_id": plan_dir.name, "version": version, "created": created, "inputs_hash": inputs_hash}
    document = {**meta, **header, "assignments": rows, "capacity": capacity}
    (target / "plan.json").write_text(json.dumps(document, indent=1, default=str) + "\n", encoding="utf-8")
    pq.write_table(_table(rows), target / "assignments.parquet")
    pq.write_table(_table(capacity), target / "capacity.parquet")
    return WrittenPlan(plan_dir.name, version, created, inputs_hash, target, 0.0, {}, 0, 0)


def _table(rows: list[Row]) -> pa.Table:
    columns = sorted({k for r in rows for k in r})
    return pa.table({c: [r.get(c) for r in rows] for c in columns}) if rows else pa.table({})


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


def placement_row(p: Placement) -> Row:
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
    return {
        "person_id": p.person_id,
        "status": "placed",
        "facility_id": p.facility_id,
        "sex": p.bed_class[0].value,
        "security": p.bed_class[1].value,
        **dataclasses.asdict(c),
        "total_cost": c.total,
        "near_counsel": p.near_counsel,
        "counsel_reason": p.counsel_reason,
        "explanation": explanation,
    }


def _away(plan: PlacementPlan) -> int:
    return sum(1 for p in plan.placements if p.near_counsel is False)


def _bed_rows(plan: PlacementPlan) -> list[Row]:
    return [
        {
            "facility_id": b.facility_id,
            "sex": b.bed_class[0].value,
            "security": b.bed_class[1].value,
            "used": b.used,
            "capacity": b.capacity,
        }
        for b in plan.beds
    ]


def _seat_row(s: Seat) -> Row:
    explanation = (
        f"{s.flight_id} to {s.destination}: {s.reason}; {s.detention_days} detention days "
        f"(${s.detention_cents / 100:,.2f}), flight share ${s.flight_share_cents / 100:,.2f}"
        + (f", seat ${s.seat_cents / 100:,.2f}" if s.seat_cents else "")
    )
    return {**dataclasses.asdict(s), "status": "seated", "explanation": explanation}


def _transport_rows(plan: TransportPlan) -> list[Row]:
    rows = [_seat_row(s) for s in plan.seats]
    rows += [
        {"person_id": u.person_id, "destination": u.destination, "status": "waiting", "explanation": u.reason}
        for u in plan.unassigned
    ]
    rows += [
        {
            "person_id": e.person_id,
            "destination": e.destination,
            "status": "excluded",
            "explanation": e.reason,
        }
        for e in plan.excluded
    ]
    return rows


def _flight_rows(plan: TransportPlan) -> list[Row]:
    rows = []
    for f in plan.flights:
        rows.append(
            {
                "flight_id": f.flight_id,
                "destination": "*",
                "operated": f.operated,
                "used": f.used,
                "seats": f.seats,
            }
        )
        rows += [
            {"flight_id": f.flight_id, "destination": d, "operated": f.operated, "used": n, "seats": f.seats}
            for d, n in f.by_destination
        ]
    return rows
