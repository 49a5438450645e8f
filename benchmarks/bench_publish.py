"""Publishing throughput: bulk-load N small synthetic subjects (default 1M) into a fresh store, then a built
worklist for them (N worklist items and N explained decisions, as `ilos worklist build` writes them to the
lake), and print the times.

SQLite always; PostgreSQL (COPY) too when ILOS_TEST_POSTGRES_URL is set (a scratch schema, dropped after).
Run: .venv/bin/python benchmarks/bench_publish.py [--rows 1000000]"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq

from ilos.config import Settings
from ilos.services import publish, worklists
from ilos.services.access import Purpose, local_operator
from ilos.services.store_access import open_store
from ilos.services.worklist_publish import publish_worklist

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


GATES = ("no_final_order", "stay_in_effect", "appeal_pending_or_open", "country_protection", "protected_status",
         "us_citizenship_signal", "witness_or_victim", "identity_needs_verification", "detained_elsewhere")  # fmt: skip


def decision_line(subject_id: str, i: int, now: str) -> str:
    """One decision shaped like the policy's (`policy.records.decision_record`); the 300-person world's
    average 2.9 KB of JSON a decision, this one about 2.6 KB."""
    evidence = [
        f"court_proceeding 2024-03-04 court_cases:EOIR{i:010d}",
        f"encounter 2025-01-09 encounters:ENC{i:010d}",
    ]
    gates = [
        {"gate": g, "blocks": g == "no_final_order", "reason": f"{g.replace('_', ' ')}: nothing on record for this",
         "evidence": evidence if g == "no_final_order" else [], "note": "",
         "records": [e.rsplit(" ", 1)[1] for e in evidence] if g == "no_final_order" else [], "review": None}
        for g in GATES
    ]  # fmt: skip
    record = {
        "subject_id": subject_id, "status": "blocked",
        "explanation": "blocked — no_final_order: no final order of removal; priority none (0): "
        "recent_unlawful_entry +45, minor -20, victim_or_witness -25, relief_eligibility -10",
        "gates": gates,
        "priority": {"rule_set_id": "default", "rule_set_hash": "9" * 64, "score": 0, "band": "none",
                     "factors": [{"factor_id": "recent_unlawful_entry", "weight": 45, "category": "entry",
                                  "evidence": evidence[1:]}]},
        "location": {"value": "12 MAIN ST, AUSTIN, TX 78701", "source": "addresses", "record_id": f"AD{i}",
                     "observed_on": "2025-06-01", "confidence": 0.9, "usable": True, "withheld": ""},
        "policy_id": "default", "policy_version": 1, "policy_hash": "6" * 64, "as_of": "2026-12-01",
        "decided_at": now, "purpose": "case_investigation", "role": "analyst",
        "inputs": [e.rsplit(" ", 1)[1] for e in evidence] + [f"addresses:AD{i}"], "withheld_records": [],
    }  # fmt: skip
    return json.dumps(record)


def write_worklist_build(directory: Path, subject_ids: list[str]) -> None:
    """worklist.parquet, decisions.jsonl and worklist.json for `subject_ids`, as `ilos worklist build` writes
    them (the manifest's linkage stamp is left empty of files: only the publish is measured)."""
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).isoformat()
    n = len(subject_ids)
    pq.write_table(
        pa.table(
            {
                "subject_id": subject_ids,
                "status": ["blocked"] * n,
                "priority": ["none"] * n,
                "score": [0] * n,
                "gates": ["no_final_order"] * n,
                "gate_reasons": ["no_final_order: no final order of removal"] * n,
                "location": ["12 MAIN ST, AUSTIN, TX 78701"] * n,
                "location_source": ["addresses:AD1"] * n,
                "location_date": [date(2025, 6, 1)] * n,
                "location_usable": [True] * n,
                "location_withheld": [""] * n,
            }
        ),
        directory / worklists.WORKLIST_FILE,
    )
    with (directory / worklists.DECISIONS_FILE).open("w") as out:
        for i, subject_id in enumerate(subject_ids):
            out.write(decision_line(subject_id, i, now) + "\n")
    manifest = {
        "role": "analyst", "purpose": "case_investigation", "policy_label": "default@v1", "policy_hash": "6" * 64,
        "as_of": "2026-12-01", "subjects": n, "by_status": {"blocked": n},
        "linkage_files": [["subjects.json", 0, 0]], "reviews": 0, "journal_bytes": 0, "authorities": [],
    }  # fmt: skip
    (directory / worklists.WORKLIST_MANIFEST).write_text(json.dumps(manifest))


def run(label: str, settings: Settings, rows: int, build: Path) -> None:
    store = open_store(settings)
    try:
        start = time.perf_counter()
        count = publish.publish(store, local_operator(Purpose.data_quality), synthetic_rows(rows))
        elapsed = time.perf_counter() - start
        print(f"{label:<10} {count:>10,} subjects in {elapsed:6.1f} s ({count / elapsed:,.0f} rows/s)")
        start = time.perf_counter()
        made = publish_worklist(store, local_operator(Purpose.data_quality), build)
        elapsed = time.perf_counter() - start
    finally:
        store.close()
    print(
        f"{label:<10} {made.subjects:>10,} worklist items and decisions in {elapsed:6.1f} s "
        f"({made.subjects / elapsed:,.0f} decisions/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as lake:
        build = Path(lake) / "linkage"
        start = time.perf_counter()
        write_worklist_build(build, [r["subject_id"] for r in synthetic_rows(args.rows)])
        size = (build / worklists.DECISIONS_FILE).stat().st_size
        print(
            f"wrote the worklist build ({size / 2**30:.2f} GiB of decisions) in {time.perf_counter() - start:.1f} s"
        )
        measure(args.rows, build)


def measure(rows: int, build: Path) -> None:
    with tempfile.TemporaryDirectory() as home:
        run("sqlite", Settings(home=Path(home)), rows, build)
    base = os.environ.get("ILOS_TEST_POSTGRES_URL")
    if base:
        schema = f"ilos_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            url = f"{base}{'&' if '?' in base else '?'}options={quote(f'-csearch_path={schema}')}"
            with tempfile.TemporaryDirectory() as home:
                run("postgresql", Settings(home=Path(home), database_url=url), rows, build)
        finally:
            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
