"""Ingest throughput: generate a seeded synthetic CSV (default 2M rows x 12 columns, a few bad rows of every
kind), ingest it into a fresh lake and print rows/s. Run: .venv/bin/python benchmarks/bench_ingest.py"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ilos.config import Settings
from ilos.services.ingestion import ingest_config

CONFIG = """
sources:
  - name: bench
    path: bench.csv
    record_id: record_id
    columns:
      record_id: {type: string, required: true}
      given_name: {type: string, required: true}
      family_name: {type: string}
      date_of_birth: {type: date, format: "%Y-%m-%d"}
      sex: {type: string}
      a_number: {type: identifier, pattern: "[0-9]{9}"}
      ssn: {type: identifier, pattern: "[0-9]{3}-[0-9]{2}-[0-9]{4}"}
      street: {type: string}
      city: {type: string}
      state: {type: string}
      postal_code: {type: string}
      observed_on: {type: date, format: "%Y-%m-%d"}
"""
NAMES = [
    "MARIA",
    "JOSE",
    "ANA",
    "LUIS",
    "NGUYEN",
    "OKAFOR",
    "SMITH",
    "GARCIA",
    "LOPEZ",
    "KIM",
    "SINGH",
    "ALI",
]
CITIES = ["HOUSTON", "EL PASO", "MIAMI", "NEWARK", "PHOENIX", "SAN DIEGO", "CHICAGO", "LAREDO"]


def _digits(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pa.array(values).cast(pa.string()), width=width, padding="0")


def _dates(rng: np.random.Generator, n: int, start: int, span: int) -> pa.Array:
    return (
        pa.array(rng.integers(start, start + span, n).astype("int32"), pa.int32())
        .cast(pa.date32())
        .cast(pa.string())
    )


def synthetic_table(n: int, seed: int) -> pa.Table:
    """Twelve text columns, vectorised; identifiers and postal codes keep leading zeros."""
    rng = np.random.default_rng(seed)
    ssn = [
        _digits(rng.integers(1, 900, n), 3),
        _digits(rng.integers(1, 100, n), 2),
        _digits(rng.integers(1, 10_000, n), 4),
    ]
    return pa.table(
        {
            "record_id": pc.binary_join_element_wise("R", _digits(np.arange(n), 9), ""),
            "given_name": pa.array(np.array(NAMES)[rng.integers(0, len(NAMES), n)]),
            "family_name": pa.array(np.array(NAMES)[rng.integers(0, len(NAMES), n)]),
            "date_of_birth": _dates(rng, n, -10_000, 20_000),
            "sex": pa.array(np.array(["F", "M", "X"])[rng.integers(0, 3, n)]),
            "a_number": _digits(rng.integers(0, 999_999_999, n), 9),
            "ssn": pc.binary_join_element_wise(*ssn, "-"),
            "street": pc.binary_join_element_wise(_digits(rng.integers(1, 9999, n), 1), "MAIN ST", " "),
            "city": pa.array(np.array(CITIES)[rng.integers(0, len(CITIES), n)]),
            "state": pa.array(np.array(["TX", "CA", "FL", "NJ", "AZ", "IL"])[rng.integers(0, 6, n)]),
            "postal_code": _digits(rng.integers(501, 99_950, n), 5),
            "observed_on": _dates(rng, n, 15_000, 5_000),
        }
    )


def spoil(table: pa.Table, seed: int, per_kind: int) -> tuple[pa.Table, int]:
    """A few bad rows of each row-level kind: bad date, lost zeros, empty required, duplicate id. Returns the
    table and the number of spoilt rows, the last `per_kind` of which (the duplicates) are held whole."""
    rng = np.random.default_rng(seed + 1)
    rows = rng.choice(table.num_rows - 1, size=4 * per_kind, replace=False) + 1
    columns = {
        name: table.column(name).to_pylist()
        for name in ("date_of_birth", "a_number", "given_name", "record_id")
    }
    for i in rows[:per_kind]:
        columns["date_of_birth"][i] = "1990-02-30"
    for i in rows[per_kind : 2 * per_kind]:
        columns["a_number"][i] = str(int(columns["a_number"][i]) % 10_000_000)
    for i in rows[2 * per_kind : 3 * per_kind]:
        columns["given_name"][i] = None
    for i in rows[3 * per_kind :]:
        columns["record_id"][i] = columns["record_id"][0]
    for name, values in columns.items():
        table = table.set_column(table.schema.get_field_index(name), name, pa.array(values, pa.string()))
    return table, 4 * per_kind


def write_csv(table: pa.Table, path: Path, malformed: int) -> None:
    """Write the table in two halves with malformed lines (wrong field counts) between them."""
    half = table.num_rows // 2
    options = pacsv.WriteOptions(quoting_style="needed")
    pacsv.write_csv(table.slice(0, half), path, write_options=options)
    with path.open("ab") as handle:
        handle.write(b"BAD,only,three\n" * malformed)
        tail = pa.BufferOutputStream()
        pacsv.write_csv(
            table.slice(half),
            tail,
            write_options=pacsv.WriteOptions(include_header=False, quoting_style="needed"),
        )
        handle.write(tail.getvalue().to_pybytes())


def _generate(path: Path, rows: int, seed: int) -> int:
    """Write the file and drop the in-memory table, so the timed ingest has the machine's memory."""
    table, bad = spoil(synthetic_table(rows, seed), seed, per_kind=25)
    write_csv(table, path, malformed=10)
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ilos-bench-ingest-") as tmp:
        world = Path(tmp)
        started = time.perf_counter()
        bad = _generate(world / "bench.csv", args.rows, args.seed)
        (world / "sources.yaml").write_text(CONFIG)
        size_mb = (world / "bench.csv").stat().st_size / 1e6
        took = time.perf_counter() - started
        print(f"generated {args.rows + 10:,} rows x 12 columns ({size_mb:,.0f} MB) in {took:.1f} s")
        settings = Settings(home=world / "home")
        started = time.perf_counter()
        outcome = ingest_config(world / "sources.yaml", settings).outcomes[0]
        elapsed = time.perf_counter() - started
        print(
            f"ingest: {outcome.rows_read:,} read, {outcome.rows_accepted:,} accepted, "
            f"{outcome.rows_quarantined:,} quarantined (expected {bad // 4 + 10}), "
            f"{outcome.values_flagged:,} value(s) flagged (expected {bad - bad // 4}) in {elapsed:.2f} s "
            f"= {outcome.rows_read / elapsed:,.0f} rows/s"
        )
        started = time.perf_counter()
        again = ingest_config(world / "sources.yaml", settings).outcomes[0]
        print(f"re-run: {again.status} in {time.perf_counter() - started:.2f} s (hash + lookup only)")


if __name__ == "__main__":
    main()
