"""`ilos demo`: from nothing to a linked synthetic world with a summary, then the web UI (and the REST API
under /api/v1) on 127.0.0.1."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from ilos.cli.errors import reports_errors
from ilos.cli.progress import spinner
from ilos.cli.serve import APP_FACTORY
from ilos.config import load_settings
from ilos.services.demo import DemoSummary, reset_demo_users, run_demo

console = Console()


@reports_errors
def demo(
    persons: int = typer.Option(5000, "--persons", min=10, help="Persons in the synthetic world."),
    seed: int = typer.Option(7, "--seed", help="Seed: the same seed gives the same world."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Run the pipeline and exit without serving."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port of the web UI on 127.0.0.1."),
) -> None:
    """Generate a synthetic world, run every pipeline stage, publish the subjects, print a summary, then
    serve the web UI on http://127.0.0.1:PORT with demo users whose passwords are printed once."""
    settings = load_settings()
    with spinner("demo") as step:
        summary = run_demo(settings, persons, seed, step)
    _print_summary(summary)
    if no_serve:
        return
    import uvicorn

    demo_users = reset_demo_users(settings)
    users = Table(title="Demo users (passwords are new on every run and shown only here)")
    for column in ("username", "role", "password"):
        users.add_column(column)
    for u in demo_users:
        users.add_row(u.username, u.role, u.password)
    console.print(users)
    console.print(
        f"Open http://127.0.0.1:{port}/ and sign in (the REST API is under /api/v1); Ctrl-C stops the server."
    )
    uvicorn.run(APP_FACTORY, factory=True, host="127.0.0.1", port=port, log_level="warning")


def _print_summary(summary: DemoSummary) -> None:
    table = Table(
        title=f"Synthetic world: {summary.persons:,} persons, seed {summary.seed}, in {summary.world_dir}"
    )
    for column in ("stage", "result"):
        table.add_column(column)
    empty = [name for name, rows in summary.source_rows.items() if rows == 0]
    without = f"; no rows for {', '.join(empty)}" if empty else ""
    table.add_row(
        "generate", f"{sum(summary.source_rows.values()):,} rows in {len(summary.source_rows)} files{without}"
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
    b = summary.subjects
    table.add_row(
        "subjects",
        f"{b.subjects:,} subjects, {b.events:,} events, {b.with_conflicts:,} with conflicts; "
        f"{summary.published:,} published",
    )
    w = summary.worklist
    counts = ", ".join(f"{n:,} {status}" for status, n in w.by_status.items())
    table.add_row("worklist", f"{w.purpose} ({w.role}) under {w.policy_label}: {counts}; published")
    console.print(table)
