"""Stage a source file into a temporary DuckDB table of text columns plus `_ord`, the accepted-row ordinal.

CSV lines DuckDB cannot split into the header's fields (too many or too few fields, stray quotes) go to
a rejects table instead of failing the file; their numbers and the accepted rows' numbers (derived from
`_ord`) are both 1-based data rows (header excluded), so every row read is accounted for. A blank line is a
row of the file that holds no record: DuckDB skips it but counts it in a reject's line, so the accepted rows
after it are numbered past it too (the file's row numbers, as an editor or a spreadsheet shows them)."""

from __future__ import annotations

import csv
import mmap
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ilos.definitions.sources import ColumnSpec
from ilos.duckdb_paths import literal_path
from ilos.errors import BadSourceFileError, FieldProblem
from ilos.ingest.lake_tables import quote_ident as qi
from ilos.ingest.lake_tables import quote_literal as ql

STAGE = "_ingest_stage"
REJECTS = "_ingest_rejects"
BLANKS = "_ingest_blank_rows"
OFFSETS = "_ingest_row_offsets"
ROW_OF = "_ingest_row_of"
MAX_CASE_OFFSETS = 256
_ERRORS = "_ingest_reject_errors"
_SCANS = "_ingest_reject_scans"
_INTEGER_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "DOUBLE",
    "DECIMAL",
)


def drop_stage_tables(conn: duckdb.DuckDBPyConnection) -> None:
    """Temp tables are per connection; dropping them keeps one connection reusable across sources."""
    for table in (STAGE, REJECTS, BLANKS, OFFSETS, _ERRORS, _SCANS):
        conn.execute(f"DROP TABLE IF EXISTS {table}")


def _file_error(path: Path, exc: duckdb.Error) -> BadSourceFileError:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return BadSourceFileError(f"Source file {path.name} could not be read: {first}")


def csv_read_sql(path: Path, columns: Sequence[str], delimiter: str, options: str = "") -> str:
    """DuckDB's `read_csv` of a UTF-8 CSV as ILOS reads one (ingest, and `ilos link`): the file named, not a
    glob (`literal_path`), the given column names, every value text, the header line skipped, RFC 4180 quoting
    (`"`, doubled inside), strict rows, and no comment lines (DuckDB's own guess took a leading `#` for one).
    `options` are added as written."""
    types = "{" + ", ".join(f"{ql(name)}: 'VARCHAR'" for name in columns) + "}"
    return (
        f"read_csv({ql(literal_path(path))}, columns={types}, header=true, auto_detect=false, delim={ql(delimiter)}, "
        f"quote='\"', escape='\"', strict_mode=true, comment='', encoding='utf-8'{', ' + options if options else ''})"
    )


def stage_csv(
    conn: duckdb.DuckDBPyConnection, path: Path, header: Sequence[str], delimiter: str, display_path: Path
) -> None:
    """Read every field as text; malformed lines land in the rejects table with their data row number."""
    drop_stage_tables(conn)
    read = csv_read_sql(
        path, header, delimiter, f"store_rejects=true, rejects_table='{_ERRORS}', rejects_scan='{_SCANS}'"
    )
    try:
        conn.execute(
            f"CREATE TEMP TABLE {STAGE} AS SELECT *, ordinality AS _ord FROM {read} WITH ORDINALITY"  # noqa: S608
        )
    except duckdb.Error as exc:
        raise _file_error(display_path, exc) from None
    conn.execute(
        f"CREATE TEMP TABLE {REJECTS} AS SELECT line - 1 AS _row_number, "
        "string_agg(DISTINCT " + _reject_reason_sql(len(header)) + ", '; ') AS reasons, "
        "json_object('_raw_line', first(csv_line)) AS raw_values "
        f"FROM {_ERRORS} GROUP BY line"
    )
    blanks = blank_rows(path, delimiter) if len(header) > 1 else []  # one column: a blank line is a row
    conn.execute(f"CREATE TEMP TABLE {BLANKS} (_row_number BIGINT)")
    if blanks:
        conn.executemany(f"INSERT INTO {BLANKS} VALUES (?)", [(n,) for n in blanks])  # noqa: S608
    _number_rows(conn)


