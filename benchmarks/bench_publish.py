"""Publishing throughput: bulk-load N small synthetic subjects (default 1M) into a fresh store and print the time.

SQLite always; PostgreSQL (COPY) too when ILOS_TEST_POSTGRES_URL is set (a scratch schema, dropped after).
Run: .venv/bin/python benchmarks/bench_publish.py [--rows 1000000]"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg

from ilos.config import Settings
from ilos.services import publish
from ilos.services.access import Purpose, local_operator
from ilos.services.store_access import open_store

GIVEN = ["Ana", "José", "Maria", "Luis", "Wei", "Fatima", "John", "Olga", "Chinedu", "Priya"]
FAMILY = ["García", "Nguyen", "Smith", "Kowalski", "Okafor", "Haddad", "Cruz", "Ivanova", "Singh", "Lopez"]


def synthetic_rows(n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    for i in range(n):
        yield {
            "subject_id": f"S{uuid.UUID(int=rng.getrandbits(128)).hex[:16]}",
            "display_name": f"{rng.choice(GIVEN)} {rng.choice(FAMILY)} {i}",
            "date_of_birth": f"{rng.randint(1940, 2010)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "identifiers": {"a_number": f"A{i:09d}"},
            "payload": {"nationality": "MX"},
        }


def run(label: str, settings: Settings, rows: int) -> None:
    store = open_store(settings)
    start = time.perf_counter()
    count = publish.publish(store, local_operator(Purpose.data_quality), synthetic_rows(rows))
    elapsed = time.perf_counter() - start
    store.close()
    print(f"{label:<10} {count:>10,} subjects in {elapsed:6.1f} s ({count / elapsed:,.0f} rows/s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        run("sqlite", Settings(home=Path(home)), args.rows)
    base = os.environ.get("ILOS_TEST_POSTGRES_URL")
    if base:
        schema = f"ilos_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            url = f"{base}{'&' if '?' in base else '?'}options={quote(f'-csearch_path={schema}')}"
            with tempfile.TemporaryDirectory() as home:
                run("postgresql", Settings(home=Path(home), database_url=url), args.rows)
        finally:
            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
