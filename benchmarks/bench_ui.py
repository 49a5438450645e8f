"""Server-side render time of the subject page (GET /subjects/{id}, signed in, audited) for a subject with
50 records, and of the worklist page: `python benchmarks/bench_ui.py [ILOS_HOME] [--persons N]`.

With no ILOS_HOME given, a world of N persons (default 2000) is built in a temporary directory first. Its
largest subject rarely has 50 records (people have a handful), so the benchmark makes one: the records of
the next largest subjects are reassigned to the largest in the linkage files the page reads (observations,
timeline, clusters) until it holds `--records` records. That subject mixes several people, so it is also
the worst case for identity conflicts. A given ILOS_HOME is never changed: its largest subject is measured."""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import duckdb

from ilos.config import Settings
from ilos.server import create_server
from ilos.services.demo import reset_demo_users, run_demo

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
from fastapi.testclient import TestClient  # noqa: E402

GROWN_FILES = ("observations", "timeline", "clusters")


def grow_subject(linkage_dir: Path, records: int) -> tuple[str, int]:
    """Reassign whole subjects to the largest until it has at least `records` records; returns its id and
    record count. Rewrites the linkage files in place: only for a world this benchmark built."""
    con = duckdb.connect()
    try:
        sizes = con.execute(
            "SELECT subject_id, count(*) AS n FROM read_parquet(?) GROUP BY subject_id ORDER BY n DESC, subject_id",
            [str(linkage_dir / "clusters.parquet")],
        ).fetchall()
        target, total = sizes[0]
        donors = []
        for subject_id, n in sizes[1:]:
            if total >= records:
                break
            donors.append(subject_id)
            total += n
        for name in GROWN_FILES:
            path = linkage_dir / f"{name}.parquet"
            tmp = path.with_name(f".{name}.grown.parquet")
            con.execute(
                f"COPY (SELECT * REPLACE (CASE WHEN list_contains(?, subject_id) THEN ? ELSE subject_id END "
                f"AS subject_id) FROM read_parquet('{path}')) TO '{tmp}' (FORMAT parquet)",
                [donors, target],
            )
            tmp.replace(path)
    finally:
        con.close()
    return str(target), int(total)


def largest_subject(linkage_dir: Path) -> tuple[str, int]:
    [(subject_id, n)] = duckdb.sql(
        f"SELECT subject_id, count(*) AS n FROM read_parquet('{linkage_dir / 'clusters.parquet'}') "
        "GROUP BY subject_id ORDER BY n DESC, subject_id LIMIT 1"
    ).fetchall()
    return str(subject_id), int(n)


def timed(client: TestClient, path: str, runs: int) -> tuple[float, list[float], int]:
    """First request, then `runs` warm ones (seconds); asserts each page rendered."""
    timings, size = [], 0
    for _ in range(runs + 1):
        started = time.perf_counter()
        response = client.get(path)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text[:500]
        size = len(response.text)
    return timings[0], sorted(timings[1:]), size


def report(what: str, first: float, warm: list[float], size: int) -> None:
    p95 = warm[min(len(warm) - 1, round(0.95 * (len(warm) - 1)))]
    print(
        f"{what}: first {first * 1000:.0f} ms; p50 {statistics.median(warm) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {warm[-1] * 1000:.0f} ms over {len(warm)} runs; {size:,} bytes of HTML"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("home", nargs="?", type=Path)
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--records", type=int, default=50, help="Records of the measured subject.")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="bench-ui-"))
    settings = Settings(home=home)
    linkage_dir = home / "linkage"
    if args.home is None:
        started = time.perf_counter()
        run_demo(settings, args.persons, 3, lambda _m: None)
        print(f"built and published a {args.persons}-person world in {time.perf_counter() - started:.1f}s")
        subject_id, records = grow_subject(linkage_dir, args.records)
    else:
        subject_id, records = largest_subject(linkage_dir)
    password = {u.username: u.password for u in reset_demo_users(settings)}["analyst"]
    with TestClient(create_server(settings)) as client:
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/signin").text).group(1)  # type: ignore[union-attr]
        form = {"username": "analyst", "password": password, "purpose": "case_investigation", "csrf": csrf}
        client.post("/signin", data=form, follow_redirects=False)
        report(
            f"subject page, {records} records ({subject_id})",
            *timed(client, f"/subjects/{subject_id}", args.runs),
        )
        report("worklist page (50 rows and the map)", *timed(client, "/worklist", args.runs))
        report(
            "worklist filtered to blocked in TX",
            *timed(client, "/worklist?status=blocked&state=TX", args.runs),
        )


if __name__ == "__main__":
    main()
