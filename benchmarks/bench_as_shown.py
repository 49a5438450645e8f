"""as_shown benchmark: what showing a decision for its purpose costs (`decide.as_shown`, the step every
worklist row and every subject page takes), over every subject of a linkage from `ilos link` with its
subjects built (say, `bench_worklist.py --keep DIR`).

Decides every subject for the purpose first (not timed), then times `as_shown` over all the decisions, a
few rounds, and prints the time a round and a decision, how many decisions rest partly on records the
purpose may use nothing of, and how many gates are shown withheld.

    python benchmarks/bench_as_shown.py --linkage /tmp/bw100k/linkage --rounds 5
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from ilos.policy.decide import as_shown
from ilos.services.gate_inputs import built_as_of
from ilos.services.policy_admin import resolve_policy
from ilos.services.worklists import DEFAULT_PURPOSE, evaluate_linkage


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--linkage", type=Path, required=True)
    parser.add_argument("--purpose", default=DEFAULT_PURPOSE)
    parser.add_argument("--policy", default=None, help="Policy name or YAML path (default: shipped default).")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    policy = resolve_policy(args.policy, None)
    started = time.perf_counter()
    decisions = list(evaluate_linkage(args.linkage, policy, built_as_of(args.linkage), args.purpose))
    print(f"decided {len(decisions):,} subjects for {args.purpose} in {time.perf_counter() - started:.1f} s")
    seconds = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        shown = [as_shown(d) for d in decisions]
        seconds.append(time.perf_counter() - started)
    withheld = sum(1 for d in decisions if d.withheld_records)
    gates = sum(1 for d in shown for g in d.gates if g.evidence and g.evidence[0].startswith("withheld:"))
    print(f"{withheld:,} decisions with withheld records; {gates:,} gates shown withheld")
    best, median = min(seconds), statistics.median(seconds)
    print(
        f"as_shown over {len(decisions):,} decisions: best {best:.3f} s, median {median:.3f} s "
        f"({median / len(decisions) * 1e6:.1f} µs a decision; rounds {', '.join(f'{s:.3f}' for s in seconds)})"
    )


if __name__ == "__main__":
    main()
