"""Review queue benchmark: what one look at the queue costs (the review page and `GET /review-queue` ask
for the first pair and the count on every load), against a linkage directory from `ilos link`.

Prints the queue's size, how many band pairs the linkage holds and how they split (across two subjects,
within one), and the time of `linking.review_queue(dir, 1)` over several looks, with a number of recorded
judgements (written to a copy of the directory, so the linkage itself is untouched).

    python benchmarks/bench_review_queue.py --linkage /tmp/bl1m/linkage --looks 5 --judged 1000
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from ilos.resolve import judgements, linkage
from ilos.services.linking import review_queue
from measure import peak_rss_gib


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--linkage", type=Path, required=True)
    parser.add_argument("--looks", type=int, default=5)
    parser.add_argument("--judged", type=int, default=1000, help="Judgements recorded before the looks.")
    args = parser.parse_args()
    band = json.loads((args.linkage / linkage.SUMMARY_FILE).read_text())["threshold"]
    counts = duckdb.sql(
        "SELECT count(*) FILTER (WHERE NOT same_subject), count(*) FILTER (WHERE same_subject), "
        "count(*) FILTER (WHERE decision = 'review') FROM read_parquet(?) "
        "WHERE match_probability BETWEEN ? AND ? AND decision NOT IN ('household_conflict', 'judged')",
        params=[str(args.linkage / linkage.LINKS_FILE), band["review_low"], band["review_high"]],
    ).fetchall()[0]
    print(
        f"band [{band['review_low']:.4f}, {band['review_high']:.4f}]: {counts[0]:,} pairs across two subjects, "
        f"{counts[1]:,} within one; {counts[2]:,} of them queued"
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "linkage"
        work.mkdir()
        for name in (linkage.REVIEW_FILE, linkage.SUMMARY_FILE):
            shutil.copy(args.linkage / name, work / name)
        pairs = duckdb.sql(
            "SELECT unique_id_l, unique_id_r FROM read_parquet(?) LIMIT ?",
            params=[str(work / linkage.REVIEW_FILE), args.judged],
        ).fetchall()
        started = time.perf_counter()
        for left, right in pairs:
            judgements.record_judgement(work, left, right, "unsure", "bench")
        print(f"recorded {len(pairs):,} judgements in {time.perf_counter() - started:.1f} s")
        seconds = []
        for _ in range(args.looks):
            started = time.perf_counter()
            queue = review_queue(work, 1)
            seconds.append(time.perf_counter() - started)
        print(
            f"review_queue(dir, 1): {queue.waiting:,} pairs wait; per look median {statistics.median(seconds) * 1000:.0f} ms, "
            f"max {max(seconds) * 1000:.0f} ms over {args.looks} looks; peak RSS {peak_rss_gib():.2f} GiB"
        )


if __name__ == "__main__":
    main()
