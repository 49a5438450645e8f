"""Row-level validation: rows that cannot be placed are quarantined with reasons; a row whose only faults
are values lands, and each such value is listed in quarantine naming record, column, value and reason."""

from __future__ import annotations

import hashlib
import json

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from ingest_sources import PEOPLE_COLUMNS, SourceFactory

from ilos.ingest.lake_tables import batch_rows_sql, latest_batch_sql
from ilos.ingest.landing import ingest_source
from ilos.ingest.outcome import SourceOutcome

HEADER = "id,name,dob,a_number,zip\n"


def _quarantine(lake: duckdb.DuckDBPyConnection) -> dict[int, tuple[str, dict[str, str]]]:
    rows = lake.execute(
        "SELECT row_number, reasons, raw_values FROM quarantine ORDER BY row_number"
    ).fetchall()
    return {r[0]: (r[1], json.loads(r[2])) for r in rows}


def _issue_lines(outcome: SourceOutcome) -> str:
    return "\n".join(issue.describe("people.csv") for issue in outcome.issues)


def test_unparseable_date_is_flagged_and_its_row_lands(lake, make_source: SourceFactory) -> None:
    """A date of birth that does not parse once quarantined the whole row, and with it the record (a stay,
    a certificate) that may protect someone; the row lands, the value is kept as written and flagged."""
    spec, path = make_source(HEADER + "1,a,2020-01-01,012345678,1\n2,b,31/02/2020,012345679,2\n")
    outcome = ingest_source(lake, spec, path, "cfg")
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_quarantined) == (2, 2, 0)
    assert outcome.values_flagged == 1
    assert lake.execute("SELECT id, dob FROM raw_people ORDER BY _row_number").fetchall() == [
        ("1", "2020-01-01"),
        ("2", "31/02/2020"),
    ]
    line = lake.execute(
        "SELECT scope, record_id, column_name, value, reasons, raw_values FROM quarantine"
    ).fetchall()
    assert len(line) == 1
    scope, record, column, value, reason, raw = line[0]
    assert (scope, record, column, value) == ("value", "2", "dob", "31/02/2020")
    assert reason == "column 'dob': unparseable date '31/02/2020' (expected format '%Y-%m-%d')"
    assert json.loads(raw)["dob"] == "31/02/2020"
    lines = _issue_lines(outcome)
    assert "people.csv: column 'dob': 1 row(s) have unparseable dates" in lines
    assert "data row 2: '31/02/2020'); the rows are accepted" in lines
    assert lake.execute("SELECT rows_quarantined, values_flagged FROM ingest_batches").fetchone() == (0, 1)


def test_each_bad_value_of_a_row_is_its_own_line_and_a_required_value_empty_keeps_the_row(
    lake, make_source: SourceFactory
) -> None:
    columns = {**PEOPLE_COLUMNS, "name": {"type": "string", "required": True}}
    spec, path = make_source(HEADER + "1,,1990-02-30,AB1,1\n", columns=columns)
    outcome = ingest_source(lake, spec, path, "cfg")
    assert (outcome.rows_accepted, outcome.rows_quarantined, outcome.values_flagged) == (1, 0, 3)
    assert lake.execute(
        "SELECT row_number, scope, record_id, column_name, value, reasons FROM quarantine ORDER BY column_name"
    ).fetchall() == [
        (1, "value", "1", "a_number", "AB1", "column 'a_number': 'AB1' does not match pattern '[0-9]{9}'"),
        (1, "value", "1", "dob", "1990-02-30",
         "column 'dob': unparseable date '1990-02-30' (expected format '%Y-%m-%d')"),
        (1, "value", "1", "name", None, "required column 'name' is empty"),
    ]  # fmt: skip


def test_a_held_row_keeps_every_reason_and_its_bad_values_are_not_also_flagged(
    lake, make_source: SourceFactory
) -> None:
    spec, path = make_source(HEADER + "1,a,,,\n1,b,1990-02-30,,\n")
    outcome = ingest_source(lake, spec, path, "cfg")
    assert (outcome.rows_accepted, outcome.rows_quarantined, outcome.values_flagged) == (1, 1, 0)
    assert lake.execute("SELECT row_number, scope, record_id, reasons FROM quarantine").fetchall() == [
        (2, "row", "1", "column 'dob': unparseable date '1990-02-30' (expected format '%Y-%m-%d'); "
         "duplicate record_id '1' (first seen at data row 1)"),
    ]  # fmt: skip
    assert [i.problem for i in outcome.issues] == ["repeat a record_id already seen earlier in the file"]


