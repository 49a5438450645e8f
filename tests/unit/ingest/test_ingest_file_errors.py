"""Every bad-file kind gives a message naming the file, the column, a row number and an example value."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_sources import SourceFactory

from ilos.errors import BadSourceFileError
from ilos.ingest.landing import ingest_source

HEADER = "id,name,dob,a_number,zip\n"


def _ingest_error(lake: duckdb.DuckDBPyConnection, spec_path: tuple[object, Path]) -> BadSourceFileError:
    spec, path = spec_path
    with pytest.raises(BadSourceFileError) as caught:
        ingest_source(lake, spec, path, "cfg")  # type: ignore[arg-type]
    return caught.value


def test_latin1_bytes_in_utf8_file_name_file_line_column_and_bytes(lake, make_source: SourceFactory) -> None:
    content = (
        HEADER + "1,Ann,2020-01-01,012345678,00501\n"
    ).encode() + b"2,Jos\xe9,2020-01-02,012345679,00502\n"
    error = _ingest_error(lake, make_source(content))
    assert "people.csv" in error.message
    assert "not valid utf-8" in error.message
    (problem,) = error.problems
    assert "line 3 (data row 2)" in problem.location
    assert "column 'name'" in problem.location
    assert "b'\\xe9'" in problem.message
    assert "Jos\\xe9" in problem.message


def test_missing_and_extra_columns_are_all_listed_at_once(lake, make_source: SourceFactory) -> None:
    error = _ingest_error(lake, make_source("id,nom,dob,a_number,zip,extra\n1,a,2020-01-01,012345678,1\n"))
    assert "people.csv" in error.message
    text = "\n".join(str(p) for p in error.problems)
    assert "people.csv column 'name': is declared but missing from the header (line 1)" in text
    assert "people.csv column 'nom': is in the header (line 1) but not declared" in text
    assert "people.csv column 'extra': is in the header (line 1) but not declared" in text
    assert "id, nom, dob, a_number, zip, extra" in text
    assert len(error.problems) == 3


def test_empty_file_is_a_file_error(lake, make_source: SourceFactory) -> None:
    error = _ingest_error(lake, make_source(b""))
    assert "people.csv is empty (0 bytes)" in error.message


def test_a_byte_order_mark_alone_is_said_to_be_an_empty_file(lake, make_source: SourceFactory) -> None:
    """Not 0 bytes, so past the size check, but no header line: the reason is said, not left blank."""
    error = _ingest_error(lake, make_source(b"\xef\xbb\xbf"))
    assert error.message == "Source file people.csv has no header line: the file is empty"


def test_header_only_file_is_a_file_error_showing_the_header(lake, make_source: SourceFactory) -> None:
    error = _ingest_error(lake, make_source(HEADER))
    assert "people.csv is empty" in error.message
    assert "line 1: 'id,name,dob,a_number,zip'" in error.message


def test_missing_file_is_a_file_error(lake, make_source: SourceFactory, tmp_path: Path) -> None:
    spec, _ = make_source(HEADER)
    error = _ingest_error(lake, (spec, tmp_path / "gone.csv"))
    assert "gone.csv does not exist" in error.message


def test_parquet_identifier_stored_as_integer_is_a_file_error(lake, make_source: SourceFactory) -> None:
    spec, path = make_source(b"", file_name="people.parquet")
    table = pa.table(
        {
            "id": ["1"],
            "name": ["Ann"],
            "dob": ["2020-01-01"],
            "a_number": pa.array([12345678], pa.int64()),
            "zip": ["00501"],
        }
    )
    pq.write_table(table, path)
    error = _ingest_error(lake, (spec, path))
    (problem,) = error.problems
    assert "people.parquet column 'a_number'" in problem.location
    assert "BIGINT" in problem.message and "data row 1: 12345678" in problem.message
    assert "leading zeros" in problem.message


def test_truncated_parquet_is_a_file_error(lake, make_source: SourceFactory) -> None:
    spec, path = make_source(b"PAR1garbage", file_name="people.parquet")
    error = _ingest_error(lake, (spec, path))
    assert "people.parquet could not be read" in error.message


def test_connection_is_reusable_after_a_file_error(lake, make_source: SourceFactory) -> None:
    spec, path = make_source(HEADER + "1,a,2020-01-01,012345678,00501\n")
    _ingest_error(lake, make_source(b"", file_name="empty.csv"))
    outcome = ingest_source(lake, spec, path, "cfg")
    assert (outcome.rows_read, outcome.rows_accepted) == (1, 1)
