"""`ilos ingest`: land the sources of a config in the lake, and list batches and quarantined rows."""

from __future__ import annotations

import csv
import dataclasses
import enum
import io
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ilos.cli.default_group import DefaultCommandGroup
from ilos.cli.errors import reports_errors
from ilos.config import load_settings
from ilos.services import ingestion

app = typer.Typer(
    cls=DefaultCommandGroup,
    help="Validate source files and land them in the lake: `ilos ingest CONFIG.yaml` (see docs/ingest.md).",
    no_args_is_help=True,
)
console = Console()
err_console = Console(stderr=True)


class OutputFormat(enum.StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[OutputFormat, typer.Option("--format", help="table, json or csv.")]


class _SourceBar:
    """A Rich bar advanced once per source, showing which source is being read."""

    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.task = bar.add_task("ingest", total=None)

    def source_started(self, name: str, index: int, total: int) -> None:
        self.bar.update(self.task, description=f"ingest {name}", completed=index, total=total)

    def source_finished(self, outcome: ingestion.SourceOutcome) -> None:
        self.bar.advance(self.task)


@contextmanager
def _source_bar() -> Iterator[_SourceBar]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        yield _SourceBar(bar)


@app.command("run", help="Ingest every source of CONFIG (also the default: `ilos ingest CONFIG`).")
@reports_errors
def run(
    config: Annotated[Path, typer.Argument(help="Sources config YAML, e.g. DIR/sources.yaml.")],
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Only this source (repeatable).")
    ] = None,
) -> None:
    with _source_bar() as bar:
        report = ingestion.ingest_config(config, load_settings(), bar, source or None)
    console.print(_summary_table(report))
    for outcome in report.outcomes:
        for issue in outcome.issues:
            kept = "quarantined" if issue.holds_row else "flagged"
            console.print(
                f"  [yellow]{kept}[/] {outcome.source}: {issue.describe(Path(outcome.file_path).name)}",
                highlight=False,
            )
    report.raise_for_failures()


@app.command("batches", help="List landed batches with their read/accepted/quarantined counts.")
@reports_errors
def batches(
    fmt: FormatOption = OutputFormat.table,
) -> None:
    rows = ingestion.list_batches(load_settings())
    _render(
        rows,
        fmt,
        "Landed batches",
        (
            "batch_id",
            "source",
            "rows_read",
            "rows_accepted",
            "rows_quarantined",
            "values_flagged",
            "landed_at",
        ),
    )


@app.command(
    "quarantine",
    help="List quarantined rows (scope row) and flagged values of accepted rows (scope value) with every "
    "reason and their raw values.",
)
@reports_errors
def quarantine(
    source: Annotated[str | None, typer.Option("--source", help="Only rows of this source.")] = None,
    batch: Annotated[str | None, typer.Option("--batch", help="Only rows of this batch id.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=0, help="At most this many rows.")] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    rows = ingestion.list_quarantine(load_settings(), source=source, batch=batch, limit=limit)
    shown = ("source", "batch_id", "row_number", "scope", "record_id", "reasons", "raw_values")
    _render(rows, fmt, "Quarantine", shown)


def _summary_table(report: ingestion.IngestReport) -> Table:
    table = Table(title=f"Ingest of {report.config_path} (config {report.config_hash[:12]})")
    counts = ("read", "accepted", "quarantined", "flagged")
    for column in ("source", *counts, "status", "batch"):
        table.add_column(column, justify="right" if column in counts else "left")
    for o in report.outcomes:
        status = {
            "landed": "[green]landed[/]",
            "already_landed": "already landed",
            "failed": "[red]failed[/]",
        }
        table.add_row(
            o.source,
            f"{o.rows_read:,}",
            f"{o.rows_accepted:,}",
            f"{o.rows_quarantined:,}",
            f"{o.values_flagged:,}",
            status[o.status],
            o.batch_id or "-",
        )
    return table


def _render(rows: Sequence[Any], fmt: OutputFormat, title: str, shown: Sequence[str]) -> None:
    """One place for table, json and csv output; json and csv carry every field, the table the useful ones."""
    records = [dataclasses.asdict(row) for row in rows]
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(records, indent=2, default=str))
    elif fmt is OutputFormat.csv:
        typer.echo(_to_csv(records), nl=False)
    else:
        table = Table(title=f"{title} ({len(records)})")
        for column in shown:
            table.add_column(column, overflow="fold")
        for record in records:
            table.add_row(*(str(record[c]) for c in shown))
        console.print(table)


def _to_csv(records: list[dict[str, Any]]) -> str:
    if not records:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()
