"""`ilos audit verify|prune`: check the audit hash chain (or an archive of pruned events) and prune
events past the retention to an archive. Each of these is itself audited."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.console import Console

from ilos.audit.archive import DEFAULT_DIR
from ilos.cli.errors import reports_errors
from ilos.config import load_settings
from ilos.services import audit_log, audit_prune
from ilos.services.access import Purpose, local_operator
from ilos.services.store_access import open_store

app = typer.Typer(help="The audit log (see docs/audit.md).", no_args_is_help=True)
console = Console()
CHAIN_BROKEN_EXIT = 8


@app.command(
    "verify",
    help="Verify the whole hash chain (or, with --archive, an archive of pruned events); "
    "exit 8 and name the first bad event if it is broken.",
)
@reports_errors
def verify(
    archive: Path | None = typer.Option(
        None, "--archive", help="A JSON Lines archive written by `ilos audit prune`.", dir_okay=False
    ),
) -> None:
    if archive is not None:
        _verify_archive(archive)
        return
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


def _verify_archive(archive: Path) -> None:
    store = open_store(load_settings())
    try:
        check = audit_prune.verify_archive(store, local_operator(Purpose.oversight), archive)
    finally:
        store.close()
    h, v = check.header, check.verification
    if check.ok:
        console.print(
            f"audit archive ok: {v.checked:,} events {h.start.seq + 1}..{h.end.seq}, "
            f"ends at anchor {h.end.seq} {h.end.hash}",
            highlight=False,
        )
        return
    reason = v.reason if not v.ok else "it does not start and end at anchors recorded in this store"
    at = f" at event {v.first_bad_seq}" if not v.ok else ""
    console.print(f"[bold red]audit archive broken[/]{at}: {reason}", highlight=False)
    raise typer.Exit(CHAIN_BROKEN_EXIT)


@app.command(
    "prune",
    help="Archive events recorded before DATE to a JSON Lines file, anchor the chain at the last of "
    "them and delete them. DATE must be at least ILOS_AUDIT_RETENTION_DAYS ago.",
)
@reports_errors
def prune(
    before: str = typer.Option(..., "--before", help="Prune events recorded before this day (YYYY-MM-DD)."),
    archive_dir: Path | None = typer.Option(
        None, "--archive-dir", help="Where to write the archive (default: $ILOS_HOME/audit-archive)."
    ),
) -> None:
    settings = load_settings()
    try:
        day = date.fromisoformat(before)
    except ValueError:
        raise typer.BadParameter(f"{before!r} is not a date YYYY-MM-DD", param_hint="--before") from None
    store = open_store(settings)
    try:
        result = audit_prune.prune(
            store, local_operator(Purpose.administration), day, archive_dir or settings.home / DEFAULT_DIR
        )
    finally:
        store.close()
    if result.archive is None:
        console.print(f"nothing to prune before {day.isoformat()}", highlight=False)
        return
    console.print(
        f"pruned {result.events:,} events to {result.archive}; chain anchored at "
        f"{result.anchor.seq} {result.anchor.hash}",
        highlight=False,
    )
