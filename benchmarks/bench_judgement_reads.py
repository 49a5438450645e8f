"""Judgement and model reads benchmark: what explaining one pair and one look at the review queue cost on a
linkage with recorded judgements, and what reading the judgements and the gates' settled pairs costs per ask
(an action re-checks every subject's gates, and each check asks).

Generates a world and links it (or reuses `--keep DIR` from an earlier run), records `--judged` judgements
on queued pairs in a copy of the linkage, then times each call over `--looks` repeats and prints the median
and the first (cold) call. Runs against any checkout (PYTHONPATH), so old and new code can be compared.

    python benchmarks/bench_judgement_reads.py --persons 5000 --judged 1000 --looks 30
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from ilos.resolve import explain, judgements, linkage
from ilos.services.gate_inputs import _decided_pairs  # the settled pairs each gate check joins against
from ilos.services.linking import link_config, review_queue
from ilos.services.world import generate_world


def _timed(name: str, looks: int, call: Callable[[int], object]) -> None:
    """Each look calls `call(i)`; the first look is shown apart, as the one a cache cannot serve."""
    seconds = []
    for i in range(looks):
        started = time.perf_counter()
        call(i)
        seconds.append(time.perf_counter() - started)
    print(
        f"{name:<32} median {statistics.median(seconds) * 1000:7.2f} ms, min {min(seconds) * 1000:7.2f} ms, "
        f"first {seconds[0] * 1000:7.2f} ms ({looks} looks)"
    )


def _linkage(work: Path, persons: int, seed: int) -> Path:
    world, out = work / "world", work / "linkage"
    if not (out / linkage.SUMMARY_FILE).exists():
        started = time.perf_counter()
        generate_world(world, persons, seed, None)
        link_config(world / "sources.yaml", out)
        print(f"generated and linked {persons:,} persons in {time.perf_counter() - started:.1f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--judged", type=int, default=1000, help="Judgements recorded before the looks.")
    parser.add_argument("--looks", type=int, default=30)
    parser.add_argument("--keep", type=Path, default=None, help="Keep (or reuse) the world and linkage here.")
    args = parser.parse_args()
    built = _linkage(
        args.keep or Path(tempfile.mkdtemp(prefix="ilos-bench-judgements-")), args.persons, args.seed
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "linkage"
        shutil.copytree(built, work)
        judgements_file = work / judgements.JUDGEMENTS_FILE
        judgements_file.unlink(missing_ok=True)
        queued = duckdb.sql(
            "SELECT unique_id_l, unique_id_r FROM read_parquet(?) ORDER BY unique_id_l, unique_id_r LIMIT ?",
            params=[str(work / linkage.REVIEW_FILE), args.judged],
        ).fetchall()
        verdicts = ("match", "no_match", "unsure")
        for i, (left, right) in enumerate(queued):
            judgements.record_judgement(work, left, right, verdicts[i % 3], "bench")
        scored = duckdb.sql(
            "SELECT unique_id_l, unique_id_r FROM read_parquet(?) USING SAMPLE 200 ROWS (reservoir, 7)",
            params=[str(work / linkage.LINKS_FILE)],
        ).fetchall()
        print(
            f"{len(queued):,} judgements recorded ({judgements_file.stat().st_size / 1024:.0f} KiB); "
            f"{len(scored)} scored pairs to explain"
        )
        _timed("read_judgements(dir)", args.looks, lambda _: judgements.read_judgements(work))
        _timed(
            "judgement_on(dir, a, b)",
            args.looks,
            lambda i: judgements.judgement_on(work, *queued[i % len(queued)]),
        )
        _timed(
            "explain_pair(dir, a, b)",
            args.looks,
            lambda i: explain.explain_pair(work, *scored[i % len(scored)]),
        )
        _timed("review_queue(dir, 1)", args.looks, lambda _: review_queue(work, 1))
        _timed("gate_inputs._decided_pairs(dir)", args.looks, lambda _: _decided_pairs(work))


if __name__ == "__main__":
    main()
