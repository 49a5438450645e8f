"""What the change worker's journal costs its readers as it grows. Every subject page, gate check and worklist
view reads `journal.jsonl` whole (`journal_records.read_journal`), and nothing truncates it (a batch run
that takes in the journaled records leaves their lines), so the read grows with every event the worker
has linked since the journal began. Links events through the worker in steps and, after each, times
`read_journal`, one subject's gate inputs (`gate_inputs.subject_gate_inputs`, what an action's gate
check reads), the alerts feed (`realtime.read_alerts`, read at every line the worker writes while a page
streams them), a look at a file inbox holding every event posted (`FileInbox.pending`) and one subject's
history as its page shows it (`web_history.history_in`: the batch runs' merges and splits, with
`--batch-history N` lines of them in `subject_events.jsonl`, and the journal's lines), and a post to the file
inbox from the command line (`ilos worker post --inbox file`, a process of its own: the refusal of a record
already linked or waiting reads the journal and the inbox; the figure includes the interpreter's start).

    python benchmarks/bench_journal_reads.py --persons 2000 --sizes 1000,5000,20000
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from bench_worker import _scratch_linkage, incoming_events
from bench_worker_reload import _linkage_and_world, add_linkage_arguments
from ilos.definitions.policy import Policy
from ilos.definitions.policy_files import load_policy
from ilos.definitions.sources import load_sources_config
from ilos.resolve.linkage import SUBJECT_EVENTS_FILE
from ilos.services.change_inbox import ChangeEvent, FileInbox
from ilos.services.gate_inputs import subject_gate_inputs
from ilos.services.journal_file import JOURNAL_FILE
from ilos.services.journal_records import read_journal
from ilos.services.realtime import Worker, read_alerts
from ilos.services.web_history import history_in


def _median_seconds(call: Callable[[], Any], times: int) -> float:
    seconds = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def _everything_shown(record: str) -> bool:
    return True


def _add_batch_history(linkage_dir: Path, lines: int) -> None:
    """Append `lines` merge and split lines naming made-up subjects to the batch runs' history, shaped as
    `ilos link` writes them (`resolve.linkage`), as a linkage re-run many times holds."""
    if lines <= 0:
        return
    at = datetime.now(UTC).isoformat()
    with (linkage_dir / SUBJECT_EVENTS_FILE).open("a") as f:
        for i in range(lines):
            kind = "merge" if i % 2 else "split"
            records = [f"crossings|X{i}-{k}" for k in range(2)]
            line = {"at": at, "config_hash": "0" * 64, "kind": kind, "subject_id": f"S-made-{i}",
                    "others": [f"S-made-{i}-b"], "records_moved": len(records), "records": records}  # fmt: skip
            f.write(json.dumps(line) + "\n")


def _cli_post_seconds(linkage_dir: Path, extra: Iterator[ChangeEvent], times: int) -> float:
    """The median wall time of `ilos worker post --inbox file` posting one more event (a new record)."""
    seconds = []
    for _ in range(times):
        event = next(extra)
        args = ["worker", "post", str(linkage_dir), "--source", event.source, "--inbox", "file"]
        started = time.perf_counter()
        subprocess.run(
            [str(Path(sys.executable).parent / "ilos"), *args, "--values", json.dumps(event.values)],
            check=True,
            capture_output=True,
        )
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def _gates_after_each_new_event(
    worker: Worker, inbox: FileInbox, extra: Iterator[ChangeEvent], subject: str, policy: Policy, times: int
) -> float:
    """The median gate check right after the worker linked one more event (untimed): what a linkage with
    events coming in costs, as nothing read before holds."""
    seconds = []
    for _ in range(times):
        event = next(extra)
        inbox.post(event.source, event.values, event.event_id)
        worker.run_once()
        started = time.perf_counter()
        subject_gate_inputs(worker.dir, subject, policy)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_linkage_arguments(parser, persons=2000)
    parser.add_argument("--sizes", default="1000,5000,20000", help="journal sizes (events) to time reads at")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--batch-history",
        type=int,
        default=0,
        help="merge and split lines to add to subject_events.jsonl first (as re-runs of `ilos link` append)",
    )
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    linkage_dir, world = _linkage_and_world(args)
    scratch = _scratch_linkage(linkage_dir)
    config = load_sources_config(world / "sources.yaml")
    policy = load_policy()
    events = incoming_events(config, sizes[-1] + 2 * args.rounds * len(sizes), args.seed)
    extra = iter(events[sizes[-1] :])  # one linked before each timed gate check after a new line
    _add_batch_history(scratch, args.batch_history)
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
        fresh = _gates_after_each_new_event(worker, inbox, extra, subject, policy, args.rounds)
        alerts = _median_seconds(partial(read_alerts, scratch), args.rounds)
        look = _median_seconds(inbox.pending, args.rounds)
        history = _median_seconds(partial(history_in, scratch, subject, _everything_shown), args.rounds)
        post = _cli_post_seconds(scratch, extra, args.rounds)  # they wait: the next size's run links them
        megabytes = (scratch / JOURNAL_FILE).stat().st_size / 1e6
        print(
            f"journal of {size:,} events ({megabytes:.1f} MB, {len(journal.lines):,} lines the batch files do "
            f"not hold; linked in {linked:.1f} s): read_journal median {read * 1000:.0f} ms, one subject's "
            f"gate inputs median {gates * 1000:.0f} ms ({fresh * 1000:.0f} ms after one more event), read_alerts median {alerts * 1000:.0f} ms, a file inbox's "
            f"look median {look * 1000:.1f} ms, a subject's history median {history * 1000:.1f} ms, "
            f"`ilos worker post` median {post * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
