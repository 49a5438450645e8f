"""`ilos audit verify`: check the audit hash chain and name the first bad event (the check is audited)."""

from __future__ import annotations

import typer
from rich.console import Console

from ilos.cli.errors import reports_errors
from ilos.config import load_settings
from ilos.services import audit_log
from ilos.services.access import Purpose, local_operator
from ilos.services.store_access import open_store

app = typer.Typer(help="The audit log (see docs/audit.md).", no_args_is_help=True)
console = Console()
CHAIN_BROKEN_EXIT = 8


@app.command(
    "verify", help="Verify the whole hash chain; exit 8 and name the first bad event if it is broken."
)
@reports_errors
def verify() -> None:
    store = open_store(load_settings())
    try:
        result = audit_log.verify(store, local_operator(Purpose.oversight))
    finally:
        store.close()
    if result.ok:
        console.print(
            f"audit chain ok: {result.checked:,} events, head {result.head.seq} {result.head.hash}",
            highlight=False,
        )
        return
    console.print(
        f"[bold red]audit chain broken[/] at event {result.first_bad_seq}: {result.reason}", highlight=False
    )
    raise typer.Exit(CHAIN_BROKEN_EXIT)