def blank_rows(path: Path, delimiter: str) -> list[int]:
    """The data row numbers of the blank lines of a UTF-8 CSV (outside quoted values), which DuckDB skips.
    A file with no empty line (most) is only searched for one, at the speed of memory."""
    with path.open("rb") as raw:
        if raw.seek(0, 2) == 0:
            return []
        with mmap.mmap(raw.fileno(), 0, access=mmap.ACCESS_READ) as view:
            if all(view.find(gap) < 0 for gap in (b"\n\n", b"\n\r\n", b"\r\r")):
                return []
    limit = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)  # a long quoted value is DuckDB's to judge, not a reason to stop here
    try:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            rows = csv.reader(handle, delimiter=delimiter, quotechar='"', doublequote=True)
            return [n for n, row in enumerate(rows) if not row and n > 0]
    except csv.Error:  # a line the csv module cannot read (DuckDB rejects it): number as DuckDB's skips alone
        return []
    finally:
        csv.field_size_limit(limit)


def _reject_reason_sql(n_columns: int) -> str:
    return (
        "CASE error_type "
        f"WHEN 'TOO MANY COLUMNS' THEN 'line has more fields than the {n_columns} columns of the header' "
        f"WHEN 'MISSING COLUMNS' THEN 'line has fewer fields than the {n_columns} columns of the header' "
        "ELSE lower(error_type) || ': ' || split_part(error_message, chr(10), 1) END"
    )


def _number_rows(conn: duckdb.DuckDBPyConnection) -> None:
    """Map the accepted rows' ordinal (`_ord`) to data row numbers without copying the staged rows.

    The k-th accepted row is data row k + (number of skipped rows r_j with r_j - j < k), where r_j is the
    j-th row number that is rejected or blank. OFFSETS holds the running count per distinct r_j - j: an
    ASOF join against it numbers a whole table, and the ROW_OF macro numbers a few values.
    """
    conn.execute(
        f"CREATE TEMP TABLE {OFFSETS} AS SELECT t, sum(count(*)) OVER (ORDER BY t) AS n FROM ("  # noqa: S608
        "SELECT _row_number - row_number() OVER (ORDER BY _row_number) AS t FROM ("
        f"SELECT _row_number FROM {REJECTS} UNION ALL SELECT _row_number FROM {BLANKS})) GROUP BY t"
    )
    conn.execute(
        f"CREATE OR REPLACE TEMP MACRO {ROW_OF}(o) AS "  # noqa: S608
        f"o + coalesce((SELECT max(n) FROM {OFFSETS} WHERE t < o), 0)"
    )


def numbered_sql(conn: duckdb.DuckDBPyConnection, rows_sql: str) -> str:
    """A query over `rows_sql` (staged rows with `_ord`) adding `_row_number`.

    Rejects are usually few, so their offsets become a CASE expression; a join over millions of wide rows
    costs more than the read itself. Many rejects fall back to an ASOF join.
    """
    offsets = conn.execute(f"SELECT t, n FROM {OFFSETS} ORDER BY t DESC").fetchall()  # noqa: S608
    if len(offsets) > MAX_CASE_OFFSETS:
        return (
            "SELECT s.*, s._ord + coalesce(k.n, 0) AS _row_number "  # noqa: S608
            f"FROM ({rows_sql}) s ASOF LEFT JOIN {OFFSETS} k ON s._ord > k.t"
        )
    whens = " ".join(f"WHEN _ord > {int(t)} THEN {int(n)}" for t, n in offsets)
    number = f"_ord + CASE {whens} ELSE 0 END" if offsets else "_ord"
    return f"SELECT *, {number} AS _row_number FROM ({rows_sql})"  # noqa: S608


def describe_parquet(conn: duckdb.DuckDBPyConnection, path: Path, display_path: Path) -> dict[str, str]:
    """Column name -> DuckDB type of a Parquet file; an unreadable file is a file error."""
    try:
        described = conn.execute(f"DESCRIBE SELECT * FROM {_parquet_source(path)}").fetchall()  # noqa: S608
    except duckdb.Error as exc:
        raise _file_error(display_path, exc) from None
    return {str(row[0]): str(row[1]) for row in described if row[0] != "file_row_number"}


