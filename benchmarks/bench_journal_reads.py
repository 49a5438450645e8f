"""What the change worker's journal costs its readers as it grows. Every subject page, gate check and worklist
view reads `journal.jsonl` whole (`journal_records.read_journal`), and nothing truncates it (a batch run
that takes in the journaled records leaves their lines), so the read grows with every event the worker
has linked since the journal began. Links events through the worker in steps and, after each, times
`read_journal`, one subject's gate inputs (`gate_inputs.subject_gate_inputs`, what an action's gate
check reads), the alerts feed (`realtime.read_alerts`, read at every line the worker writes while a page
streams them) and a look at a file inbox holding every event posted (`FileInbox.pending`).

    python benchmarks/bench_journal_reads.py --persons 2000 --sizes 1000,5000,20000
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench_worker import _scratch_linkage, incoming_events
from bench_worker_reload import _linkage_and_world
from ilos.definitions.policy_files import load_policy
from ilos.definitions.sources import load_sources_config
from ilos.services.change_inbox import JOURNAL_FILE, FileInbox
from ilos.services.gate_inputs import subject_gate_inputs
from ilos.services.journal_records import read_journal
from ilos.services.realtime import Worker, read_alerts


def _median_seconds(call: Callable[[], Any], times: int) -> float:
    seconds = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--linkage", type=Path)
    parser.add_argument("--world", type=Path, help="the synthetic world the linkage was made from")
    parser.add_argument("--persons", type=int, default=2000, help="the world to generate without --linkage")
    parser.add_argument("--sizes", default="1000,5000,20000", help="journal sizes (events) to time reads at")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    linkage_dir, world = _linkage_and_world(args)
    scratch = _scratch_linkage(linkage_dir)
    config = load_sources_config(world / "sources.yaml")
    policy = load_policy()
    events = incoming_events(config, sizes[-1], args.seed)
    worker = Worker(scratch)
    inbox = FileInbox(scratch)  # one inbox to post to: each new one reads the whole journal
    done = 0
    for size in sizes:
        started = time.perf_counter()
        for event in events[done:size]:
            inbox.post(event.source, event.values, event.event_id)
        worker.run_once()
        linked = time.perf_counter() - started
        subject = worker.journaled[events[size - 1].event_id].subject_id
        done = size
        journal = read_journal(scratch)
        read = _median_seconds(partial(read_journal, scratch), args.rounds)
        gates = _median_seconds(partial(subject_gate_inputs, scratch, subject, policy), args.rounds)
        alerts = _median_seconds(partial(read_alerts, scratch), args.rounds)
        look = _median_seconds(inbox.pending, args.rounds)
        megabytes = (scratch / JOURNAL_FILE).stat().st_size / 1e6
        print(
            f"journal of {size:,} events ({megabytes:.1f} MB, {len(journal.lines):,} lines the batch files do "
            f"not hold; linked in {linked:.1f} s): read_journal median {read * 1000:.0f} ms, one subject's "
            f"gate inputs median {gates * 1000:.0f} ms, read_alerts median {alerts * 1000:.0f} ms, a file inbox's "
            f"look median {look * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
