"""`ilos worker`: the near-real-time path — post change events, process the inbox, read the alerts."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import typer
from rich.console import Console

from ilos.cli.errors import reports_errors
from ilos.errors import InvalidInputError
from ilos.services import realtime

app = typer.Typer(
    help="Link change events one at a time as they arrive, and classify what changed.", no_args_is_help=True
)
console = Console()


@app.command("post", help="Put one change event (a source row as a JSON object) in the linkage's inbox.")
@reports_errors
def post(
    linkage_dir: Path = typer.Argument(..., help="A directory written by `ilos link`."),
    source: str = typer.Option(..., "--source", help="The source the row belongs to."),
    values: str = typer.Option(..., "--values", help='The row as JSON, e.g. \'{"REC_ID": "R1", ...}\'.'),
) -> None:
    try:
        row = json.loads(values)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"--values is not JSON: {exc}") from exc
    console.print(realtime.post_change(linkage_dir, source, row))


@app.command("run", help="Process the inbox in order, each event exactly once; --follow keeps polling.")
@reports_errors
def run(
    linkage_dir: Path = typer.Argument(..., help="A directory written by `ilos link`."),
    follow: bool = typer.Option(False, "--follow", help="Keep running, polling the inbox every second."),
    as_of: str = typer.Option("", "--as-of", help="Derive legal situations as of this date (default today)."),
) -> None:
    worker = realtime.Worker(linkage_dir, date.fromisoformat(as_of) if as_of else None)
    while True:
        for p in worker.run_once():
            changes = "; ".join(f"{c['classification']} {c['kind']}" for c in p.changes) or "no change"
            console.print(
                f"{p.event_id} {p.record} -> {p.subject_id} ({p.action}, {p.milliseconds:.1f} ms): {changes}"
            )
        if not follow:
            return
        time.sleep(1.0)


@app.command("alerts", help="Classified changes the worker recorded, oldest first.")
@reports_errors
def alerts(
    linkage_dir: Path = typer.Argument(..., help="A directory written by `ilos link`."),
    after: int = typer.Option(0, "--after", help="Skip this many alerts (resume a feed)."),
) -> None:
    for alert in realtime.read_alerts(linkage_dir, after):
        console.print_json(json.dumps(alert))
