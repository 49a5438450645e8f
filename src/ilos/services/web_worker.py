"""The change-event worker run beside the web app (demo and tests): one background thread that builds a
`realtime.Worker` over the linkage under ILOS_HOME and processes its inbox every half second until stopped.
One web process only: two processes would each run a worker over the same inbox."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from ilos.services import linking, realtime
from ilos.services.case_actions import recheck_subject
from ilos.services.store_access import Store
from ilos.services.web_detail import linkage_dir
from ilos.services.web_gates import web_gate_source

log = logging.getLogger(__name__)
INTERVAL = 0.5


def has_linkage(home: Path) -> bool:
    """A linkage the worker can run over (its sources config copy is there)."""
    return (linkage_dir(home) / linking.CONFIG_COPY).is_file()


class BackgroundWorker:
    """Processes the inbox in a daemon thread; `stop` ends it between two passes."""

    def __init__(self, home: Path, interval: float = INTERVAL, store: Store | None = None) -> None:
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

    def _recheck(self, done: realtime.Processed) -> None:
        """A change to a subject re-checks the gates of its open actions at once (a stay halts them now,
        not at their next step); the halts and alerts commit in one transaction."""
        if self.store is None or not done.changes:
            return
        with self.store.transaction() as session:
            halts = recheck_subject(
                session, done.subject_id, f"change event {done.event_id}", web_gate_source(self.store)
            )
        if halts:
            log.info("change %s halted %d action(s) on %s", done.event_id, len(halts), done.subject_id)

    def _run(self) -> None:
        try:
            worker = realtime.Worker(self.directory)
        except Exception:  # the web app keeps serving; live alerts simply do not arrive
            log.exception("the change worker could not start over %s", self.directory)
            return
        log.info("change worker started over %s", self.directory)
        while not self._stop.wait(self.interval):
            try:
                for done in worker.run_once():
                    log.info("change %s -> %s (%d alerts)", done.event_id, done.subject_id, len(done.changes))
                    self._recheck(done)
            except Exception:  # one bad event must not end the loop; it is logged and retried next pass
                log.exception("the change worker failed on a pass over %s", self.directory)
