"""Batch linkage on Splink/DuckDB: train without labels, score blocked pairs, flag household conflicts.

This module and its siblings in `resolve/` are the only places Splink is imported.
"""

from __future__ import annotations

import json
import logging
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ilos.duckdb_paths import literal_path
from ilos.resolve import model_spec
from ilos.resolve.scoring import tf_columns_of

Progress = Callable[[str], None]

RECORDS_TABLE = "ilos_records"


@dataclass(frozen=True, slots=True)
class TrainingOptions:
    seed: int = 42
    u_max_pairs: float = 2e6
    em_max_pairs: float = 1e6
    em_min_pairs: int = 200
    memory_limit_gib: float = 12
    write_memory_limit_gib: float = 4
    """DuckDB's bound while it writes links.parquet: the sort of every scored pair spills to disk instead of
    adding to the clustering's arrays still held in memory (the run's peak at a million persons)."""
    records_per_chunk: int = 1_500_000
    m_floor: float = 0.002
    u_floor: float = 1e-6
    score_floor: float = 0.001
    """Pairs below this probability are not kept (they can never be merged or reviewed)."""


def _quiet_splink() -> None:
    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _linker(con: duckdb.DuckDBPyConnection, settings: dict[str, Any] | str) -> Any:
    from splink import DuckDBAPI, Linker

    _quiet_splink()
    db_api = DuckDBAPI(connection=con)
    frame = db_api.register(RECORDS_TABLE)
    return Linker(frame, settings, log_level=None)


def train_model(con: duckdb.DuckDBPyConnection, options: TrainingOptions, progress: Progress) -> Any:
    """Unsupervised training: prior from deterministic rules, u by random sampling, m by EM per block."""
    progress("estimating the prior match probability")
    settings = model_spec.settings_dict()
    settings["probability_two_random_records_match"] = estimate_prior(con, recall=0.8)
    linker = _linker(con, settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        progress("estimating u by random sampling")
        linker.training.estimate_u_using_random_sampling(max_pairs=options.u_max_pairs, seed=options.seed)
        for sql in model_spec.TRAINING_BLOCKING_SQL:
            pairs = count_pairs(con, sql)
            if pairs < options.em_min_pairs:
                # Too few pairs for a sound estimate (small data): other blocks or Splink's defaults supply m.
                progress(f"skipped EM on {sql}: only {pairs} pairs")
                continue
            # Sample records so the block yields about em_max_pairs pairs (pairs scale with the square of
            # the sample), instead of building every pair of a huge block first.
            proportion = min(1.0, (options.em_max_pairs / pairs) ** 0.5)
            progress(
                f"estimating m by expectation maximisation on {sql} ({pairs:,} pairs, sample {proportion:.3f})"
            )
            snapshot = linker.misc.save_model_to_json()
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    {"blocking_rule": sql, "sql_dialect": "duckdb"},
                    max_pairs=options.em_max_pairs,
                    record_sample_proportion=proportion,
                )
            except ValueError as exc:
                # Splink 5 refuses an m that underflowed to 0 in a level no match in this block reached;
                # keep the model as it was before this block (the other blocks still train it).
                progress(f"skipped EM on {sql}: {str(exc).splitlines()[0]}")
                linker = _linker(con, snapshot)
    return linker


NAME_KEY_SQL = "NULLIF(array_to_string(list_sort(name_keys), ' '), '')"
"""The order-free name key of a standardized record, as `records.name_key_of` derives it in Python."""


def model_input_sql(view: str) -> str:
    """Standardized records as the model reads them: keyed `source|record_id`, with the order-free name key."""
    return (
        "SELECT source || '|' || record_id AS unique_id, "  # noqa: S608 - view names are internal constants
        f"{NAME_KEY_SQL} AS name_key, "
        f"* EXCLUDE (name_tokens, placeholder_fields) FROM {view}"
    )


def count_pairs(con: duckdb.DuckDBPyConnection, rule_sql: str) -> int:
    """How many distinct record pairs a blocking rule produces."""
    sql = (
        f"SELECT count(*) FROM {RECORDS_TABLE} l JOIN {RECORDS_TABLE} r "  # noqa: S608 - rules are constants
        f"ON {rule_sql} AND l.unique_id < r.unique_id"
    )
    return int(con.sql(sql).fetchall()[0][0])


