"""`ilos demo`: from nothing to a linked synthetic world, with a summary."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from ilos.cli.errors import reports_errors
from ilos.cli.progress import spinner
from ilos.config import load_settings
from ilos.services.demo import run_demo

console = Console()


@reports_errors
def demo(
    persons: int = typer.Option(5000, "--persons", min=10, help="Persons in the synthetic world."),
    seed: int = typer.Option(7, "--seed", help="Seed: the same seed gives the same world."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Run the pipeline and exit without serving."),
) -> None:
    """Generate a synthetic world, run every pipeline stage that exists, print a summary, then serve."""
    settings = load_settings()
    with spinner("demo") as step:
        summary = run_demo(settings, persons, seed, step)
    table = Table(
        title=f"Synthetic world: {summary.persons:,} persons, seed {summary.seed}, in {summary.world_dir}"
    )
    for column in ("stage", "result"):
        table.add_column(column)
    table.add_row(
        "generate", f"{sum(summary.source_rows.values()):,} rows in {len(summary.source_rows)} files"
    )
    table.add_row("ingest", summary.ingested.describe())
    s, sc = summary.linkage.summary, summary.scores
    table.add_row(
        "link", f"{s.records:,} records -> {s.subjects:,} subjects; {s.review_pairs:,} pairs for review"
    )
    table.add_row(
        "accuracy",
        f"pairwise P {sc.pairwise_precision:.4f} R {sc.pairwise_recall:.4f} "
        f"F1 {sc.pairwise_f1:.4f}; household false merges {sc.household_false_merge_rate:.2%}",
    )
    console.print(table)
    if not no_serve:
        console.print(
            "The web UI is not built yet (see the open UI issue); the pipeline output is in "
            f"{settings.home}. Nothing to serve, exiting."
        )
