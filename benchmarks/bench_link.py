"""Entity-resolution benchmark: ILOS against a plain Splink baseline on the same synthetic world.

Prints wall time and peak memory of ILOS end to end (standardize, train, score, cluster), its accuracy at
its own default threshold, and the baseline's accuracy at 0.5 and at its best threshold (chosen with the
truth, which favours the baseline).

    python benchmarks/bench_link.py --persons 100000 --seed 11
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from ilos.definitions.sources import load_sources_config
from ilos.resolve import linkage
from ilos.resolve.baseline import baseline_clusters, score_baseline
from ilos.resolve.evaluation import LinkageScores, evidence_oracle, score_clusters
from ilos.services.linking import TrainingOptions, evaluate_linkage, link_config, standardized_records
from ilos.services.world import generate_world
from measure import PhaseMemory, peak_rss_gib, rss_gib


def _line(name: str, s: LinkageScores) -> str:
    return (
        f"{name:<32} pairwise P {s.pairwise_precision:.4f} R {s.pairwise_recall:.4f} F1 {s.pairwise_f1:.4f} | "
        f"B3 F1 {s.bcubed_f1:.4f} | household false merges {s.household_false_merge_rate:.4f} "
        f"({s.household_false_merges}/{s.household_person_pairs})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--keep", type=Path, default=None, help="Keep the world and linkage here.")
    parser.add_argument("--memory-limit-gib", type=float, default=TrainingOptions().memory_limit_gib)
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="ilos-bench-link-"))
    world = work / "world"
    if not (world / "sources.yaml").exists():
        t0 = time.perf_counter()
        generate_world(world, args.persons, args.seed, None)
        print(f"generated {args.persons:,} persons in {time.perf_counter() - t0:.1f} s")
    out = work / "linkage"
    memory = PhaseMemory()

    def progress(message: str) -> None:
        memory.enter(message)
        print(f"  [{time.perf_counter() - t0:6.1f}s] {message} (RSS {rss_gib():.2f} GiB)", flush=True)

    t0, cpu0 = time.perf_counter(), time.process_time()
    options = TrainingOptions(memory_limit_gib=args.memory_limit_gib)
    run = link_config(world / "sources.yaml", out, options, progress)
    elapsed = time.perf_counter() - t0
    peak = peak_rss_gib()
    for phase, gib in memory.stop().items():
        print(f"  peak RSS {gib:5.2f} GiB during: {phase}")
    s = run.summary
    print(
        f"ILOS end to end: {elapsed:.1f} s for {s.records:,} records ({args.persons:,} persons); peak RSS {peak:.2f} GiB; "
        f"CPU {time.process_time() - cpu0:.0f} s over all threads (other jobs share the cores: wall time depends on them)"
    )
    print(f"threshold chosen from the model: {s.threshold.threshold:.4f}; review pairs {s.review_pairs:,}")
    truth_path = world / "truth" / "records.parquet"
    ilos_scores = evaluate_linkage(out, truth_path)
    print(_line("ILOS (default threshold)", ilos_scores))
    truth = pq.read_table(truth_path)
    oracle = evidence_oracle(pq.read_table(out / linkage.RECORDS_FILE), truth)
    ceiling = score_clusters(oracle, truth).pairwise_recall
    best_f1 = 2 * ceiling / (1 + ceiling)
    print(
        f"recall ceiling without name-only links (a person's records joined by shared non-name values): "
        f"{ceiling:.4f}; F1 at that recall with precision 1.0: {best_f1:.4f}; ILOS reaches "
        f"{ilos_scores.pairwise_recall / ceiling:.1%} of it"
    )
    # The oracle's groups as the truth: how well ILOS links what the records' evidence can support.
    reachable = score_clusters(
        pq.read_table(out / linkage.CLUSTERS_FILE),
        oracle.rename_columns(["source", "record_id", "person_id"]),
    )
    print(
        f"ILOS against the reachable truth (the oracle's groups; a right link they cannot support counts as "
        f"wrong): pairwise P {reachable.pairwise_precision:.4f} R {reachable.pairwise_recall:.4f} "
        f"F1 {reachable.pairwise_f1:.4f}"
    )
    if not args.no_baseline:
        records = standardized_records(load_sources_config(world / "sources.yaml")).records
        addresses = records.select(["source", "record_id", "address_key"])
        t0 = time.perf_counter()
        pairs = score_baseline(records)
        print(f"baseline trained and scored in {time.perf_counter() - t0:.1f} s")
        at_half = score_clusters(baseline_clusters(pairs, 0.5), truth, addresses)
        print(_line("Splink baseline @0.5", at_half))
        best_t, best = 0.5, at_half
        for t in (0.1, 0.3, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999):
            scores = score_clusters(baseline_clusters(pairs, t), truth, addresses)
            if scores.pairwise_f1 > best.pairwise_f1:
                best_t, best = t, scores
        print(_line(f"Splink baseline @best ({best_t})", best))
        print(
            f"gap in pairwise F1, ILOS default minus baseline best: {ilos_scores.pairwise_f1 - best.pairwise_f1:+.4f}"
        )
    if args.keep is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