def test_identifier_that_lost_leading_zeros_is_named_as_such(lake, make_source: SourceFactory) -> None:
    spec, path = make_source(HEADER + "1,a,2020-01-01,12345678,1\n2,b,2020-01-01,AB1234567,2\n")
    outcome = ingest_source(lake, spec, path, "cfg")
    quarantined = _quarantine(lake)
    assert quarantined[1][0].endswith("looks like a number that lost its leading zeros")
    assert quarantined[2][0] == "column 'a_number': 'AB1234567' does not match pattern '[0-9]{9}'"
    lines = _issue_lines(outcome)
    assert "column 'a_number': 1 row(s) look like numbers that lost their leading zeros" in lines
    assert "data row 1: '12345678'" in lines


def test_required_empty_and_duplicate_record_ids_are_quarantined(lake, make_source: SourceFactory) -> None:
    spec, path = make_source(HEADER + "1,a,,,\n,b,,,\n1,c,,,\n  ,d,,,\n")
    outcome = ingest_source(lake, spec, path, "cfg")
    quarantined = _quarantine(lake)
    assert quarantined[2][0] == "required column 'id' is empty"
    assert quarantined[3][0] == "duplicate record_id '1' (first seen at data row 1)"
    assert quarantined[4][0] == "required column 'id' is empty"
    assert outcome.rows_accepted == 1


def test_wrong_field_counts_are_quarantined_with_their_data_row(lake, make_source: SourceFactory) -> None:
    text = HEADER + '1,a,,,\n2,b\n3,"multi\nline",,,\n4,a,b,c,d,e,f\n5,e,,,\n'
    spec, path = make_source(text)
    outcome = ingest_source(lake, spec, path, "cfg")
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_quarantined) == (5, 3, 2)
    quarantined = _quarantine(lake)
    assert quarantined[2] == ("line has fewer fields than the 5 columns of the header", {"_raw_line": "2,b"})
    assert quarantined[4][0] == "line has more fields than the 5 columns of the header"
    landed = lake.execute(batch_rows_sql("people", outcome.batch_id or "")).fetchall()
    assert [(r[0], r[-1]) for r in landed] == [("1", 1), ("3", 3), ("5", 5)]
    assert landed[1][1] == "multi\nline"


def test_text_is_kept_exactly_including_leading_zeros(lake, make_source: SourceFactory) -> None:
    spec, path = make_source(HEADER + '007,"Ann, Jr ",2020-01-01,012345678,00501\n')
    ingest_source(lake, spec, path, "cfg")
    row = lake.execute(latest_batch_sql("people")).fetchone()
    assert row is not None and row[:5] == ("007", "Ann, Jr ", "2020-01-01", "012345678", "00501")


def test_crlf_line_endings_and_a_declared_latin1_file(lake, make_source: SourceFactory) -> None:
    content = (HEADER.replace("\n", "\r\n") + "1,José,2020-01-01,012345678,00501\r\n").encode("latin-1")
    spec, path = make_source(content, encoding="latin-1")
    outcome = ingest_source(lake, spec, path, "cfg")
    assert outcome.rows_accepted == 1
    assert lake.execute("SELECT name, zip FROM raw_people").fetchone() == ("José", "00501")


def test_same_file_and_config_is_already_landed(lake, make_source: SourceFactory) -> None:
    spec, path = make_source(HEADER + "1,a,2020-01-01,012345678,1\n2,b,bad,012345679,2\n")
    first = ingest_source(lake, spec, path, "cfg")
    again = ingest_source(lake, spec, path, "cfg")
    assert again.status == "already_landed" and again.batch_id == first.batch_id
    assert (again.rows_read, again.rows_accepted, again.rows_quarantined, again.values_flagged) == (
        2,
        2,
        0,
        1,
    )
    assert lake.execute("SELECT count(*) FROM raw_people").fetchone() == (2,)
    assert lake.execute("SELECT count(*) FROM quarantine").fetchone() == (1,)
    other = ingest_source(lake, spec, path, "another-config")
    assert other.status == "landed" and other.batch_id != first.batch_id


