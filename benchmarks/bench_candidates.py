"""Candidate matches (the identity gate's input) on a kept linkage: every subject at once, as a worklist
reads them, and one subject at a time, as a subject page or an action's gate check reads them.

    python benchmarks/bench_link.py --persons 1000000 --seed 11 --no-baseline --keep DIR
    python benchmarks/bench_candidates.py --linkage DIR/linkage --subjects 5
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from ilos.definitions.policy_files import load_policy
from ilos.services.gate_inputs import load_candidates


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
    seconds = []
    for subject in chosen:
        started = time.perf_counter()
        one = load_candidates(args.linkage, policy, {subject})
        seconds.append(time.perf_counter() - started)
        if one.get(subject) != every[subject]:
            raise SystemExit(f"{subject}: one subject's candidates differ from the every-subject read")
    print(
        f"one subject at a time ({len(chosen)}): median {statistics.median(seconds):.2f} s, "
        f"min {min(seconds):.2f} s, max {max(seconds):.2f} s (each agrees with the every-subject read)"
    )


if __name__ == "__main__":
    main()
