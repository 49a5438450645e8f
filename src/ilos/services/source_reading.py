"""Reading a source's file for linking: every column as text, taken by its place in the header and named as
the header spells it, a CSV read as ingest reads one (`ingest.readers.csv_read_sql`)."""

from __future__ import annotations

import codecs
import itertools
import tempfile
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Literal

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ilos.definitions.sources import SourcesConfig, SourceSpec, file_format_of
from ilos.duckdb_paths import literal_path
from ilos.errors import InvalidInputError
from ilos.ingest.file_checks import csv_header, encoding_error, hash_and_check_text, not_a_file
from ilos.ingest.readers import csv_read_sql, time_zones


def read_source_file(config: SourcesConfig, spec: SourceSpec, path: Path | None = None) -> pa.Table:
    """A source's file, or another file of its rows (`ilos link add`'s input, CSV or Parquet by its name),
    every column as text (see `read_as_text`)."""
    path = path or config.path_of(spec)
    file_format = file_format_of(path)
    if (why := not_a_file(path)) is not None:
        raise InvalidInputError(f"Source {spec.name!r}: file {path} {why}")
    try:
        return read_as_text(path, file_format, spec.delimiter, spec.encoding, spec.used_columns())
    except duckdb.Error as exc:
        said = str(exc).lower()
        # DuckDB may name the encoding in other failures: only a bad byte found here is an encoding error.
        encoded = file_format == "csv" and ("encod" in said or "unicode" in said)
        if encoded and (undecodable := encoding_error(path, spec.encoding, spec.delimiter)).problems:
            raise undecodable from None
        raise InvalidInputError(
            f"Source {spec.name!r}: {path} cannot be read as {file_format}: {duckdb_problem(exc)}"
        ) from None


def duckdb_problem(exc: duckdb.Error) -> str:
    """DuckDB's message up to its list of fixes (options such as `max_line_size` that no config sets): the
    first line, and for a malformed CSV row the row and what was wrong with it (the first line names only
    its line number)."""
    lines = [_shortened(line.strip()) for line in str(exc).strip().splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    if "CSV Error on Line" in lines[0]:
        return " ".join(itertools.takewhile(lambda line: not line.startswith("Possible "), lines[:4]))
    if "state machine reached an invalid state" in lines[0]:  # DuckDB names no line for these
        return (
            f"{lines[0]} (a quote left open, or line endings that change within the file: LF and CRLF mixed)"
        )
    return lines[0]


def _shortened(line: str, most: int = 300) -> str:
    """A line of DuckDB's message as a person reads it: it quotes the row it could not read, whole (a 5 MB
    value filled the terminal)."""
    return line if len(line) <= most else f"{line[:most]}… ({len(line):,} characters)"


def read_as_text(
    path: Path,
    file_format: Literal["csv", "parquet"],
    delimiter: str = ",",
    encoding: str = "utf-8",
    columns: Collection[str] | None = None,
) -> pa.Table:
    """Every column as text, so identifiers and postal codes keep their leading zeros; only `columns` when
    given (those the config reads: a list, struct or binary column it does not read need not be text).
    Columns are taken by their place in the header, named as the header spells them: DuckDB matches names
    without case and renames a repeated one (`lname` twice became `lname` and `lname_1`, and a mapped
    `lname_1` read the wrong column). A CSV is read as ingest reads it (its header parsed by Python's csv,
    RFC 4180 quoting, no comment lines: DuckDB's guess took a leading `#` for one and dropped the row)."""
    con = duckdb.connect()
    try:
        if file_format == "parquet":
            schema = pq.read_schema(path)
            names = schema.names
            keep = _places(names, columns)
            if not keep:  # no column asked for is there (the header checks say which) or none at all
                return pa.table({})
            picked = ", ".join(f"#{i + 1}" for i in keep)
            query = f"SELECT {picked} FROM read_parquet(?)"  # noqa: S608 - column positions only
            table = (
                con.sql(query, params=[literal_path(path)])
                .to_arrow_table()
                .rename_columns([names[i] for i in keep])
            )
            return _as_text(table, time_zones(schema), path)
        # As ingest: any other encoding is read as UTF-8 written anew (DuckDB's utf-16 is little-endian only).
        if codecs.lookup(encoding).name != "utf-8":
            with tempfile.TemporaryDirectory(prefix="ilos-utf8-") as scratch:
                utf8 = Path(scratch) / path.name
                hash_and_check_text(path, encoding, delimiter, transcode_to=utf8)  # as ingest reads it
                return read_as_text(utf8, "csv", delimiter, "utf-8", columns)
        header = csv_header(path, encoding, delimiter)[0]
        keep = _places(header, columns)
        if not keep:
            return pa.table({})
        read = csv_read_sql(path, [f"c{i}" for i in range(len(header))], delimiter)
        picked = ", ".join(f"c{i}" for i in keep)
        table = con.sql(f"SELECT {picked} FROM {read}").to_arrow_table()  # noqa: S608 - positions, quoted path
        return table.rename_columns([header[i] for i in keep])
    finally:
        con.close()


def _as_text(table: pa.Table, zones: dict[str, str], path: Path) -> pa.Table:
    """A Parquet file's columns as text; a timestamp to the microsecond, as the docs show it (pandas writes
    nanoseconds, whose nine decimals no documented format reads), and one with a time zone as the clock read
    in the zone it was written with (`time_zones`: DuckDB reads it in the session's zone, with a
    `+00` no format reads). A column that has no text form (binary, a list or a struct) is named, not a
    traceback."""
    columns = []
    for field, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_timestamp(field.type) and field.type.unit == "ns":
            column = column.cast(pa.timestamp("us", field.type.tz), safe=False)
        if field.name in zones:
            column = pc.local_timestamp(column.cast(pa.timestamp("us", zones[field.name])))
        try:
            columns.append(column.cast(pa.string()))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise InvalidInputError(
                f"{path}: column {field.name!r} is {field.type}, which has no text form; map a column of text, "
                "numbers or dates"
            ) from None
    return pa.table(columns, names=table.column_names)


def _places(names: Sequence[str], wanted: Collection[str] | None) -> list[int]:
    """The places of the wanted columns in a header (every column when None)."""
    return [i for i, name in enumerate(names) if wanted is None or name in wanted]
