"""`ilos link add` benchmark: add a few new records of one source to an existing linkage, end to end (load
the index, link each record, write records, links, review queue and clusters), on a copy of the linkage.

The new records are rows of the source's own file in the world the linkage was made from, under new record
ids (new records of known people). Prints wall time, the per-record latency and the process's peak RSS.

    python benchmarks/bench_link_add.py --linkage /tmp/bl1m/linkage --world /tmp/bl1m/world --records 100
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from ilos.definitions.sources import load_sources_config
from ilos.resolve import linkage
from ilos.services.linking import add_records
from ilos.services.source_reading import read_source_file
from measure import peak_rss_gib


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--linkage", type=Path, required=True)
    parser.add_argument("--world", type=Path, required=True)
    parser.add_argument("--source", default="court_cases")
    parser.add_argument("--records", type=int, default=100)
    args = parser.parse_args()
    config = load_sources_config(args.world / "sources.yaml")
    spec = config.source(args.source)
    rows = read_source_file(config, spec).slice(5000, args.records)
    ids = pc.binary_join_element_wise(pa.array(["NEW"] * rows.num_rows), rows[spec.record_id], "")
    rows = rows.set_column(rows.column_names.index(spec.record_id), spec.record_id, ids)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "linkage"
        shutil.copytree(args.linkage, work)
        incoming = Path(tmp) / f"new.{spec.file_format}"
        if spec.file_format == "parquet":
            pq.write_table(rows, incoming)
        else:
            pcsv.write_csv(rows, incoming)
        before = peak_rss_gib()
        started = time.perf_counter()
        report = add_records(work, args.source, incoming)
        seconds = time.perf_counter() - started
        links = pq.read_metadata(work / linkage.LINKS_FILE).num_rows
    print(
        f"added {report.records:,} {args.source} records ({report.joined:,} joined a subject, "
        f"{report.new_subjects:,} new) to a linkage of {links:,} links in {seconds:.1f} s; "
        f"latency per record p50 {report.percentile(0.5):.2f} ms, p99 {report.percentile(0.99):.2f} ms; "
        f"peak RSS {peak_rss_gib():.2f} GiB (before {before:.2f} GiB)"
    )


if __name__ == "__main__":
    main()
