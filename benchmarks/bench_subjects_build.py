"""`ilos subjects build` on a kept linkage: wall time, peak memory (of the process and of each phase) and
what it built. It writes the build's files into the linkage, as the command does.

    python benchmarks/bench_link.py --persons 1000000 --seed 11 --no-baseline --keep DIR
    python benchmarks/bench_subjects_build.py --linkage DIR/linkage --world DIR/world
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ilos.services.subjects import build_subjects
from measure import PhaseMemory, peak_rss_gib, rss_gib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--linkage", type=Path, required=True, help="a directory written by `ilos link`")
    parser.add_argument(
        "--world", type=Path, required=True, help="the synthetic world the linkage was made from"
    )
    args = parser.parse_args()
    memory = PhaseMemory()
    started = time.perf_counter()

    def progress(message: str) -> None:
        memory.enter(message)
        print(f"  [{time.perf_counter() - started:6.1f}s] {message} (RSS {rss_gib():.2f} GiB)", flush=True)

    build = build_subjects(args.linkage, args.world / "sources.yaml", progress=progress)
    elapsed = time.perf_counter() - started
    for phase, gib in memory.stop().items():
        print(f"  peak RSS {gib:5.2f} GiB during: {phase}")
    print(
        f"subjects build: {build.subjects:,} subjects, {build.events:,} events, {build.observations:,} "
        f"observations, {build.with_conflicts:,} with conflicts in {elapsed:.1f} s; peak RSS {peak_rss_gib():.2f} GiB"
    )


if __name__ == "__main__":
    main()
