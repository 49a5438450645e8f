"""What the benchmark scripts measure the same way (they run as scripts, so this sits beside them)."""

from __future__ import annotations

import resource
import threading


def peak_rss_gib() -> float:
    """The process's peak resident set size so far, in GiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


class PhaseMemory:
    """Samples this process's RSS every 0.2 s and keeps the peak of each phase (the last progress message)."""

    def __init__(self) -> None:
        self.phase = "start"
        self.peaks: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            rss = rss_gib()
            self.peaks[self.phase] = max(self.peaks.get(self.phase, 0.0), rss)

    def enter(self, phase: str) -> None:
        self.phase = phase

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        return self.peaks


def rss_gib() -> float:
    """The process's resident set size now, in GiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024 / 1024
    return 0.0
