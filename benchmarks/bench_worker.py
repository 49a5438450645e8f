"""Near-real-time worker benchmark: the whole path for one change event against a large linkage.

Each event is a raw source row (all values as text) that the worker standardizes, links into the linkage,
turns into timeline events, re-derives the subject's legal situation from before and after, classifies
the changes of, and journals with an fsync: `Worker.process`, timed per event. Half the events are rows of
known people under new record ids with one mapped field blanked, half are people from another world.
With `--rate R` the events instead arrive at R per second and go through the worker's own loop (`run_once`,
which links every waiting event, up to `--group`, before one journal fsync); latency is then from arrival to
completion. Prints p50/p95/p99 per event, the journal's bytes per event, events per second (wall, and per CPU-second of this process, which is
what "on one core" means when other jobs share the cores), index build time and RSS, and the same
records through Splink's `predict_between` for the ratio.

The worker reads the subjects' timeline (`timeline.parquet`, written by `ilos subjects build`); when the
linkage has none, this builds the timeline alone (events of every clustered record, as subjects build
does) so a 1M-person linkage does not need the whole subjects build first.

    python benchmarks/bench_worker.py --linkage /work/bench-1m/linkage --world /work/bench-1m/world --events 2000
    python benchmarks/bench_worker.py --linkage ... --world ... --rate 500 --warmup 50 --splink 0
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ilos.definitions.sources import SourcesConfig, load_sources_config
from ilos.resolve import engine, linkage
from ilos.services.change_inbox import ChangeEvent, Processed
from ilos.services.journal_file import JOURNAL_FILE
from ilos.services.realtime import GROUP_COMMIT, Worker
from ilos.services.source_reading import read_source_file
from ilos.services.subjects import TIMELINE_FILE
from ilos.services.world import generate_world
from ilos.standardize.record import standardize_record
from ilos.subjects.gather import gather_events, register_linkage
from measure import peak_rss_gib, rss_gib


def build_timeline(linkage_dir: Path, config: SourcesConfig) -> None:
    """timeline.parquet for a linkage without built subjects: the events of every clustered record."""
    clusters = pq.read_table(linkage_dir / linkage.CLUSTERS_FILE)
    links = pq.read_table(
        linkage_dir / linkage.LINKS_FILE,
        columns=["source_l", "record_id_l", "source_r", "record_id_r", "match_probability"],
    )
    records = pq.read_table(linkage_dir / linkage.RECORDS_FILE, columns=["source", "record_id"])
    raw = {spec.name: read_source_file(config, spec) for spec in config.people_sources if spec.events}
    con = duckdb.connect()
    register_linkage(con, clusters, links, records)
    gather_events(con, config, raw).write_parquet(str(linkage_dir / TIMELINE_FILE))
    con.close()


def _rows_of(config: SourcesConfig, rng: random.Random, n: int, prefix: str) -> list[ChangeEvent]:
    """n raw rows drawn from the config's people sources (in proportion to their sizes), under new ids."""
    tables = {spec.name: read_source_file(config, spec) for spec in config.people_sources}
    total = sum(t.num_rows for t in tables.values())
    picks = sorted(rng.randrange(total) for _ in range(n))
    events, offset = [], 0
    for spec in config.people_sources:
        table = tables[spec.name]
        mine = [p - offset for p in picks if offset <= p < offset + table.num_rows]
        offset += table.num_rows
        for row in table.take(mine).to_pylist() if mine else []:
            values = {c: row.get(c) for c in spec.declared_schema()}
            values[spec.record_id] = f"{prefix}-{len(events)}"
            events.append(ChangeEvent(f"{prefix}-{len(events)}", spec.name, values))
    return events


