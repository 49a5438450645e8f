"""`ilos synth`: generate a synthetic world (sources, sources.yaml, hidden truth)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ilos.cli.errors import reports_errors
from ilos.cli.progress import counted
from ilos.services import world

app = typer.Typer(
    help="Synthetic data: a world of people and agency-style source files with hidden ground truth.",
    no_args_is_help=True,
)
console = Console()


@app.callback()
def synth() -> None:
    """Synthetic data: a world of people and agency-style source files with hidden ground truth."""


@app.command("generate")
@reports_errors
def generate(
    persons: Annotated[
        int, typer.Option("--persons", min=1, help="Number of persons in the world.")
    ] = 10_000,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Random seed; the same seed gives byte-identical files.")
    ] = 7,
    out: Annotated[
        Path, typer.Option("--out", help="Directory to write the sources, sources.yaml and truth/ into.")
    ] = Path("world"),
) -> None:
    """Generate a world: one file per source system, DIR/sources.yaml and DIR/truth/."""
    with counted("synth") as step:
        summary = world.generate_world(out, persons, seed, step)
    table = Table(title=f"{summary.persons:,} persons, seed {summary.seed} -> {summary.out_dir}")
    table.add_column("source")
    table.add_column("rows", justify="right")
    for name, rows in summary.rows_per_source.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    console.print(f"config: {summary.config_path}   truth: {summary.truth_dir}")
