"""`make bench`: every benchmark at the sizes the issues name, one after another, figures printed as they come.

Pass names to run a subset: `python benchmarks/run_all.py synth ingest`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
BENCHMARKS: dict[str, list[str]] = {
    "synth": ["bench_synth.py", "--persons", "1000000"],
    "ingest": ["bench_ingest.py", "--rows", "2000000"],
    "standardize": ["bench_standardize.py"],
    "link": ["bench_link.py", "--persons", "100000", "--keep", "benchmarks/out/link100k"],
    "incremental": [
        "bench_incremental.py",
        "--linkage",
        "benchmarks/out/link100k/linkage",
        "--records",
        "2000",
    ],
    "review_queue": ["bench_review_queue.py", "--linkage", "benchmarks/out/link100k/linkage"],
    "link_add": [
        "bench_link_add.py",
        "--linkage",
        "benchmarks/out/link100k/linkage",
        "--world",
        "benchmarks/out/link100k/world",
    ],
    "worker": [
        "bench_worker.py",
        "--linkage",
        "benchmarks/out/link100k/linkage",
        "--world",
        "benchmarks/out/link100k/world",
        "--events",
        "2000",
    ],
    "worker_reload": [
        "bench_worker_reload.py",
        "--linkage",
        "benchmarks/out/link100k/linkage",
        "--world",
        "benchmarks/out/link100k/world",
        "--events",
        "200",
    ],
    "journal_reads": ["bench_journal_reads.py", "--persons", "2000", "--sizes", "1000,5000,20000"],
    "worklist": ["bench_worklist.py", "--persons", "100000", "--keep", "benchmarks/out/worklist100k"],
    "as_shown": ["bench_as_shown.py", "--linkage", "benchmarks/out/worklist100k/linkage"],
    "placement": ["bench_placement.py", "--people", "50000", "--facilities", "250"],
    "transport": ["bench_transport.py", "--people", "5000", "--countries", "40", "--flights", "60"],
    "publish": ["bench_publish.py", "--rows", "1000000"],
    "api": ["bench_api.py"],
    "ui": ["bench_ui.py"],
}


def main() -> int:
    chosen = sys.argv[1:] or list(BENCHMARKS)
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}",
            file=sys.stderr,
        )
        return 2
    failures = 0
    for name in chosen:
        script, *args = BENCHMARKS[name]
        print(f"=== {name}: {script} {' '.join(args)}", flush=True)
        started = time.perf_counter()
        status = subprocess.call([sys.executable, str(HERE / script), *args])
        print(f"=== {name}: exit {status} after {time.perf_counter() - started:.1f} s", flush=True)
        failures += status != 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
