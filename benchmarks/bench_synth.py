"""Benchmark the synthetic world generator: wall time, rows per source and peak RSS.

.venv/bin/python benchmarks/bench_synth.py --persons 1000000 --seed 7
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from ilos.synth import generate_world


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=1_000_000, help="persons in the world")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    parser.add_argument("--out", type=Path, default=None, help="output directory (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ilos-bench-synth-") as tmp:
        out = args.out or Path(tmp)
        stages: list[tuple[str, float]] = []
        start = time.perf_counter()

        def progress(stage: str, done: int, total: int) -> None:
            stages.append((stage, time.perf_counter() - start))

        summary = generate_world(out, args.persons, args.seed, progress=progress)
        wall = time.perf_counter() - start
        size = sum(p.stat().st_size for p in summary.files)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"persons: {args.persons:,}  seed: {args.seed}")
    peak_gib = peak_kib / 1024 / 1024
    print(f"wall time: {wall:.1f} s   peak RSS: {peak_gib:.2f} GiB   written: {size / 2**20:.0f} MiB")
    total = 0
    for name, rows in summary.rows_per_source.items():
        print(f"  {name:<22} {rows:>12,}")
        total += rows
    print(f"  {'total':<22} {total:>12,}")
    print("stage finished at (s): " + ", ".join(f"{s} {t:.1f}" for s, t in stages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
