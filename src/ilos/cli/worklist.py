"""`ilos worklist`: decide every subject of a linkage under a policy (gates, status, explained priority,
last usable location) and export the result."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.console import Console

from ilos.cli import legal as legal_cli
from ilos.cli.errors import reports_errors
from ilos.cli.progress import spinner
from ilos.config import load_settings
from ilos.services import worklist_publish as publisher
from ilos.services import worklists as service
from ilos.services.access import Purpose, local_operator
from ilos.services.store_access import open_store

app = typer.Typer(
    help="Worklists: subjects with status, gates, explained priority and usable location.",
    no_args_is_help=True,
)
console = Console()
AUTHORITY = typer.Option(
    [],
    "--authority",
    help="A recorded legal authority id to cite (repeatable): TAX data of the subject it names becomes usable.",
)


def parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2026-11-01") from None


@app.command(
    "build", help="Decide every subject; write worklist.parquet and decisions.jsonl into LINKAGE_DIR."
)
@reports_errors
def build(
    linkage_dir: Path = typer.Argument(..., help="A directory with a subjects build."),
    policy: str | None = typer.Option(
        None, "--policy", help="Policy name or YAML path (default: the applied one)."
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Decide as of this date (default: the subjects build's)."
    ),
    purpose: str = typer.Option(
        service.DEFAULT_PURPOSE, "--purpose", help="Purpose of use the decisions serve."
    ),
    authority: list[str] = AUTHORITY,
) -> None:
    inputs = legal_cli.recorded_inputs(purpose, authority)
    with spinner("building the worklist") as step:
        r = service.build_worklist(
            linkage_dir, policy, parse_date(as_of), purpose, load_settings().home, step, inputs
        )
    counts = ", ".join(f"{n:,} {s}" for s, n in r.by_status.items())
    console.print(
        f"decided {r.subjects:,} subjects as of {r.as_of} under {r.policy_label} for {r.purpose} ({r.role}): "
        f"{counts}; {r.seconds:.1f}s; worklist.parquet and decisions.jsonl in {linkage_dir}"
    )


@app.command("export", help="Export the worklist for a purpose as csv, json or parquet.")
@reports_errors
def export(
    linkage_dir: Path = typer.Argument(..., help="A directory with a subjects build."),
    fmt: str = typer.Option("csv", "--format", help="csv, json or parquet."),
    purpose: str = typer.Option(
        service.DEFAULT_PURPOSE, "--purpose", help="Purpose of use (decides what is usable)."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Output file (default LINKAGE_DIR/worklist-PURPOSE.FORMAT)."
    ),
    policy: str | None = typer.Option(
        None, "--policy", help="Policy name or YAML path (default: the applied one)."
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Decide as of this date (default: the subjects build's)."
    ),
    authority: list[str] = AUTHORITY,
) -> None:
    if fmt not in service.FORMATS:
        raise typer.BadParameter(f"--format {fmt!r}: use csv, json or parquet")
    inputs = legal_cli.recorded_inputs(purpose, authority)
    path = service.export_worklist(
        linkage_dir, fmt, out, purpose, policy, parse_date(as_of), load_settings().home, inputs
    )
    console.print(f"wrote {path}")


@app.command(
    "publish",
    help="Load LINKAGE_DIR's built worklist and decisions into the operational store (COPY on PostgreSQL), "
    "replacing that role and purpose's previous one; the web and API serve it while it is current.",
)
@reports_errors
def publish(linkage_dir: Path = typer.Argument(..., help="A directory with a worklist build.")) -> None:
    store = open_store(load_settings())
    try:
        with spinner("publishing the worklist") as step:
            r = publisher.publish_worklist(store, local_operator(Purpose.data_quality), linkage_dir, step)
    finally:
        store.close()
    counts = ", ".join(f"{n:,} {s}" for s, n in r.by_status.items())
    console.print(
        f"published {r.subjects:,} decisions for {r.purpose} ({r.role}) under {r.policy_label}: {counts}"
    )