def estimate_prior(con: duckdb.DuckDBPyConnection, recall: float) -> float:
    """Pairs found by strict deterministic rules, scaled up by their assumed recall, over all pairs.

    Clamped to a sane range so tiny inputs cannot yield a prior of 0 or 1.
    """
    rules = " UNION ".join(
        f"SELECT l.unique_id AS a, r.unique_id AS b FROM {RECORDS_TABLE} l JOIN {RECORDS_TABLE} r "  # noqa: S608
        f"ON {sql} AND l.unique_id < r.unique_id"
        for sql in model_spec.DETERMINISTIC_SQL
    )
    row = con.sql(
        f"SELECT (SELECT count(*) FROM ({rules})), (SELECT count(*) FROM {RECORDS_TABLE})"  # noqa: S608
    ).fetchall()[0]
    assert row is not None
    found, n = int(row[0]), int(row[1])
    all_pairs = max(n * (n - 1) / 2, 1.0)
    return min(max(found / recall / all_pairs, 1.0 / all_pairs), 0.5)


def regularise_model(model: dict[str, Any], m_floor: float, u_floor: float) -> dict[str, Any]:
    """Floor every level's m and u and renormalise.

    Unsupervised EM drives the m of rare disagreements (a different sex, a different passport) to ~0, which
    turns one data-entry error into -50 bits against a true match. Real sources do carry such errors
    (borrowed identifiers, typos), so no level may claim more certainty than the floors allow.
    """
    out: dict[str, Any] = json.loads(json.dumps(model))
    for comparison in out.get("comparisons", []):
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for key, floor in (("m_probability", m_floor), ("u_probability", u_floor)):
            values = [max(float(lv.get(key) or 0.0), floor) for lv in levels]
            total = sum(values)
            for level, value in zip(levels, values, strict=True):
                level[key] = value / total
    return out