def _parquet_source(path: Path) -> str:
    return f"read_parquet({ql(literal_path(path))}, file_row_number=true)"


def stage_parquet(
    conn: duckdb.DuckDBPyConnection,
    path: Path,
    types: dict[str, str],
    schema: dict[str, ColumnSpec],
    display_path: Path,
) -> None:
    """Stage a Parquet file as text columns numbered from 1 in file order.

    An identifier stored as a number has already lost its leading zeros, so that is a file error.
    """
    drop_stage_tables(conn)
    source = _parquet_source(path)
    _check_identifier_types(conn, source, types, schema, display_path)
    zones = parquet_time_zones(path)
    exprs = [_text_expr(name, types[name], schema.get(name), zones.get(name)) for name in types]
    try:
        conn.execute(
            f"CREATE TEMP TABLE {STAGE} AS SELECT {', '.join(exprs)}, file_row_number + 1 AS _ord "  # noqa: S608
            f"FROM {source}"
        )
    except duckdb.Error as exc:
        raise _file_error(display_path, exc) from None
    conn.execute(f"CREATE TEMP TABLE {REJECTS} (_row_number BIGINT, reasons VARCHAR, raw_values VARCHAR)")
    conn.execute(f"CREATE TEMP TABLE {BLANKS} (_row_number BIGINT)")
    _number_rows(conn)


def parquet_time_zones(path: Path) -> dict[str, str]:
    """`time_zones` of a Parquet file's schema. A schema pyarrow cannot read (a damaged file DuckDB still
    reads) names no zone: DuckDB's reading and its errors stand."""
    try:
        return time_zones(pq.read_schema(path))
    except (pa.ArrowException, OSError):
        return {}


def time_zones(schema: pa.Schema) -> dict[str, str]:
    """Each time-zone-aware timestamp column's zone as written (the file's Arrow schema; UTC when only
    Parquet's own flag says so). DuckDB reads such a column as an instant and shows it in the session's zone:
    a date of birth written as midnight in Berlin read as the day before on a UTC machine, so both readers
    (ingest, `ilos link`) show it as the clock read where it was written."""
    return {
        field.name: str(field.type.tz)
        for field in schema
        if pa.types.is_timestamp(field.type) and field.type.tz is not None
    }


def _text_expr(name: str, sql_type: str, spec: ColumnSpec | None, zone: str | None = None) -> str:
    """Dates stored natively are rendered in the declared format so the raw text matches CSV sources; a
    time-zone-aware one as the clock read in its zone (`parquet_time_zones`)."""
    col = qi(name) if zone is None else f"timezone({ql(zone)}, {qi(name)})"
    if (
        spec is not None
        and spec.type == "date"
        and spec.format
        and sql_type.startswith(("DATE", "TIMESTAMP"))
    ):
        return f"strftime({col}, {ql(spec.format)}) AS {qi(name)}"
    return f"CAST({col} AS VARCHAR) AS {qi(name)}"


def _check_identifier_types(
    conn: duckdb.DuckDBPyConnection,
    source: str,
    types: dict[str, str],
    schema: dict[str, ColumnSpec],
    display_path: Path,
) -> None:
    problems = []
    for name, sql_type in types.items():
        spec = schema.get(name)
        if spec is None or spec.type != "identifier" or not sql_type.startswith(_INTEGER_TYPES):
            continue
        row = conn.execute(
            f"SELECT file_row_number + 1, {qi(name)} FROM {source} WHERE {qi(name)} IS NOT NULL LIMIT 1"  # noqa: S608
        ).fetchone()
        example = f"e.g. data row {row[0]}: {row[1]!r}" if row else "no values"
        problems.append(
            FieldProblem(
                f"{display_path.name} column {name!r}",
                f"identifier stored as {sql_type} ({example}); store it as a string so leading zeros survive",
            )
        )
    if problems:
        raise BadSourceFileError(f"Source file {display_path.name} stores identifiers as numbers", problems)
