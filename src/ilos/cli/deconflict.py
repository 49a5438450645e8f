"""`ilos deconflict`: register agency operations, see their conflicts, resolve them, start operations."""

from __future__ import annotations

from datetime import date

import typer
from rich.console import Console

from ilos.cli.errors import reports_errors
from ilos.config import load_settings
from ilos.services import deconfliction as service
from ilos.services.access import Purpose, local_operator
from ilos.services.deconfliction import OperationView
from ilos.services.store_access import open_store

app = typer.Typer(
    help="Agency deconfliction: planned operations, overlaps and their resolution.", no_args_is_help=True
)
console = Console()
OPERATOR = local_operator(Purpose.case_investigation)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from None


def _show(op: OperationView) -> None:
    console.print(f"operation {op.operation_id} {op.agency} {op.starts_on}..{op.ends_on}: {op.state}")
    for c in op.conflicts:
        console.print(f"  conflict {c.conflict_id} ({c.state}) {c.kind}: {c.detail}")


@app.command("register", help="Register a planned operation; overlaps are recorded and both owners alerted.")
@reports_errors
def register(
    agency: str = typer.Option(..., "--agency"),
    start: str = typer.Option(..., "--start", help="First day, YYYY-MM-DD."),
    end: str = typer.Option(..., "--end", help="Last day, YYYY-MM-DD."),
    subject: list[str] = typer.Option([], "--subject", help="A target subject id (repeatable)."),
    address: list[str] = typer.Option([], "--address", help="A target address (repeatable)."),
    title: str = typer.Option("", "--title"),
) -> None:
    request = service.OperationRequest(agency, title, _day(start), _day(end), tuple(subject), tuple(address))
    store = open_store(load_settings())
    try:
        _show(service.register_operation(store, OPERATOR, request))
    finally:
        store.close()


@app.command("resolve", help="Resolve one conflict with a note (supervisor).")
@reports_errors
def resolve(conflict_id: str, note: str = typer.Option(..., "--note")) -> None:
    store = open_store(load_settings())
    try:
        c = service.resolve_conflict(store, OPERATOR, conflict_id, note)
    finally:
        store.close()
    console.print(f"conflict {c.conflict_id} resolved by {c.resolved_by}: {c.resolution_note}")


@app.command("start", help="Start an operation; refused while any of its conflicts is open.")
@reports_errors
def start_operation(operation_id: str) -> None:
    store = open_store(load_settings())
    try:
        _show(service.start_operation(store, OPERATOR, operation_id))
    finally:
        store.close()


@app.command("show", help="One operation with its conflicts.")
@reports_errors
def show(operation_id: str) -> None:
    store = open_store(load_settings())
    try:
        _show(service.read_operation(store, OPERATOR, operation_id))
    finally:
        store.close()
