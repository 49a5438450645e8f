"""`ilos plan`: detention placement and removal transport plans from a world's files (DEMO people)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer
from rich.console import Console

from ilos.cli.errors import reports_errors
from ilos.cli.progress import spinner
from ilos.services import logistics as service

app = typer.Typer(
    help="Logistics plans: detention placement and removal transport, optimal, explained and versioned.",
    no_args_is_help=True,
)
console = Console()
WORLD = typer.Argument(..., help="A synthetic world directory (ilos synth generate).")
OUT = typer.Option(Path("plans"), "--out", help="Directory that holds the plans; each run adds a version.")
PLAN_ID = typer.Option(
    None, "--plan-id", help="Plan id (default: KIND-WORLDNAME); re-running adds a version."
)
FORMAT = typer.Option("table", "--format", help="Summary as table or json.")


def _show(written: service.WrittenPlan, fmt: str, unit: str) -> None:
    if fmt == "json":
        typer.echo(json.dumps(asdict(written), default=str, indent=1))
        return
    counts = ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in written.counts.items())
    proven = "proven optimal" if written.lower_bound == written.objective else "bound below objective"
    console.print(
        f"{written.plan_id} v{written.version}: {counts}; objective {written.objective:,} {unit}, "
        f"lower bound {written.lower_bound:,} ({proven}); solved in {written.seconds:.2f}s; "
        f"inputs {written.inputs_hash[:12]}; written to {written.directory}"
    )


@app.command("placement", help="Place everyone held in the world in facilities; write the plan.")
@reports_errors
def placement(
    world_dir: Path = WORLD,
    out: Path = OUT,
    facilities: Path | None = typer.Option(
        None, "--facilities", help="Facilities CSV (default: the world's)."
    ),
    plan_id: str | None = PLAN_ID,
    fmt: str = FORMAT,
) -> None:
    with spinner("planning placement") as step:
        written = service.plan_placement(world_dir, out, facilities, plan_id, step)
    _show(written, fmt, "cost points")


@app.command("transport", help="Pack everyone the gates clear onto removal flights; write the plan.")
@reports_errors
def transport(
    world_dir: Path = WORLD,
    out: Path = OUT,
    flights: Path | None = typer.Option(
        None, "--flights", help="Transport resources CSV (default: the world's)."
    ),
    plan_id: str | None = PLAN_ID,
    fmt: str = FORMAT,
) -> None:
    with spinner("planning transport") as step:
        written = service.plan_transport(world_dir, out, flights, plan_id, step)
    _show(written, fmt, "cents")
