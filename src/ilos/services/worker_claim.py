"""The one lock every change worker takes (`ilos worker run`, the web app's): one worker per linkage
directory (a file lock beside its journal), and one linkage directory per store inbox (a claim in the store).

Why both: exactly once rests on the linkage's journal, so two workers over one directory would each link and
journal an event; and the store marks an event processed once, so a worker over a second directory would
leave that directory's journal (its linkage) without the events the first one took."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from ilos.errors import ConflictError
from ilos.services.linkage_locks import file_lock
from ilos.services.store_access import Store
from ilos.store.inbox_tables import InboxClaimRow

WORKER_LOCK = ".change-worker.lock"  # in the linkage directory
STORE_INBOX = "change_events"


def linkage_lock(linkage_dir: Path) -> AbstractContextManager[bool]:
    """True while this process holds the linkage's worker lock; False when another process holds it. Never
    waits (`linkage_locks.file_lock`)."""
    return file_lock(linkage_dir / WORKER_LOCK)


def claim_store_inbox(store: Store, linkage_dir: Path) -> None:
    """Claim the store inbox for `linkage_dir` (the first worker's claim stands for good); a 409 naming the
    claiming directory when it is another one."""
    mine = str(linkage_dir.resolve())
    try:
        with store.transaction() as session:
            claim = session.get(InboxClaimRow, STORE_INBOX)
            if claim is None:
                claim = InboxClaimRow(
                    inbox=STORE_INBOX, linkage_dir=mine, claimed_by=f"{socket.gethostname()}:{os.getpid()}",
                    claimed_at=datetime.now(UTC),
                )  # fmt: skip
                session.add(claim)
    except IntegrityError:  # another worker claimed it at the same moment: its claim stands
        with store.transaction() as session:
            claim = session.get_one(InboxClaimRow, STORE_INBOX)
    if claim.linkage_dir != mine:
        raise ConflictError(
            f"The store inbox belongs to the linkage {claim.linkage_dir} (claimed "
            f"{claim.claimed_at:%Y-%m-%d %H:%M} by {claim.claimed_by}), not {mine}: a second linkage would "
            "miss the events the first one processes. Run the worker over that directory, or give this one "
            "its own store (ILOS_DATABASE_URL)"
        )


@contextmanager
def worker_slot(linkage_dir: Path, store: Store | None) -> Iterator[None]:
    """Hold the linkage's worker lock (and, for the store inbox, its claim) while the worker runs; a 409
    saying who holds it when another worker runs."""
    with linkage_lock(linkage_dir) as held:
        if not held:
            raise ConflictError(
                f"Another change worker runs over {linkage_dir} (it holds {linkage_dir / WORKER_LOCK}): "
                "`ilos serve` runs one, as does `ilos worker run`. Stop it first, or let it process the inbox"
            )
        if store is not None:
            claim_store_inbox(store, linkage_dir)
        yield
