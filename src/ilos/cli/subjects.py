"""`ilos subjects`: build golden subject records from a linkage, and show one with its provenance."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from rich.console import Console

from ilos.cli.errors import reports_errors
from ilos.cli.progress import spinner
from ilos.cli.subject_render import render_subject_table, subject_document
from ilos.config import load_settings
from ilos.services import subjects as service
from ilos.services.operator_reads import operator_reads

app = typer.Typer(
    help="Golden subject records: attributes with provenance, timelines, legal situation.",
    no_args_is_help=True,
)
console = Console(markup=False, emoji=False)  # names, values and record ids are printed as written


def _as_of(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2026-11-01") from None


@app.command("build", help="Build subjects, timelines and legal situations into LINKAGE_DIR.")
@reports_errors
def build(
    linkage_dir: Path = typer.Argument(..., help="A directory written by `ilos link`."),
    config: Path = typer.Option(..., "--config", help="The sources config the linkage was made from."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Derive legal situations as of this date (default today)."
    ),
) -> None:
    with spinner("building subjects") as step:
        r = service.build_subjects(linkage_dir, config, _as_of(as_of), progress=step)
    console.print(
        f"built {r.subjects:,} subjects from {r.observations:,} observations and {r.events:,} events "
        f"as of {r.as_of}; {r.with_conflicts:,} with critical-field conflicts; {r.seconds:.1f}s; output in {linkage_dir}"
    )


@app.command(
    "show",
    help="One subject: best values with provenance, conflicts, legal facts with evidence, timeline. Audited "
    "(subject.read, by local:<os-user>) in the operational store when there is one (docs/audit.md).",
)
@reports_errors
def show(
    linkage_dir: Path = typer.Argument(..., help="A directory with a subjects build."),
    subject_id: str = typer.Argument(..., help="Subject id, e.g. S-3267c1c2ffa3."),
    output: str = typer.Option("table", "--format", help="table or json."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Legal situation as of this date (default: the build's)."
    ),
) -> None:
    if output not in ("table", "json"):
        raise typer.BadParameter(f"--format {output!r}: use table or json")
    with operator_reads(load_settings(), linkage_dir) as reads:  # audited where there is a store
        view = reads.show_subject(subject_id, _as_of(as_of))
    if output == "json":
        typer.echo(json.dumps(subject_document(view.subject, view.rules), indent=2))
    else:
        render_subject_table(console, view.subject, view.rules)
