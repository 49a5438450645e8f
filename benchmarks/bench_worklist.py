"""Worklist benchmark, end to end on a synthetic world: generate, link, build subjects (as of the world's
date), build the worklist under the default policy, and check it against the hidden truth.

Prints the two figures the policy engine answers for: actionable subjects whose true person is protected
or a US citizen (must be 0), and the share of truly removable, unprotected persons who come out
actionable; plus the time of each step.

    python benchmarks/bench_worklist.py --persons 100000 --seed 11
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date
from pathlib import Path

from ilos.services.linking import link_config
from ilos.services.subjects import build_subjects
from ilos.services.worklists import WorklistTruth, build_worklist, score_worklist_against_truth
from ilos.services.world import generate_world


def _timed(label: str, timings: dict[str, float], started: float) -> None:
    timings[label] = time.perf_counter() - started
    print(f"{label:<16} {timings[label]:8.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--policy", default=None, help="Policy name or YAML path (default: shipped default).")
    parser.add_argument(
        "--keep", type=Path, default=None, help="Keep (and reuse) the world and linkage here."
    )
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="ilos-bench-worklist-"))
    world, linkage = work / "world", work / "linkage"
    timings: dict[str, float] = {}
    if not (world / "sources.yaml").exists():
        t0 = time.perf_counter()
        generate_world(world, args.persons, args.seed, None)
        _timed("generate", timings, t0)
    world_date = date.fromisoformat(json.loads((world / "world.json").read_text())["today"])
    if not (linkage / "clusters.parquet").exists():
        t0 = time.perf_counter()
        link_config(world / "sources.yaml", linkage)
        _timed("link", timings, t0)
    t0 = time.perf_counter()
    subjects = build_subjects(linkage, world / "sources.yaml", world_date)
    _timed("subjects build", timings, t0)
    t0 = time.perf_counter()
    built = build_worklist(linkage, args.policy, world_date)
    _timed("worklist build", timings, t0)
    truth = score_worklist_against_truth(linkage, world / "truth")
    print(
        f"world: {args.persons:,} persons, seed {args.seed}, as of {world_date}; {subjects.subjects:,} subjects"
    )
    print(f"policy {built.policy_label}; statuses {built.by_status}")
    print(f"worklist: {built.subjects / timings['worklist build']:,.0f} subjects/s")
    _report(truth)
    print(f"output in {work}")


def _report(truth: WorklistTruth) -> None:
    print(f"actionable subjects whose true person is protected or a US citizen: {truth.actionable_protected}")
    for subject_id, person_id, protections in truth.offenders:
        print(f"  {subject_id} (true person {person_id}, protections {protections}): see decisions.jsonl")
    print(
        f"truly removable, unprotected persons actionable: {truth.removable_actionable:,} of "
        f"{truth.removable_persons:,} ({truth.removable_share:.1%})"
    )


if __name__ == "__main__":
    main()