def neutralise_inverted(model: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The model with every comparison whose most alike level came out as evidence against a match (m < u)
    made to weigh nothing (m = u at every level, no term-frequency adjustment), and those comparisons' names. Agreement is never evidence
    against a match: such a comparison had no matches to learn from (a field only one source carries, in a
    source without duplicates), and trusting it would score a true pair down for agreeing."""
    out: dict[str, Any] = json.loads(json.dumps(model))
    inverted = []
    for comparison in out.get("comparisons", []):
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        most_alike = levels[0] if levels else {}
        m, u = most_alike.get("m_probability"), most_alike.get("u_probability")  # none: never trained
        if len(levels) > 1 and m is not None and u is not None and float(m) < float(u):
            inverted.append(str(comparison.get("output_column_name", "")))
            for level in levels:
                level["m_probability"] = level["u_probability"]
                if level.get("tf_adjustment_column"):  # nor by how common the value is
                    level["tf_adjustment_weight"] = 0.0
    return out, tuple(inverted)


def retrain_with(con: duckdb.DuckDBPyConnection, model: dict[str, Any]) -> Any:
    """A linker over the registered records using an edited model."""
    return _linker(con, model)


def load_model(con: duckdb.DuckDBPyConnection, model_path: Path) -> Any:
    """A linker over the registered records with a previously trained model."""
    settings = json.loads(model_path.read_text())
    return _linker(con, settings)


def save_model(linker: Any, path: Path) -> dict[str, Any]:
    model: dict[str, Any] = linker.misc.save_model_to_json(str(path), overwrite=True)
    return model


def connect_bounded(work_dir: Path, options: TrainingOptions) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that spills to disk under the linkage directory instead of outgrowing memory."""
    spill = work_dir / ".duckdb-spill"
    spill.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{int(options.memory_limit_gib)}GB'")
    con.execute("SET temp_directory = ?", [str(spill)])
    con.execute("SET preserve_insertion_order = false")
    return con


NODES_TABLE = "ilos_record_nodes"


def write_link_parts(
    con: duckdb.DuckDBPyConnection, linker: Any, options: TrainingOptions, parts_dir: Path, progress: Progress
) -> list[Path]:
    """Score every blocked pair above the floor, with each comparison's level and weight, one chunk of Splink's
    left x right chunking at a time: each chunk is written straight to a Parquet part (with both records' node
    numbers, their rank by key) and dropped, so neither DuckDB nor Python ever holds every scored pair."""
    n = int(con.sql(f"SELECT count(*) FROM {RECORDS_TABLE}").fetchall()[0][0])  # noqa: S608
    chunks = max(1, math.ceil(n / options.records_per_chunk))
    con.execute(
        f"CREATE OR REPLACE TABLE {NODES_TABLE} AS SELECT unique_id, "  # noqa: S608 - internal names
        f"(row_number() OVER (ORDER BY unique_id) - 1)::INTEGER AS node FROM {RECORDS_TABLE}"
    )
    parts_dir.mkdir(parents=True, exist_ok=True)
    parts = []
    for i, (left, right) in enumerate(product(range(1, chunks + 1), repeat=2)):
        if chunks > 1:
            progress(f"scoring chunk {i + 1} of {chunks * chunks}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = linker.inference.predict_chunk(
                left_chunk=(left, chunks),
                right_chunk=(right, chunks),
                threshold_match_probability=options.score_floor,
                warning_mode="never",
            )
        part = parts_dir / f"part-{i:04d}.parquet"
        con.execute(
            f"COPY ({links_projection_sql(frame.physical_name)}) TO '{sql_path(part)}' (FORMAT parquet)"
        )
        frame.drop_table_from_database_and_remove_from_cache()
        parts.append(part)
    return parts


def sql_path(path: str | Path) -> str:
    return str(path).replace("'", "''")


def parts_sql(parts: Sequence[Path]) -> str:
    """A FROM clause over the link parts."""
    return "read_parquet([" + ", ".join(f"'{sql_path(literal_path(p))}'" for p in parts) + "])"


def links_projection_sql(predictions: str) -> str:
    """The stored link: ids split into source and record, probability, weights and household flag, and both
    records' node numbers (node_l < node_r, as unique_id_l < unique_id_r)."""
    gammas = ", ".join(
        f"{c.gamma_column}, {c.weight_column}" + (f", {c.tf_weight_column}" if c.tf_weight_column else "")
        for c in model_spec.comparisons()
    )
    return f"""
        SELECT split_part(unique_id_l, '|', 1) AS source_l,
               substr(unique_id_l, length(split_part(unique_id_l, '|', 1)) + 2) AS record_id_l,
               split_part(unique_id_r, '|', 1) AS source_r,
               substr(unique_id_r, length(split_part(unique_id_r, '|', 1)) + 2) AS record_id_r,
               unique_id_l, unique_id_r, match_probability, match_weight, {gammas},
               {model_spec.HOUSEHOLD_CONFLICT_SQL} AS household_conflict,
               nl.node AS node_l, nr.node AS node_r
        FROM {predictions} p
        JOIN {NODES_TABLE} nl ON nl.unique_id = p.unique_id_l
        JOIN {NODES_TABLE} nr ON nr.unique_id = p.unique_id_r
    """  # noqa: S608 - the table name comes from Splink, not from input


def model_parameters(model: dict[str, Any]) -> list[dict[str, Any]]:
    """Each comparison level's m, u and match weight, for the report."""
    import math

    rows = []
    for comparison in model.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            if level.get("is_null_level"):
                continue
            m = level.get("m_probability")
            u = level.get("u_probability")
            weight = math.log2(m / u) if m and u else None
            rows.append(
                {
                    "comparison": comparison.get("output_column_name", ""),
                    "level": level.get("label_for_charts", ""),
                    "m": m,
                    "u": u,
                    "match_weight": weight,
                }
            )
    return rows


def time_splink_predict_between(
    con: duckdb.DuckDBPyConnection, model: dict[str, Any], new: pa.Table
) -> list[float]:
    """Seconds Splink's own `predict_between` takes per incoming record (one call per record), scoring
    against the records already registered as RECORDS_TABLE: the reference the incremental path is
    compared with in benchmarks/bench_incremental.py."""
    import time

    from splink import DuckDBAPI, Linker

    _quiet_splink()
    db_api = DuckDBAPI(connection=con)
    existing = db_api.register(RECORDS_TABLE)
    linker = Linker(existing, model, log_level=None)
    for column in sorted(tf_columns_of(model)):
        linker.table_management.compute_tf_table(column)
    seconds = []
    for i in range(new.num_rows):
        con.register("incoming_one", new.slice(i, 1))
        con.execute(f"CREATE OR REPLACE TABLE incoming_one_t AS {model_input_sql('incoming_one')}")
        frame = db_api.register("incoming_one_t", table_name=f"incoming_{i}")
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            linker.inference.predict_between(existing, frame, warning_mode="never").as_record_list()
        seconds.append(time.perf_counter() - started)
    return seconds
