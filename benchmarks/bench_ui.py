"""Server-side render time of the subject page (GET /subjects/{id}, signed in, audited) for the subject with
the most records in a published world: `python benchmarks/bench_ui.py [ILOS_HOME] [--persons N]`.

With no ILOS_HOME given, a world of N persons (default 2000) is built in a temporary directory first."""

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
from ilos.services.demo import reset_demo_users, run_demo
from ilos.web.app import create_web_app

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
from fastapi.testclient import TestClient  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("home", nargs="?", type=Path)
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="bench-ui-"))
    settings = Settings(home=home)
    if args.home is None:
        started = time.perf_counter()
        run_demo(settings, args.persons, 7, lambda _m: None)
        print(f"built and published a {args.persons}-person world in {time.perf_counter() - started:.1f}s")
    password = {u.username: u.password for u in reset_demo_users(settings)}["analyst"]
    [(subject_id, records)] = duckdb.sql(
        f"SELECT subject_id, record_count FROM read_parquet('{home / 'linkage' / 'subjects.parquet'}') "
        "ORDER BY record_count DESC, subject_id LIMIT 1"
    ).fetchall()
    with TestClient(create_web_app(settings)) as client:
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/signin").text).group(1)  # type: ignore[union-attr]
        form = {"username": "analyst", "password": password, "purpose": "case_investigation", "csrf": csrf}
        client.post("/signin", data=form, follow_redirects=False)
        timings = []
        for _ in range(args.runs + 1):
            started = time.perf_counter()
            response = client.get(f"/subjects/{subject_id}")
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text[:500]
    warm = sorted(timings[1:])
    print(
        f"subject page, {records} records ({subject_id}): first {timings[0] * 1000:.0f} ms; "
        f"median {statistics.median(warm) * 1000:.0f} ms, p95 {warm[int(0.95 * (len(warm) - 1))] * 1000:.0f} ms "
        f"over {len(warm)} runs; {len(response.text):,} bytes of HTML"
    )


if __name__ == "__main__":
    main()
