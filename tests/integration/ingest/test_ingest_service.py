"""The ingestion service on a real lake file: one transaction per source, idempotent re-runs, listings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ilos.config import Settings
from ilos.errors import BadSourceFileError, InvalidInputError
from ilos.ingest.lake_tables import latest_batch_sql
from ilos.services.ingestion import ingest_config, list_batches, list_quarantine


def test_config_lands_every_source_and_reconciles(
    settings: Settings, write_config: Callable[..., Path]
) -> None:
    report = ingest_config(write_config(), settings)
    counts = {o.source: (o.status, o.rows_read, o.rows_accepted, o.rows_quarantined) for o in report.outcomes}
    assert counts == {"people": ("landed", 5, 4, 1), "encounters": ("landed", 2, 2, 0)}
    report.raise_for_failures()
    assert report.describe() == (
        "2 sources: 7 rows read, 6 accepted, 1 quarantined, 3 value(s) flagged; 0 source(s) failed"
    )
    with duckdb.connect(str(settings.lake_path), read_only=True) as lake:
        assert lake.execute("SELECT id, zip FROM raw_people ORDER BY _row_number").fetchall() == [
            ("1", "00501"),
            ("2", "00502"),
            ("3", "00503"),
            ("5", "00504"),
        ]


def test_rerun_of_the_same_files_is_already_landed(
    settings: Settings, write_config: Callable[..., Path]
) -> None:
    config = write_config()
    first = ingest_config(config, settings)
    again = ingest_config(config, settings)
    assert [o.status for o in again.outcomes] == ["already_landed", "already_landed"]
    assert [o.batch_id for o in again.outcomes] == [o.batch_id for o in first.outcomes]
    assert len(list_batches(settings)) == 2
    assert len(list_quarantine(settings)) == 4


def test_a_bad_file_fails_its_source_only(settings: Settings, write_config: Callable[..., Path]) -> None:
    report = ingest_config(write_config(people="id,nom\n1,a\n"), settings)
    assert [o.status for o in report.outcomes] == ["failed", "landed"]
    with pytest.raises(BadSourceFileError) as caught:
        report.raise_for_failures()
    text = caught.value.message
    assert "1 of 2 source(s) failed" in text
    assert "people.csv column 'name': is declared but missing" in text
    assert "people.csv column 'nom': is in the header (line 1) but not declared" in text
    assert [b.source for b in list_batches(settings)] == ["encounters"]
    assert list_quarantine(settings, source="people") == []


def test_latest_batch_sql_reads_the_newest_delivery(
    settings: Settings, write_config: Callable[..., Path]
) -> None:
    ingest_config(write_config(), settings)
    ingest_config(
        write_config(people="id,name,dob,a_number,zip\n9,Zed,2000-01-01,099999999,01234\n"), settings
    )
    with duckdb.connect(str(settings.lake_path), read_only=True) as lake:
        assert lake.execute(f"SELECT id, zip FROM ({latest_batch_sql('people')})").fetchall() == [
            ("9", "01234")
        ]
        assert lake.execute("SELECT count(*) FROM raw_people").fetchone() == (5,)


def test_quarantine_listing_filters(settings: Settings, write_config: Callable[..., Path]) -> None:
    report = ingest_config(write_config(), settings)
    people_batch = report.outcomes[0].batch_id
    rows = list_quarantine(settings, source="people")
    assert [(r.row_number, r.scope) for r in rows] == [(2, "value"), (3, "value"), (4, "row")]
    assert "lost its leading zeros" in rows[1].reasons
    assert [r.source for r in list_quarantine(settings, batch=people_batch, limit=1)] == ["people"]
    with pytest.raises(InvalidInputError):
        list_quarantine(settings, limit=-1)


def test_listings_without_a_lake_are_empty(settings: Settings) -> None:
    assert list_batches(settings) == [] and list_quarantine(settings) == []
    assert not settings.lake_path.exists()


@pytest.mark.parametrize(
    ("people", "said"),
    [
        (b'id,name,"dob\nborn",a_number,zip\r\n1,Ann,1990-01-01,012345678,00501\r\n', "spans 2 lines"),
        (b'id,"na"me,dob,a_number,zip\n1,Ann,1990-01-01,012345678,00501\n', "none could be read"),
        (b"id,name,dob,a_number,zip,Name\n1,Ann,1990-01-01,012345678,00501,A\n", "'Name': appears twice"),
    ],
)
def test_a_file_whose_rows_cannot_be_read_fails_and_lands_nothing(
    settings: Settings, write_config: Callable[..., Path], people: bytes, said: str
) -> None:
    """A header with a line break inside a quoted name, malformed header quoting, or two columns named alike
    but for case: DuckDB once read no row of the first two and the source landed as an empty batch."""
    report = ingest_config(write_config(people=people), settings)
    assert [o.status for o in report.outcomes] == ["failed", "landed"]
    with pytest.raises(BadSourceFileError) as caught:
        report.raise_for_failures()
    assert said in caught.value.message or any(said in str(p) for p in caught.value.problems), caught.value
    assert [b.source for b in list_batches(settings)] == ["encounters"]


def test_files_named_with_glob_characters_are_the_files_landed(
    settings: Settings, write_config: Callable[..., Path]
) -> None:
    """DuckDB expands `[…]` in a path: `people[1].csv` landed `people1.csv`'s rows, with no error."""
    path = write_config()
    world = path.parent
    renamed = (
        path.read_text()
        .replace("people.csv", '"people[1].csv"')
        .replace("encounters.parquet", '"enc[1].parquet"')
    )
    path.write_text(renamed)
    (world / "people.csv").rename(world / "people[1].csv")
    (world / "encounters.parquet").rename(world / "enc[1].parquet")
    (world / "people1.csv").write_text("id,name,dob,a_number,zip\n91,Zed,2000-01-01,099999999,01234\n")
    pq.write_table(
        pa.table({"encounter_id": ["e91"], "a_number": ["0"], "encountered_on": ["x"]}),
        world / "enc1.parquet",
    )
    ingest_config(path, settings).raise_for_failures()
    with duckdb.connect(str(settings.lake_path), read_only=True) as lake:
        assert lake.execute("SELECT id FROM raw_people ORDER BY _row_number").fetchall() == [
            ("1",), ("2",), ("3",), ("5",)
        ]  # fmt: skip
        assert lake.execute("SELECT encounter_id FROM raw_encounters ORDER BY 1").fetchall() == [
            ("e1",), ("e2",)
        ]  # fmt: skip
