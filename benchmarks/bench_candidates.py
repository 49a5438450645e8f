"""Candidate matches (the identity gate's input) on a kept linkage: every subject at once, as a worklist
reads them, and one subject at a time, as a subject page or an action's gate check reads them, scanning the
batch files and then with the pair index a server holds (`services/pair_index.py`; its build timed).

    python benchmarks/bench_link.py --persons 1000000 --seed 11 --no-baseline --keep DIR
    python benchmarks/bench_candidates.py --linkage DIR/linkage --subjects 5
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

import pyarrow.parquet as pq

from ilos.definitions.policy import Policy
from ilos.definitions.policy_files import load_policy
from ilos.policy.results import CandidateMatch
from ilos.services import pair_index
from ilos.services.gate_inputs import load_candidates, subject_gate_inputs
from ilos.services.journal_records import held_records
from ilos.services.subjects import TIMELINE_FILE
from measure import rss_gib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--linkage", type=Path, required=True, help="a linkage directory (`ilos link --out`)")
    parser.add_argument("--subjects", type=int, default=5, help="subjects looked up one at a time")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    policy = load_policy()
    started = time.perf_counter()
    every = load_candidates(args.linkage, policy)
    print(f"every subject: {time.perf_counter() - started:.2f} s, {len(every):,} subjects with candidates")
    chosen = random.Random(args.seed).sample(sorted(every), min(args.subjects, len(every)))
    _one_at_a_time(args.linkage, policy, chosen, every, "scanning the batch files")
    fresh = _record_keys(args.linkage, args.subjects, args.seed)
    _new_records(args.linkage, fresh[: args.subjects], "scanning clusters.parquet")
    pair_index.enable()
    rss = rss_gib()
    started = time.perf_counter()
    built = pair_index.wait_for_index(args.linkage / "clusters.parquet", args.linkage / "links.parquet", 3600)
    if built is None:
        raise SystemExit("the pair index was not built")
    print(
        f"pair index built in {time.perf_counter() - started:.1f} s, the process {rss_gib() - rss:+.2f} GiB "
        f"resident, {built.nbytes / 2**30:.2f} GiB of arrays ({len(built.keys.values):,} records, "
        f"{len(built.left):,} pairs)"
    )
    _one_at_a_time(args.linkage, policy, chosen, every, "with the pair index")
    _new_records(args.linkage, fresh[args.subjects :], "with the pair index")


def _record_keys(linkage: Path, n: int, seed: int) -> list[str]:
    """2n record keys of the linkage: records a journal line could name, none looked up yet."""
    clusters = pq.read_table(linkage / "clusters.parquet", columns=["source", "record_id"])
    picked = random.Random(seed + 1).sample(range(clusters.num_rows), 2 * n)
    return [f"{clusters['source'][i].as_py()}|{clusters['record_id'][i].as_py()}" for i in picked]


def _new_records(linkage: Path, keys: list[str], how: str) -> None:
    """What a gate check right after the worker wrote a line asks of clusters.parquet about the line's record
    (`journal_records.held_records`), once per record, each a key not asked before."""
    seconds = []
    for key in keys:
        started = time.perf_counter()
        if key not in held_records(linkage, [key]):
            raise SystemExit(f"{key}: clusters.parquet holds it, the lookup did not find it ({how})")
        seconds.append(time.perf_counter() - started)
    print(
        f"a record not looked up before (a new journal line's), {how}: median "
        f"{statistics.median(seconds) * 1000:.1f} ms, max {max(seconds) * 1000:.1f} ms over {len(keys)} records"
    )


def _one_at_a_time(
    linkage: Path, policy: Policy, chosen: list[str], every: dict[str, list[CandidateMatch]], how: str
) -> None:
    seconds, whole = [], []
    built = (linkage / TIMELINE_FILE).exists()
    for subject in chosen:
        started = time.perf_counter()
        one = load_candidates(linkage, policy, {subject})
        seconds.append(time.perf_counter() - started)
        if one.get(subject) != every[subject]:
            raise SystemExit(
                f"{subject}: one subject's candidates differ from the every-subject read ({how})"
            )
        if built:  # what an action's gate check reads: the subject, its events and its identity evidence
            started = time.perf_counter()
            subject_gate_inputs(linkage, subject, policy)
            whole.append(time.perf_counter() - started)
    gates = f"; its whole gate inputs median {statistics.median(whole) * 1000:.0f} ms" if whole else ""
    print(
        f"one subject at a time ({len(chosen)}), {how}: median {statistics.median(seconds) * 1000:.0f} ms, "
        f"min {min(seconds) * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms (each agrees with the "
        f"every-subject read){gates}"
    )


if __name__ == "__main__":
    main()
