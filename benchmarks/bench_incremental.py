"""Near-real-time path benchmark: link incoming records one at a time into an existing linkage.

Builds the in-memory index from a linkage directory (from `ilos link`), then links a stream of incoming
records — half copies of existing records under new ids (a new record of a known person, with one field
blanked), half records of people from another world (new persons) — and prints per-record latency
p50/p95/p99, sustained records per second on one core, index build time and memory, and the same
records through Splink's own `predict_between` for the ratio.

    python benchmarks/bench_incremental.py --linkage /tmp/bl1m/linkage --records 2000 --splink 5
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ilos.definitions.sources import load_sources_config
from ilos.resolve import engine, linkage
from ilos.resolve.incremental import IncrementalLinker
from ilos.services.linking import standardized_records
from ilos.services.world import generate_world
from measure import peak_rss_gib


def incoming_records(linkage_dir: Path, n: int, seed: int) -> pa.Table:
    """Half copies of known people's records (new ids, one field blanked), half people from another world."""
    rng = random.Random(seed)
    existing = pq.read_table(linkage_dir / linkage.RECORDS_FILE)
    rows = existing.take([rng.randrange(existing.num_rows) for _ in range(n // 2)]).to_pylist()
    for i, row in enumerate(rows):
        row["record_id"] = f"INC-{i}"
        row[rng.choice(["a_number", "street", "postal_code", "date_of_birth", "phone"])] = None
    other = Path(tempfile.mkdtemp(prefix="ilos-inc-"))
    generate_world(other, max(n, 1000), seed + 1000, None)
    fresh = standardized_records(load_sources_config(other / "sources.yaml")).records
    strangers = fresh.take([rng.randrange(fresh.num_rows) for _ in range(n - len(rows))]).to_pylist()
    for i, row in enumerate(strangers):
        row["record_id"] = f"NEW-{i}"
    shutil.rmtree(other)
    mixed = rows + strangers
    rng.shuffle(mixed)
    return pa.Table.from_pylist(mixed, schema=existing.schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--linkage", type=Path, required=True)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument(
        "--splink", type=int, default=5, help="records to time through Splink's predict_between"
    )
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    incoming = incoming_records(args.linkage, args.records, args.seed)
    before = peak_rss_gib()
    started = time.perf_counter()
    linker = IncrementalLinker(args.linkage)
    built = time.perf_counter() - started
    print(
        f"index over {len(linker.store):,} records built in {built:.1f} s; arrays {linker.memory_bytes() / 2**30:.2f} GiB; "
        f"peak RSS {peak_rss_gib():.2f} GiB (before {before:.2f} GiB)"
    )
    latencies = []
    started, cpu_started = time.perf_counter(), time.process_time()
    actions: dict[str, int] = {}
    for rec in incoming.to_pylist():
        outcome = linker.link(rec)
        latencies.append(outcome.seconds * 1000)
        actions[outcome.action] = actions.get(outcome.action, 0) + 1
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    print(
        f"linked {len(latencies):,} records in {wall:.2f} s = {len(latencies) / wall:,.0f} records/s wall, "
        f"{len(latencies) / cpu:,.0f} per CPU-second (one core; other jobs share the cores); outcomes {actions}"
    )
    print(
        f"latency per record: p50 {pick(0.5):.2f} ms, p95 {pick(0.95):.2f} ms, p99 {pick(0.99):.2f} ms, max {latencies[-1]:.2f} ms"
    )
    print(f"peak RSS after linking {peak_rss_gib():.2f} GiB")
    if args.splink:
        con = duckdb.connect()
        linkage.prepare_records(con, pq.read_table(args.linkage / linkage.RECORDS_FILE))
        model = engine.json.loads((args.linkage / linkage.MODEL_FILE).read_text())
        seconds = engine.time_splink_predict_between(con, model, incoming.slice(0, args.splink))
        mean = sum(seconds) / len(seconds)
        print(
            f"Splink predict_between: {mean:.3f} s per record (mean of {len(seconds)}); "
            f"ratio to ILOS p50: {mean * 1000 / pick(0.5):,.0f}x, to ILOS p99: {mean * 1000 / pick(0.99):,.0f}x"
        )


if __name__ == "__main__":
    main()
