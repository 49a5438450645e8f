"""Near-real-time worker benchmark: the whole path for one change event against a large linkage.

Each event is a raw source row (all values as text) that the worker standardizes, links into the linkage,
turns into timeline events, re-derives the subject's legal situation from before and after, classifies
the changes of, and journals with an fsync: `Worker.process`, timed per event. Half the events are rows of
known people under new record ids with one mapped field blanked, half are people from another world.
Prints p50/p95/p99 per event, events per second (wall, and per CPU-second of this process, which is
what "on one core" means when other jobs share the cores), index build time and RSS, and the same
records through Splink's `predict_between` for the ratio.

The worker reads the subjects' timeline (`timeline.parquet`, written by `ilos subjects build`); when the
linkage has none, this builds the timeline alone (events of every clustered record, as subjects build
does) so a 1M-person linkage does not need the whole subjects build first.

    python benchmarks/bench_worker.py --linkage /work/bench-1m/linkage --world /work/bench-1m/world --events 2000
"""

from __future__ import annotations

import argparse
import json
import random
import resource
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
from ilos.services.change_inbox import JOURNAL_FILE, ChangeEvent
from ilos.services.linking import read_source_file
from ilos.services.realtime import Worker
from ilos.services.subjects import TIMELINE_FILE
from ilos.services.world import generate_world
from ilos.standardize.record import standardize_record
from ilos.subjects.gather import gather_events, register_linkage


def _peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def _rss_gib() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024 / 1024


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
    events = gather_events(con, config, raw)
    con.close()
    pq.write_table(events, linkage_dir / TIMELINE_FILE)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--linkage", type=Path, required=True)
    parser.add_argument(
        "--world", type=Path, required=True, help="the synthetic world the linkage was made from"
    )
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--splink", type=int, default=5, help="records to time through predict_between")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    config = load_sources_config(args.world / "sources.yaml")
    as_of = date.fromisoformat(json.loads((args.world / "world.json").read_text())["today"])
    if not (args.linkage / TIMELINE_FILE).exists():
        started = time.perf_counter()
        build_timeline(args.linkage, config)
        print(f"timeline built in {time.perf_counter() - started:.1f} s (peak RSS {_peak_rss_gib():.2f} GiB)")
    events = incoming_events(config, args.events, args.seed)
    scratch = _scratch_linkage(args.linkage)
    before = _rss_gib()
    started = time.perf_counter()
    worker = Worker(scratch, as_of=as_of)
    built = time.perf_counter() - started
    print(
        f"worker over {len(worker.linker.store):,} records started in {built:.1f} s; index arrays "
        f"{worker.linker.memory_bytes() / 2**30:.2f} GiB; RSS {before:.2f} -> {_rss_gib():.2f} GiB"
    )
    run = _time_events(worker, events)
    lat, n = run["latencies"], len(run["latencies"])
    print(
        f"processed {n:,} events: {n / run['wall']:,.0f} events/s wall, {n / run['cpu']:,.0f} per CPU-second "
        f"(one core); outcomes {run['actions']}; {run['changes']} classified changes"
    )
    print(
        f"latency per event (standardize, link, events, legal situation before/after, classify, fsync): "
        f"p50 {_percentile(lat, 0.5):.2f} ms, p95 {_percentile(lat, 0.95):.2f} ms, "
        f"p99 {_percentile(lat, 0.99):.2f} ms, max {lat[-1]:.2f} ms"
    )
    print(f"RSS after {_rss_gib():.2f} GiB (peak {_peak_rss_gib():.2f} GiB)")
    if args.splink:
        worker.con.close()
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
