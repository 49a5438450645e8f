"""The change-event worker run beside the web app (demo and tests): one background thread that builds a
`realtime.Worker` over the linkage under ILOS_HOME and processes its inbox every half second until stopped.

The inbox is the store's `change_events` table, where the API and the web's stay form post. A processed
event's re-check of the subject's open actions commits in the transaction that marks the event processed.
One worker per linkage and per store inbox (`worker_claim`): the web process that takes the lock runs it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ilos.errors import ConflictError, IlosError
from ilos.services import realtime
from ilos.services.change_inbox import StoreInbox
from ilos.services.changes import recheck_on_change
from ilos.services.linkage_config import CONFIG_COPY
from ilos.services.store_access import Store
from ilos.services.subject_record import linkage_dir
from ilos.services.worker_claim import claim_store_inbox, linkage_lock

log = logging.getLogger(__name__)
INTERVAL = 0.5


def has_linkage(home: Path) -> bool:
    """A linkage the worker can run over (its sources config copy is there)."""
    return (linkage_dir(home) / CONFIG_COPY).is_file()


@contextmanager
def background_worker(home: Path, store: Store) -> Iterator[BackgroundWorker | None]:
    """The change worker of this web process while the context lasts, or None (the web keeps serving)
    when there is no linkage, another process runs the worker (another uvicorn worker, `ilos worker run`),
    or the store inbox belongs to another linkage directory."""
    directory = linkage_dir(home)
    if not has_linkage(home):
        yield None
        return
    with linkage_lock(directory) as held:
        if not held:
            log.info("another process runs the change worker over %s", directory)
            yield None
            return
        try:
            claim_store_inbox(store, directory)
        except ConflictError as exc:
            log.error("the change worker was not started: %s", exc.message)
            yield None
            return
        worker = BackgroundWorker(home, store).start()
        try:
            yield worker
        finally:
            worker.stop()


class BackgroundWorker:
    """Processes the inbox in a daemon thread; `stop` ends it between two passes."""

    def __init__(self, home: Path, store: Store, interval: float = INTERVAL) -> None:
        self.directory = linkage_dir(home)
        self.store = store
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ilos-change-worker", daemon=True)

    def start(self) -> BackgroundWorker:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _pass(self, worker: realtime.Worker) -> None:
        before = worker.rebuild_state()
        for done in worker.run_once():
            log.info("change %s -> %s (%d alerts)", done.event_id, done.subject_id, len(done.changes))
        news = before.news(worker.rebuild_state())
        if news:
            log.info("change worker over %s: %s", self.directory, news)

    def _run(self) -> None:
        worker = self._start_worker()
        if worker is None:
            return
        log.info("change worker started over %s", self.directory)
        while not self._stop.wait(self.interval):
            try:
                self._pass(worker)
            except IlosError:  # a bad event is held first in line with its error; retried next pass
                log.exception("the change worker held an event over %s", self.directory)
            except Exception:
                # An unexpected failure may leave an event linked in memory but not journaled: rebuild
                # the worker from the batch files and the journal, so memory holds only what is journaled
                # and the event is linked again, once, on the next pass.
                log.exception("the change worker failed over %s; rebuilding it", self.directory)
                worker = self._start_worker()
                if worker is None:
                    return

    def _start_worker(self) -> realtime.Worker | None:
        try:
            inbox = StoreInbox(self.store, recheck_on_change(self.store))
            return realtime.Worker(self.directory, inbox=inbox, rebuild_in_background=True)
        except Exception:  # the web app keeps serving; live alerts simply do not arrive
            log.exception("the change worker could not start over %s", self.directory)
            return None