def incoming_events(config: SourcesConfig, n: int, seed: int) -> list[ChangeEvent]:
    rng = random.Random(seed)
    known = _rows_of(config, rng, n // 2, "INC")
    for event in known:  # a new record of a known person: one mapped field blanked
        spec = config.source(event.source)
        column = rng.choice(
            [c for f in spec.fields if f != "full_name" for c in spec.mapped_columns(f)] or [""]
        )
        if column in event.values:
            event.values[column] = None
    other = Path(tempfile.mkdtemp(prefix="ilos-worker-"))
    generate_world(other, max(n, 1000), seed + 1000, None)
    strangers = _rows_of(load_sources_config(other / "sources.yaml"), rng, n - len(known), "NEW")
    shutil.rmtree(other)
    mixed = known + strangers
    rng.shuffle(mixed)
    return mixed


def _scratch_linkage(linkage_dir: Path) -> Path:
    """The linkage's files hard-linked into a scratch directory, so the worker's journal and any replay
    stay out of the benchmarked linkage."""
    scratch = Path(tempfile.mkdtemp(prefix="ilos-bench-worker-")) / "linkage"
    scratch.mkdir()
    for path in linkage_dir.iterdir():
        if path.is_file() and path.name != JOURNAL_FILE:
            (scratch / path.name).hardlink_to(path)
    return scratch


def _journal_bytes(linkage_dir: Path) -> int:
    path = linkage_dir / JOURNAL_FILE
    return path.stat().st_size if path.exists() else 0


def _warm_up(worker: Worker, config: SourcesConfig, n: int, seed: int) -> None:
    """n untimed events first: a worker's first events after its start pay one-off costs (first touches of
    its arrays), up to ~0.2 s, that would otherwise stand as a queue in front of the timed arrivals."""
    for i, event in enumerate(incoming_events(config, n, seed + 7) if n else []):
        values = {**event.values, config.source(event.source).record_id: f"WARM-{i}"}
        worker.process(ChangeEvent(f"WARM-{i}", event.source, values))


def _percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _time_events(worker: Worker, events: list[ChangeEvent]) -> dict[str, Any]:
    latencies, actions, changes = [], {}, 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for event in events:
        started = time.perf_counter()
        done = worker.process(event)
        latencies.append((time.perf_counter() - started) * 1000)
        actions[done.action] = actions.get(done.action, 0) + 1
        changes += len(done.changes)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    latencies.sort()
    return {"latencies": latencies, "actions": actions, "changes": changes, "cpu": cpu, "wall": wall}


class _Arrivals:
    """An inbox the events arrive in at a steady rate: `pending` hands out those that have arrived, and
    `complete` times each from its arrival to its completion (after its group's journal fsync)."""

    def __init__(self, events: list[ChangeEvent], rate: float) -> None:
        self.events, self.rate, self.done = events, rate, 0
        self.started = time.perf_counter()
        self.latencies: list[float] = []

    def arrival(self, i: int) -> float:
        return self.started + i / self.rate

    def pending(self, limit: int | None = None) -> list[ChangeEvent]:
        arrived = min(len(self.events), int((time.perf_counter() - self.started) * self.rate) + 1)
        return self.events[self.done : arrived if limit is None else min(arrived, self.done + limit)]

    def complete(self, event: ChangeEvent, done: Processed) -> None:
        self.latencies.append((time.perf_counter() - self.arrival(self.done)) * 1000)
        self.done += 1

    def hold(self, event: ChangeEvent, error: str) -> None:
        raise RuntimeError(f"{event.event_id}: {error}")


def _time_arrivals(worker: Worker, events: list[ChangeEvent], rate: float) -> dict[str, Any]:
    """The worker's own loop (`run_once`, group commit) over events arriving at `rate` per second."""
    inbox = _Arrivals(events, rate)
    worker.inbox = inbox
    actions: dict[str, int] = {}
    changes = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    while inbox.done < len(events):
        processed = worker.run_once()
        for done in processed:
            actions[done.action] = actions.get(done.action, 0) + 1
            changes += len(done.changes)
        if not processed:  # idle until the next event arrives
            time.sleep(max(0.0, inbox.arrival(inbox.done) - time.perf_counter()))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return {
        "latencies": sorted(inbox.latencies),
        "actions": actions,
        "changes": changes,
        "cpu": cpu,
        "wall": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--linkage", type=Path, required=True)
    parser.add_argument(
        "--world", type=Path, required=True, help="the synthetic world the linkage was made from"
    )
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--splink", type=int, default=5, help="records to time through predict_between")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="events arriving per second, through the worker's loop with group commit (0: one at a time)",
    )
    parser.add_argument("--warmup", type=int, default=0, help="untimed events processed first")
    parser.add_argument("--group", type=int, default=GROUP_COMMIT, help="events per journal fsync at most")
    args = parser.parse_args()
    config = load_sources_config(args.world / "sources.yaml")
    as_of = date.fromisoformat(json.loads((args.world / "world.json").read_text())["today"])
    if not (args.linkage / TIMELINE_FILE).exists():
        started = time.perf_counter()
        build_timeline(args.linkage, config)
        print(f"timeline built in {time.perf_counter() - started:.1f} s (peak RSS {peak_rss_gib():.2f} GiB)")
    events = incoming_events(config, args.events, args.seed)
    scratch = _scratch_linkage(args.linkage)
    before = rss_gib()
    started = time.perf_counter()
    worker = Worker(scratch, as_of=as_of, group_commit=args.group)
    built = time.perf_counter() - started
    print(
        f"worker over {len(worker.linker.store):,} records started in {built:.1f} s; index arrays "
        f"{worker.linker.memory_bytes() / 2**30:.2f} GiB; timeline index {len(worker.timeline):,} events, "
        f"{worker.timeline.nbytes() / 2**30:.2f} GiB; RSS {before:.2f} -> {rss_gib():.2f} GiB"
    )
    _warm_up(worker, config, args.warmup, args.seed)
    journal_before = _journal_bytes(scratch)
    run = _time_arrivals(worker, events, args.rate) if args.rate else _time_events(worker, events)
    if args.rate:
        print(f"{args.rate:,.0f} events arriving per second, up to {args.group} per journal fsync")
    lat, n = run["latencies"], len(run["latencies"])
    print(
        f"processed {n:,} events: {n / run['wall']:,.0f} events/s wall, {n / run['cpu']:,.0f} per CPU-second "
        f"(one core); outcomes {run['actions']}; {run['changes']} classified changes"
    )
    print(
        f"latency per event ({'arrival to completion' if args.rate else 'standardize, link, events, legal situation before/after, classify, fsync'}): "
        f"p50 {_percentile(lat, 0.5):.2f} ms, p95 {_percentile(lat, 0.95):.2f} ms, "
        f"p99 {_percentile(lat, 0.99):.2f} ms, max {lat[-1]:.2f} ms"
    )
    journal = _journal_bytes(scratch) - journal_before
    print(f"journal: {journal:,} bytes for {n:,} events, {journal / max(n, 1):,.0f} bytes per event")
    print(f"RSS after {rss_gib():.2f} GiB (peak {peak_rss_gib():.2f} GiB)")
    if args.splink:
        con = duckdb.connect()
        linkage.prepare_records(con, pq.read_table(args.linkage / linkage.RECORDS_FILE))
        model = json.loads((args.linkage / linkage.MODEL_FILE).read_text())
        recs = [standardize_record(e.values, config.source(e.source)) for e in events[: args.splink]]
        incoming = pa.Table.from_pylist(recs, schema=pq.read_schema(args.linkage / linkage.RECORDS_FILE))
        seconds = engine.time_splink_predict_between(con, model, incoming)
        mean = sum(seconds) / len(seconds)
        print(
            f"Splink predict_between: {mean:.3f} s per record (mean of {len(seconds)}); ratio to the worker's "
            f"p50 {mean * 1000 / _percentile(lat, 0.5):,.0f}x, p99 {mean * 1000 / _percentile(lat, 0.99):,.0f}x"
        )
    shutil.rmtree(scratch.parent)


if __name__ == "__main__":
    main()
