"""The ingest part of the lake layout: DDL for batches, raw tables and quarantine, and the SQL
other stages use to read them. Functions ending in `_sql` return SQL text and execute nothing."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

INGEST_VERSION = "2"
"""2: a value failing its column's check no longer quarantines its row (the row lands, the value is flagged).
A file landed under an older version is landed again (`find_landed_batch_sql`), so rows it held come back."""

BATCHES_DDL = """
CREATE TABLE IF NOT EXISTS ingest_batches (
    batch_id VARCHAR PRIMARY KEY,
    source VARCHAR NOT NULL,
    config_hash VARCHAR NOT NULL,
    file_path VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_accepted BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    landed_at TIMESTAMP NOT NULL,
    ingest_version VARCHAR NOT NULL,
    values_flagged BIGINT NOT NULL DEFAULT 0
)"""

QUARANTINE_DDL = """
CREATE TABLE IF NOT EXISTS quarantine (
    batch_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    row_number BIGINT NOT NULL,
    reasons VARCHAR NOT NULL,
    raw_values VARCHAR NOT NULL,
    scope VARCHAR NOT NULL DEFAULT 'row',
    record_id VARCHAR,
    column_name VARCHAR,
    value VARCHAR
)"""

ADDED_COLUMNS = (
    ("ingest_batches", "values_flagged", "BIGINT DEFAULT 0"),
    ("quarantine", "scope", "VARCHAR DEFAULT 'row'"),
    ("quarantine", "record_id", "VARCHAR"),
    ("quarantine", "column_name", "VARCHAR"),
    ("quarantine", "value", "VARCHAR"),
)
"""Columns ingest version 2 added, for a lake made by version 1: its batches flagged no value, and each of its
quarantine lines is a row held whole."""

QUARANTINE_COLUMNS = (
    "batch_id", "source", "row_number", "scope", "record_id", "column_name", "value", "reasons", "raw_values",
)  # fmt: skip
"""A quarantine line as it is written and listed: `scope` 'row' (the row is not in `raw_<source>`) or 'value'
(the row landed; `column_name`'s `value` failed its check)."""


def quote_ident(name: str) -> str:
    """Quote a column or table name for DuckDB; source column names come from user files."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """Quote a string literal; used for names and formats embedded in generated SQL."""
    return "'" + value.replace("'", "''") + "'"


def raw_table_name(source: str) -> str:
    """Every source lands in its own table, `raw_<source>` (source names are [a-z][a-z0-9_]*)."""
    return f"raw_{source}"


def create_raw_table_sql(source: str, columns: Iterable[str]) -> str:
    """Raw tables keep every declared column as text so identifiers and postal codes keep their zeros."""
    cols = ", ".join(f"{quote_ident(c)} VARCHAR" for c in columns)
    return (
        f"CREATE TABLE IF NOT EXISTS {quote_ident(raw_table_name(source))} "
        f"({cols}, _batch_id VARCHAR NOT NULL, _row_number BIGINT NOT NULL)"
    )


def ensure_ingest_tables(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the shared ingest tables if missing; safe to call on every run."""
    conn.execute(BATCHES_DDL)
    conn.execute(QUARANTINE_DDL)
    for table, column, definition in ADDED_COLUMNS:
        conn.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {definition}")


def ensure_raw_table(conn: duckdb.DuckDBPyConnection, source: str, columns: Iterable[str]) -> None:
    """Create `raw_<source>` if missing, and add columns a newer config declares (old rows read NULL)."""
    columns = list(columns)
    conn.execute(create_raw_table_sql(source, columns))
    existing = {row[0] for row in conn.execute(table_columns_sql(), [raw_table_name(source)]).fetchall()}
    for column in columns:
        if column not in existing:
            conn.execute(
                f"ALTER TABLE {quote_ident(raw_table_name(source))} ADD COLUMN {quote_ident(column)} VARCHAR"
            )


def table_columns_sql() -> str:
    """Columns of one table (parameter: table name)."""
    return "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position"


def latest_batch_id_sql(source: str) -> str:
    """The id of the most recently landed batch of a source (NULL when none)."""
    return (
        "SELECT batch_id FROM ingest_batches "  # noqa: S608
        f"WHERE source = {quote_literal(source)} ORDER BY landed_at DESC, batch_id DESC LIMIT 1"
    )


def latest_batch_sql(source: str) -> str:
    """Every accepted row of the latest batch of a source, in file order."""
    return (
        f"SELECT * FROM {quote_ident(raw_table_name(source))} "  # noqa: S608
        f"WHERE _batch_id = ({latest_batch_id_sql(source)}) ORDER BY _row_number"
    )


def batch_rows_sql(source: str, batch_id: str) -> str:
    """Every accepted row of one batch, in file order."""
    return (
        f"SELECT * FROM {quote_ident(raw_table_name(source))} "  # noqa: S608
        f"WHERE _batch_id = {quote_literal(batch_id)} ORDER BY _row_number"
    )


def batches_sql() -> str:
    """Landed batches, newest first."""
    return (
        "SELECT batch_id, source, rows_read, rows_accepted, rows_quarantined, landed_at, "
        "file_path, file_sha256, config_hash, ingest_version, values_flagged FROM ingest_batches "
        "ORDER BY landed_at DESC, batch_id"
    )


def quarantine_sql(*, source: str | None, batch_id: str | None, limit: int | None) -> str:
    """Quarantine lines (held rows and flagged values), optionally for one source or batch, in batch then
    row order."""
    where = []
    if source is not None:
        where.append(f"source = {quote_literal(source)}")
    if batch_id is not None:
        where.append(f"batch_id = {quote_literal(batch_id)}")
    clause = f"WHERE {' AND '.join(where)} " if where else ""
    tail = f" LIMIT {int(limit)}" if limit is not None else ""
    return (
        f"SELECT {', '.join(QUARANTINE_COLUMNS)} FROM quarantine "  # noqa: S608
        f"{clause}ORDER BY source, batch_id, row_number, column_name NULLS FIRST{tail}"
    )


def find_landed_batch_sql() -> str:
    """The batch already landed for (source, file sha256, config hash, ingest version), if any: the
    idempotency key. An older version's batch is not this one: it may have held rows this version lands."""
    return (
        "SELECT batch_id, rows_read, rows_accepted, rows_quarantined, values_flagged FROM ingest_batches "
        "WHERE source = ? AND file_sha256 = ? AND config_hash = ? AND ingest_version = ?"
    )
