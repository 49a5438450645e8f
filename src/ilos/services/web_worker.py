"""The change-event worker run beside the web app (demo and tests): one background thread that builds a
`realtime.Worker` over the linkage under ILOS_HOME and processes its inbox every half second until stopped.

The inbox is the store's `change_events` table, where the API and the web's stay form post. A processed
event's re-check of the subject's open actions commits in the transaction that marks the event processed.
One web process only: two processes would each run a worker over the same inbox."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from ilos.services import linking, realtime
from ilos.services.change_inbox import StoreInbox
from ilos.services.changes import recheck_on_change
from ilos.services.store_access import Store
from ilos.services.web_detail import linkage_dir

log = logging.getLogger(__name__)
INTERVAL = 0.5


def has_linkage(home: Path) -> bool:
    """A linkage the worker can run over (its sources config copy is there)."""
    return (linkage_dir(home) / linking.CONFIG_COPY).is_file()


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
        for done in worker.run_once():
            log.info("change %s -> %s (%d alerts)", done.event_id, done.subject_id, len(done.changes))

    def _run(self) -> None:
        try:
            inbox = StoreInbox(self.store, recheck_on_change(self.store))
            worker = realtime.Worker(self.directory, inbox=inbox)
        except Exception:  # the web app keeps serving; live alerts simply do not arrive
            log.exception("the change worker could not start over %s", self.directory)
            return
        log.info("change worker started over %s", self.directory)
        while not self._stop.wait(self.interval):
            try:
                self._pass(worker)
            except Exception:  # one bad event must not end the loop; it is logged and retried next pass
                log.exception("the change worker failed on a pass over %s", self.directory)
