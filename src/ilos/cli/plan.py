"""`ilos plan`: detention placement and removal transport plans, solved on a world's files (DEMO people),
saved in the operational store as versions; list, show and compare versions, lock a flight's manifest and
check it again at departure."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console

from ilos.cli.errors import reports_errors
from ilos.cli.progress import spinner
from ilos.config import load_settings
from ilos.services import manifest_checks, plan_manifests, plans
from ilos.services.access import Purpose, local_operator
from ilos.services.store_access import Store, open_store

app = typer.Typer(
    help="Logistics plans: detention placement and removal transport, optimal, explained and versioned.",
    no_args_is_help=True,
)
console = Console()
OPERATOR = local_operator(Purpose.removal_logistics)
T = TypeVar("T")
WORLD = typer.Argument(None, help="A synthetic world directory (default: the world under ILOS_HOME).")
FORMAT = typer.Option("table", "--format", help="Output as table or json.")
KIND = typer.Argument(..., help="placement or transport.")


def _with_store(work: Callable[[Store], T]) -> T:
    store = open_store(load_settings())
    try:
        return work(store)
    finally:
        store.close()


def _json(value: Any) -> None:
    typer.echo(json.dumps(_plain(value), default=str, indent=1))


def _plain(value: Any) -> Any:
    """Dataclasses and named tuples (assignment rows) as JSON objects, all the way down."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _headline(p: plans.PlanSummary) -> str:
    counts = ", ".join(f"{p.summary[k]:,} {k.replace('_', ' ')}" for k in plans.COUNTED if k in p.summary)
    proof = "proven optimal" if p.proven_optimal else f"gap {p.gap:.4%}"
    unit = p.summary.get("unit", "")
    return (
        f"{p.kind} v{p.version} ({p.status}): {counts}; objective {p.objective:,} {unit}, lower bound "
        f"{p.lower_bound:,} ({proof}); solved in {p.solver_seconds:.2f}s; inputs {p.inputs_hash[:12]}; "
        f"by {p.created_by} at {p.created_at:%Y-%m-%d %H:%M}"
    )


def _create(kind: str, world_dir: Path | None, resources: Path | None, fmt: str) -> None:
    """Solve and save a new version of `kind` (the placement and transport commands differ only in this)."""
    with spinner(f"planning {kind}") as step:
        made = _with_store(lambda s: plans.create_plan(s, OPERATOR, kind, world_dir, resources, step))
    if fmt == "json":
        _json(made)
    else:
        console.print(_headline(made))


@app.command(
    "placement", help="Place everyone held in the world in facilities; save the plan as a new version."
)
@reports_errors
def placement(
    world_dir: Path | None = WORLD,
    facilities: Path | None = typer.Option(
        None, "--facilities", help="Facilities CSV (default: the world's)."
    ),
    fmt: str = FORMAT,
) -> None:
    _create("placement", world_dir, facilities, fmt)


@app.command(
    "transport", help="Pack everyone the gates clear onto removal flights; save the plan as a new version."
)
@reports_errors
def transport(
    world_dir: Path | None = WORLD,
    flights: Path | None = typer.Option(
        None, "--flights", help="Transport resources CSV (default: the world's)."
    ),
    fmt: str = FORMAT,
) -> None:
    _create("transport", world_dir, flights, fmt)


@app.command("list", help="Every saved plan version, newest first.")
@reports_errors
def list_plans(
    kind: str | None = typer.Option(None, "--kind", help="Only placement or transport."), fmt: str = FORMAT
) -> None:
    found = _with_store(lambda s: plans.list_plans(s, OPERATOR, kind))
    if fmt == "json":
        _json(found)
        return
    for p in found:
        console.print(_headline(p))
    if not found:
        console.print("no plans yet; make one with `ilos plan placement` or `ilos plan transport`")


@app.command("show", help="One plan version: its assignments with explanations and its capacity overlays.")
@reports_errors
def show(
    kind: str = KIND,
    version: int = typer.Argument(..., help="The version number (see `ilos plan list`)."),
    limit: int = typer.Option(20, "--limit", help="Assignments to show (at most 1000)."),
    after: str | None = typer.Option(None, "--after", help="Show assignments after this person id."),
    status: str | None = typer.Option(
        None, "--status", help="Only this status (placed, seated, waiting, ...)."
    ),
    fmt: str = FORMAT,
) -> None:
    page = plans.PlanPage(after, limit, status)
    view = _with_store(lambda s: plans.read_plan(s, OPERATOR, kind, version, page))
    if fmt == "json":
        _json(view)
        return
    console.print(_headline(view.plan))
    for a in view.assignments:
        console.print(f"  {a.person_id} {a.status} {a.target or '-'} {a.segment or ''}: {a.explanation}")
    if view.next_after:
        console.print(f"  ... more with --after {view.next_after}")
    console.print("capacity (used / capacity):")
    for c in view.capacity:
        console.print(f"  {c.resource} {c.segment}: {c.used} / {c.capacity}")
    for m in view.manifests:
        flown = f", {m.departed} departed" if m.departed else ""
        console.print(
            f"manifest {m.flight_id} locked by {m.locked_by} at {m.locked_at:%Y-%m-%d %H:%M}: "
            f"{m.cleared} cleared{flown}"
        )
        for r in m.removed:
            console.print(f"  removed {r.person_id} at {r.step}: {r.gate}: {r.reason}")


@app.command("diff", help="Who moved between two versions of a plan.")
@reports_errors
def diff(
    kind: str = KIND,
    old: int = typer.Argument(..., help="The earlier version."),
    new: int = typer.Argument(..., help="The later version."),
    limit: int = typer.Option(50, "--limit", help="Changes to list."),
) -> None:
    d = _with_store(lambda s: plans.diff_plans(s, OPERATOR, kind, old, new, limit))
    inputs = "same inputs" if d.same_inputs else "different inputs"
    change = d.new.objective - d.old.objective
    console.print(f"{kind} v{old} -> v{new}: {d.changed:,} people changed; objective {change:+,}; {inputs}")
    for c in d.changes:
        console.print(f"  {c.person_id}: {c.before} -> {c.after}")


@app.command("lock", help="Lock a flight's manifest of a transport plan after a fresh gate check.")
@reports_errors
def lock(
    version: int = typer.Argument(..., help="The transport plan version."),
    flight_id: str = typer.Argument(..., help="The flight whose manifest to lock."),
) -> None:
    m = _with_store(lambda s: plan_manifests.lock_manifest(s, OPERATOR, version, flight_id))
    console.print(
        f"manifest {m.flight_id} of transport v{m.version} locked: {m.cleared} cleared, {len(m.removed)} removed"
    )
    for r in m.removed:
        console.print(f"  removed {r.person_id}: {r.gate}: {r.reason}")


@app.command(
    "depart", help="Check a locked manifest at departure: the cleared depart, the blocked are halted."
)
@reports_errors
def depart(
    version: int = typer.Argument(..., help="The transport plan version."),
    flight_id: str = typer.Argument(..., help="The flight whose locked manifest departs."),
) -> None:
    d = _with_store(lambda s: manifest_checks.depart_manifest(s, OPERATOR, version, flight_id))
    console.print(
        f"flight {d.flight_id} of transport v{d.version}: {d.departed} departed, {len(d.halted)} halted"
    )
    for r in d.halted:
        console.print(f"  halted {r.person_id}: {r.gate}: {r.reason}")
