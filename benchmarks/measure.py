"""What the benchmark scripts measure the same way (they run as scripts, so this sits beside them)."""

from __future__ import annotations

import resource


def peak_rss_gib() -> float:
    """The process's peak resident set size so far, in GiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
