"""What a batch re-run taking in the change worker's records costs and saves (`services/journal_rows.py`).
Links events through the worker into a copy of a linkage, then times: a worker's start over that journal
(its replay links every journaled record again, as every start did after a re-run before), the re-run
(`ilos link` into the directory, which now takes the journaled records in), a worker's start after it (the
records are the batch files' now: the replay only reads their lines), and the subjects build after it.

    python benchmarks/bench_journal_taken_in.py --persons 2000 --events 20000
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench_worker import _scratch_linkage, incoming_events
from bench_worker_reload import _linkage_and_world, add_linkage_arguments
from ilos.definitions.sources import load_sources_config
from ilos.services.change_inbox import FileInbox
from ilos.services.gate_inputs import built_as_of
from ilos.services.journal_records import read_journal
from ilos.services.linking import link_config
from ilos.services.realtime import Worker
from ilos.services.subjects import build_subjects


def _timed_start(linkage_dir: Path) -> float:
    started = time.perf_counter()
    Worker(linkage_dir)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_linkage_arguments(parser, persons=2000)
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    linkage_dir, world = _linkage_and_world(args)
    scratch = _scratch_linkage(linkage_dir)
    config_path = world / "sources.yaml"
    events = incoming_events(load_sources_config(config_path), args.events, args.seed)
    inbox = FileInbox(scratch)
    for event in events:
        inbox.post(event.source, event.values, event.event_id)
    started = time.perf_counter()
    Worker(scratch, inbox=inbox).run_once()
    linked = time.perf_counter() - started
    unheld = len(read_journal(scratch).lines)
    before = _timed_start(scratch)

    started = time.perf_counter()
    rerun = link_config(config_path, scratch)
    relinked = time.perf_counter() - started
    after = _timed_start(scratch)
    started = time.perf_counter()
    build_subjects(scratch, config_path, built_as_of(scratch))
    built = time.perf_counter() - started
    after_build = _timed_start(scratch)
    print(
        f"{args.events:,} events linked by the worker in {linked:.1f} s ({unheld:,} records the batch files did "
        f"not hold); a worker's start over that journal {before:.1f} s"
    )
    print(
        f"re-run `ilos link`: {relinked:.1f} s, {rerun.summary.records:,} records of which {rerun.journaled_records:,} "
        f"taken in from the journal; records the batch files do not hold now: {len(read_journal(scratch).lines):,}"
    )
    print(
        f"a worker's start after the re-run {after:.1f} s; subjects build after it {built:.1f} s; a worker's start "
        f"after that {after_build:.1f} s"
    )


if __name__ == "__main__":
    main()
