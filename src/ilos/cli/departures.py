"""`ilos departures`: assess self-reported departures of a linkage, measure them against a synthetic
world's truth, record them in the operational store, and read the report and the review queue."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer
from rich.console import Console

from ilos.cli.errors import reports_errors
from ilos.config import load_settings
from ilos.services import departures_tracking as service
from ilos.services.access import Purpose, local_operator
from ilos.services.store_access import open_store

app = typer.Typer(
    help="Voluntary departures: verified, self-reported, contradicted, unmatched.", no_args_is_help=True
)
console = Console()
OPERATOR = Purpose.case_investigation


@app.command(
    "evaluate", help="Assess every report of LINKAGE_DIR and score `verified` against a world's truth."
)
@reports_errors
def evaluate(
    linkage_dir: Path = typer.Argument(
        ..., help="A directory with `ilos link` + `ilos subjects build` output."
    ),
    truth: Path = typer.Option(..., "--truth", help="The world's truth directory (persons/records.parquet)."),
) -> None:
    r = service.evaluate_against_truth(linkage_dir, truth)
    a, s = r.accuracy, r.summary
    console.print(
        f"{a.reports} reports: {s.verified} verified, {s.self_reported_estimate} self-reported (estimate), "
        f"{s.contradicted} contradicted, {s.unmatched} unmatched; precision of verified {a.precision:.4f} "
        f"({a.verified_correct}/{a.verified}), recall {a.recall:.3f} ({a.verified_correct}/{a.truly_verified_reports})"
    )


@app.command("record", help="Assess the reports of LINKAGE_DIR and record them in the operational store.")
@reports_errors
def record(linkage_dir: Path = typer.Argument(..., help="A directory with a subjects build.")) -> None:
    store = open_store(load_settings())
    try:
        r = service.record_departures(store, local_operator(OPERATOR), service.assess_linkage(linkage_dir))
    finally:
        store.close()
    console.print(f"recorded {r.written} reports {r.by_state}; closed {len(r.closed_actions)} open action(s)")


@app.command(
    "report", help="Recorded departures by month, country and state (verified apart from estimates)."
)
@reports_errors
def report(fmt: str = typer.Option("table", "--format", help="table or json")) -> None:
    store = open_store(load_settings())
    try:
        s = service.departures_report(store, local_operator(OPERATOR))
    finally:
        store.close()
    if fmt == "json":
        typer.echo(json.dumps(asdict(s), default=str, indent=1))
        return
    console.print(f"verified {s.verified} | self-reported (estimate) {s.self_reported_estimate} | "
                  f"contradicted {s.contradicted} | unmatched {s.unmatched}")  # fmt: skip
    for c in s.counts:
        console.print(f"{c.month}  {c.country:<20} {c.state.value:<14} {c.count}")


@app.command("review", help="The review queue: reports matched to no subject.")
@reports_errors
def review() -> None:
    store = open_store(load_settings())
    try:
        queue = service.review_queue(store, local_operator(OPERATOR))
    finally:
        store.close()
    for d in queue:
        console.print(f"{d.report_ref}  {d.departed_on}  {d.country or '?'}")
    console.print(f"{len(queue)} unmatched report(s)")