def test_a_file_an_older_ingest_version_landed_is_landed_again_and_its_held_rows_come_back(
    lake, make_source: SourceFactory
) -> None:
    """Version 1 quarantined a row whole for a bad date; the same file under the same config was then
    'already landed' for ever, and the record stayed lost after the upgrade."""
    spec, path = make_source(HEADER + "1,a,2020-01-01,012345678,1\n2,b,2020-02-30,012345679,2\n")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    lake.execute(
        "CREATE TABLE ingest_batches (batch_id VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, config_hash VARCHAR "
        "NOT NULL, file_path VARCHAR NOT NULL, file_sha256 VARCHAR NOT NULL, rows_read BIGINT NOT NULL, "
        "rows_accepted BIGINT NOT NULL, rows_quarantined BIGINT NOT NULL, landed_at TIMESTAMP NOT NULL, "
        "ingest_version VARCHAR NOT NULL)"
    )
    lake.execute(
        "CREATE TABLE quarantine (batch_id VARCHAR NOT NULL, source VARCHAR NOT NULL, row_number BIGINT NOT NULL, "
        "reasons VARCHAR NOT NULL, raw_values VARCHAR NOT NULL)"
    )
    old = f"people-{sha[:12]}-cfg"
    lake.execute(
        "INSERT INTO ingest_batches VALUES (?, 'people', 'cfg', ?, ?, 2, 1, 1, TIMESTAMP '2026-01-01', '1')",
        [old, str(path), sha],
    )
    lake.execute(
        "INSERT INTO quarantine VALUES (?, 'people', 2, 'column ''dob'': unparseable date', '{}')", [old]
    )
    lake.execute("CREATE TABLE raw_people (id VARCHAR, name VARCHAR, dob VARCHAR, a_number VARCHAR, zip VARCHAR, "
                 "_batch_id VARCHAR NOT NULL, _row_number BIGINT NOT NULL)")  # fmt: skip
    lake.execute(f"INSERT INTO raw_people VALUES ('1', 'a', '2020-01-01', '012345678', '1', '{old}', 1)")
    outcome = ingest_source(lake, spec, path, "cfg")
    assert outcome.status == "landed" and outcome.batch_id != old
    assert [r[0] for r in lake.execute(latest_batch_sql("people")).fetchall()] == ["1", "2"]
    assert lake.execute("SELECT batch_id, scope FROM quarantine ORDER BY scope").fetchall() == [
        (old, "row"),
        (outcome.batch_id, "value"),
    ]
    assert ingest_source(lake, spec, path, "cfg").status == "already_landed"


def test_parquet_source_lands_as_text_with_dates_in_the_declared_format(
    lake, make_source: SourceFactory
) -> None:
    spec, path = make_source(b"", file_name="people.parquet")
    table = pa.table(
        {
            "id": ["1", "2", "2"],
            "name": ["Ann", None, "Bo"],
            "dob": pa.array([18262, 18263, None], pa.date32()),
            "a_number": ["012345678", "12345678", None],
            "zip": ["00501", "00502", "00503"],
        }
    )
    pq.write_table(table, path)
    outcome = ingest_source(lake, spec, path, "cfg")
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_quarantined) == (3, 2, 1)
    assert lake.execute("SELECT id, dob, a_number, zip FROM raw_people ORDER BY _row_number").fetchall() == [
        ("1", "2020-01-01", "012345678", "00501"),
        ("2", "2020-01-02", "12345678", "00502"),
    ]
    assert _quarantine(lake)[3][0] == "duplicate record_id '2' (first seen at data row 2)"
    assert _quarantine(lake)[2][0].endswith("looks like a number that lost its leading zeros")


def test_rows_after_consecutive_malformed_lines_keep_their_data_row_number(lake, make_source) -> None:
    spec, path = make_source(HEADER + "1,x\n2,x\n3,a,,,\n4,x\n5,x\n6,x\n7,b,,,\n")
    ingest_source(lake, spec, path, "cfg")
    assert lake.execute("SELECT id, _row_number FROM raw_people ORDER BY 2").fetchall() == [
        ("3", 3),
        ("7", 7),
    ]


def test_blank_lines_are_rows_of_the_file_that_hold_no_record(lake, make_source) -> None:
    """A row number points at the row an editor or spreadsheet shows: blank lines (DuckDB skips them) count,
    before an accepted row and before a quarantined one alike; a blank line inside a quoted value does not."""
    spec, path = make_source(HEADER + '\n2,x,,,\n\n\n5,a\n6,"multi\n\nline",,,\n7,b,c,d,e,f,g\n8,y,,,\n')
    outcome = ingest_source(lake, spec, path, "cfg")
    assert (outcome.rows_read, outcome.rows_accepted, outcome.rows_quarantined) == (5, 3, 2)
    assert sorted(_quarantine(lake)) == [5, 7]
    landed = lake.execute("SELECT id, _row_number FROM raw_people ORDER BY 2").fetchall()
    assert landed == [("2", 2), ("6", 6), ("8", 8)]


def test_a_parquet_timestamp_with_a_time_zone_lands_as_the_clock_there(lake, make_source) -> None:
    """Berlin's midnight is 22:00 the day before in UTC: DuckDB showed it in the session's zone (the host's),
    so the date of birth landed as the day before, and a text column with the host's offset after it."""
    spec, path = make_source(b"", file_name="people.parquet")
    midnight = pa.array([641512800_000_000], pa.timestamp("us", "UTC")).cast(
        pa.timestamp("us", "Europe/Berlin")
    )
    table = pa.table(
        {"id": ["1"], "name": midnight, "dob": midnight, "a_number": ["012345679"], "zip": ["00501"]}
    )
    pq.write_table(table, path)
    lake.execute("SET TimeZone = 'America/New_York'")  # a host far from both
    ingest_source(lake, spec, path, "cfg")
    assert lake.execute("SELECT name, dob FROM raw_people").fetchone() == (
        "1990-05-01 00:00:00",
        "1990-05-01",
    )
