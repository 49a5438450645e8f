"""`ilos worker`: the near-real-time path — post change events, process the inbox, read the alerts.

`--inbox store` (the default) uses the operational store's inbox (ILOS_DATABASE_URL, or the SQLite file
under ILOS_HOME); `--inbox file` the linkage's own `inbox.jsonl`, for a linkage without a store. `run` holds
the worker lock (`services/worker_claim.py`): it is refused while another worker runs over the linkage, or
when the store inbox belongs to another linkage directory."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console

from ilos.cli.errors import reports_errors
from ilos.config import load_settings
from ilos.errors import InvalidInputError
from ilos.services import changes, realtime
from ilos.services.access import Purpose, local_operator
from ilos.services.change_inbox import FileInbox, StoreInbox
from ilos.services.operator_reads import operator_reads
from ilos.services.store_access import Store, open_store
from ilos.services.worker_claim import worker_slot

app = typer.Typer(
    help="Link change events one at a time as they arrive, and classify what changed.", no_args_is_help=True
)
console = Console()
OPERATOR = local_operator(Purpose.data_quality)


class InboxKind(StrEnum):
    store = "store"
    file = "file"


INBOX = typer.Option(InboxKind.store, "--inbox", help="store: the operational store; file: DIR/inbox.jsonl.")


@contextmanager
def _store() -> Iterator[Store]:
    store = open_store(load_settings())
    try:
        yield store
    finally:
        store.close()


@app.command("post", help="Put one change event (a source row as a JSON object) in the inbox.")
@reports_errors
def post(
    linkage_dir: Path = typer.Argument(..., help="A directory written by `ilos link`."),
    source: str = typer.Option(..., "--source", help="The source the row belongs to."),
    values: str = typer.Option(..., "--values", help='The row as JSON, e.g. \'{"REC_ID": "R1", ...}\'.'),
    inbox: InboxKind = INBOX,
) -> None:
    try:
        row = json.loads(values)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"--values is not JSON: {exc}") from exc
    if inbox is InboxKind.file:
        console.print(realtime.post_change(linkage_dir, source, row))
        return
    with _store() as store:
        posted = changes.post_change_event(store, OPERATOR, source, row, linkage_dir)
    console.print(posted.event_id)


@app.command(
    "run",
    help="Process the inbox in order, each event exactly once; --follow keeps polling. Refused while another "
    "worker runs over the linkage, or when the store inbox belongs to another linkage directory.",
)
@reports_errors
def run(
    linkage_dir: Path = typer.Argument(..., help="A directory written by `ilos link`."),
    follow: bool = typer.Option(False, "--follow", help="Keep running, polling the inbox every second."),
    as_of: str = typer.Option("", "--as-of", help="Derive legal situations as of this date (default today)."),
    inbox: InboxKind = INBOX,
) -> None:
    when = date.fromisoformat(as_of) if as_of else None
    if inbox is InboxKind.file:
        with worker_slot(linkage_dir, None):
            _process(
                realtime.Worker(linkage_dir, when, FileInbox(linkage_dir), rebuild_in_background=follow),
                follow,
            )
        return
    with _store() as store, worker_slot(linkage_dir, store):
        _process(
            realtime.Worker(
                linkage_dir,
                when,
                StoreInbox(store, changes.recheck_on_change(store)),
                rebuild_in_background=follow,  # a batch run landing does not stop a following worker
            ),
            follow,
        )


def _process(worker: realtime.Worker, follow: bool) -> None:
    while True:
        before = worker.rebuild_state()
        for p in worker.run_once():
            changed = "; ".join(f"{c['classification']} {c['kind']}" for c in p.changes) or "no change"
            console.print(  # ids as written: no markup read in them, no wrapping of a long one
                f"{p.event_id} {p.record} -> {p.subject_id} ({p.action}, {p.milliseconds:.1f} ms): {changed}",
                markup=False, highlight=False, soft_wrap=True,
            )  # fmt: skip
        news = before.news(worker.rebuild_state())
        if news:
            console.print(news)
        if not follow:
            return
        time.sleep(1.0)


@app.command(
    "alerts",
    help="Classified changes the worker recorded (its journal), oldest first. Audited (alert.feed, naming "
    "their subjects) in the operational store when there is one.",
)
@reports_errors
def alerts(
    linkage_dir: Path = typer.Argument(..., help="A directory written by `ilos link`."),
    after: int = typer.Option(0, "--after", help="Skip this many alerts (resume a feed)."),
) -> None:
    with operator_reads(load_settings(), linkage_dir) as reads:  # audited where there is a store
        shown = reads.read_alerts(after)
    for alert in shown:
        console.print_json(json.dumps(alert))
