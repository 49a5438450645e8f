"""`ilos link evaluate`: the truth file is read as CSV or Parquet, checked, and partial truth is reported."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ilos.cli.main import app
from ilos.errors import InvalidInputError, NotFoundError
from ilos.services.linking import LinkRun, evaluate_linkage, read_truth


@pytest.fixture(scope="module")
def world_truth(small_world: Path) -> pa.Table:
    return pq.read_table(small_world / "truth" / "records.parquet")


def _write_csv(table: pa.Table, path: Path) -> Path:
    pacsv.write_csv(table, path)
    return path


def _evaluate_cli(linkage_dir: Path, truth: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["link", "evaluate", str(linkage_dir), "--truth", str(truth)], terminal_width=300
    )
    return result.exit_code, result.output


def test_csv_truth_scores_the_same_as_parquet_truth(
    small_world: Path, small_linkage: LinkRun, world_truth: pa.Table, tmp_path: Path
) -> None:
    csv_truth = _write_csv(world_truth, tmp_path / "truth.csv")
    from_parquet = evaluate_linkage(small_linkage.out_dir, small_world / "truth" / "records.parquet")
    assert evaluate_linkage(small_linkage.out_dir, csv_truth) == from_parquet
    assert from_parquet.records == world_truth.num_rows
    assert from_parquet.linkage_records_without_truth == from_parquet.truth_records_not_in_linkage == 0
    code, output = _evaluate_cli(small_linkage.out_dir, csv_truth)
    assert code == 0, output
    assert f"{from_parquet.records:,} records scored" in output
    assert re.search(rf"pairwise_f1\s+│\s+{from_parquet.pairwise_f1:.4f}", output)
    assert "warning" not in output


def test_truth_ids_are_compared_as_text(tmp_path: Path) -> None:
    """A CSV's leading zeros survive, and a Parquet's integer ids become the same text."""
    csv_truth = tmp_path / "truth.csv"
    csv_truth.write_text("source,record_id,person_id\ncourt,00501,007\n")
    parquet_truth = tmp_path / "truth.parquet"
    pq.write_table(pa.table({"source": ["court"], "record_id": [501], "person_id": [7]}), parquet_truth)
    assert read_truth(csv_truth).to_pylist() == [
        {"source": "court", "record_id": "00501", "person_id": "007"}
    ]
    assert read_truth(parquet_truth).to_pylist() == [
        {"source": "court", "record_id": "501", "person_id": "7"}
    ]


def test_a_missing_truth_file_is_named_without_advice_to_link(small_linkage: LinkRun, tmp_path: Path) -> None:
    missing = tmp_path / "no_such_truth.csv"
    with pytest.raises(NotFoundError, match="does not exist"):
        evaluate_linkage(small_linkage.out_dir, missing)
    code, output = _evaluate_cli(small_linkage.out_dir, missing)
    assert code == NotFoundError.exit_code
    assert "no_such_truth.csv does not exist" in output and "ilos link CONFIG" not in output


def test_an_unreadable_or_unknown_truth_file_is_refused_without_a_traceback(
    small_linkage: LinkRun, world_truth: pa.Table, tmp_path: Path
) -> None:
    csv_named_parquet = _write_csv(world_truth, tmp_path / "truth.parquet")
    code, output = _evaluate_cli(small_linkage.out_dir, csv_named_parquet)
    assert code == InvalidInputError.exit_code and "Traceback" not in output
    assert "truth.parquet cannot be read as PARQUET" in output
    text = tmp_path / "truth.txt"
    text.write_text("source,record_id,person_id\n")
    with pytest.raises(InvalidInputError, match="neither CSV nor Parquet"):
        evaluate_linkage(small_linkage.out_dir, text)


def test_wrong_columns_are_named_with_the_columns_found(small_linkage: LinkRun, tmp_path: Path) -> None:
    truth = tmp_path / "truth.csv"
    truth.write_text("source,record,person_id\ncourt_cases,EOIR0000000001,P1\n")
    with pytest.raises(InvalidInputError) as info:
        evaluate_linkage(small_linkage.out_dir, truth)
    assert "lacks column(s) ['record_id']" in str(info.value)
    assert "it has ['source', 'record', 'person_id']" in str(info.value)


@pytest.mark.parametrize(
    ("encoding", "said"),
    [
        ("utf-16", "is UTF-16 (it starts with UTF-16's byte-order mark)"),
        ("utf-16-be", "holds NUL bytes in its first line(s): it looks like UTF-16 or binary, not UTF-8 text"),
    ],
)
def test_a_utf16_truth_csv_is_said_to_be_utf16_not_to_lack_its_columns(
    small_linkage: LinkRun, tmp_path: Path, encoding: str, said: str
) -> None:
    """Read as UTF-8 its columns were full of NULs (no byte-order mark), said to lack every column, or the
    advice was to declare an encoding in a source config a truth file does not have."""
    truth = tmp_path / "truth.csv"
    truth.write_bytes("source,record_id,person_id\ncourt_cases,EOIR0000000001,P1\n".encode(encoding))
    with pytest.raises(InvalidInputError) as info:
        evaluate_linkage(small_linkage.out_dir, truth)
    assert str(info.value) == f"Truth file {truth} {said}; a truth CSV is read as UTF-8: save it as UTF-8"


def test_partial_truth_is_scored_with_a_coverage_warning(
    small_linkage: LinkRun, world_truth: pa.Table, tmp_path: Path
) -> None:
    dropped = 40
    elsewhere = pa.table(
        {
            "source": ["court_cases"] * 3,
            "record_id": ["EOIR-LATER-1", "EOIR-LATER-2", "EOIR-LATER-3"],
            "person_id": ["P-NEW-1", "P-NEW-1", "P-NEW-2"],
        }
    )
    partial = pa.concat_tables([world_truth.slice(dropped), elsewhere])
    truth = _write_csv(partial, tmp_path / "partial.csv")
    scores = evaluate_linkage(small_linkage.out_dir, truth)
    assert scores.records == world_truth.num_rows - dropped
    assert scores.linkage_records_without_truth == dropped
    assert scores.truth_records_not_in_linkage == 3
    code, output = _evaluate_cli(small_linkage.out_dir, truth)
    assert code == 0, output
    assert "warning: partial truth" in output
    assert f"{dropped} linkage records have no truth row" in output
    assert "3 truth rows are not in the linkage" in output


def test_truth_sharing_no_record_with_the_linkage_is_refused(
    small_linkage: LinkRun, world_truth: pa.Table, tmp_path: Path
) -> None:
    other_world = pa.table(
        {"source": ["court_cases"] * 2, "record_id": ["X1", "X2"], "person_id": ["P1", "P1"]}
    )
    truth = _write_csv(other_world, tmp_path / "other.csv")
    with pytest.raises(InvalidInputError) as info:
        evaluate_linkage(small_linkage.out_dir, truth)
    message = str(info.value)
    assert "Nothing to evaluate" in message
    assert f"{world_truth.num_rows:,} linkage records have no truth row" in message
    assert "2 truth rows are not in the linkage" in message


def test_truth_sources_are_matched_in_any_case(
    small_world: Path, small_linkage: LinkRun, world_truth: pa.Table, tmp_path: Path
) -> None:
    """Source names are lower-case; a truth written `COURT_CASES` names the same source, as `explain` takes it."""
    shouted = world_truth.set_column(
        world_truth.schema.get_field_index("source"), "source", pc.utf8_upper(world_truth["source"])
    )
    truth = _write_csv(shouted, tmp_path / "shouted.csv")
    expected = evaluate_linkage(small_linkage.out_dir, small_world / "truth" / "records.parquet")
    assert evaluate_linkage(small_linkage.out_dir, truth) == expected


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf"], ids=["no bytes", "a byte-order mark alone"])
@pytest.mark.parametrize("name", ["truth.csv", "truth.parquet"])
def test_an_empty_truth_file_is_said_to_be_an_empty_truth_file(
    small_linkage: LinkRun, tmp_path: Path, content: bytes, name: str
) -> None:
    truth = tmp_path / name
    truth.write_bytes(content)
    code, output = _evaluate_cli(small_linkage.out_dir, truth)
    assert code == InvalidInputError.exit_code, output
    assert f"Truth file {truth} is empty; it needs a header (source, record_id, person_id)" in output
    assert "Source file" not in output


def test_conflicting_duplicate_truth_rows_are_refused_and_exact_ones_dropped(
    small_world: Path, small_linkage: LinkRun, world_truth: pa.Table, tmp_path: Path
) -> None:
    exact_copies = world_truth.slice(0, 5)
    with_copies = _write_csv(pa.concat_tables([world_truth, exact_copies]), tmp_path / "copies.csv")
    expected = evaluate_linkage(small_linkage.out_dir, small_world / "truth" / "records.parquet")
    assert evaluate_linkage(small_linkage.out_dir, with_copies) == expected

    first = world_truth.slice(0, 2).to_pylist()
    moved = pa.Table.from_pylist([{**r, "person_id": r["person_id"] + "-OTHER"} for r in first])
    conflicting = _write_csv(pa.concat_tables([world_truth, moved]), tmp_path / "conflicting.csv")
    with pytest.raises(InvalidInputError) as info:
        evaluate_linkage(small_linkage.out_dir, conflicting)
    example = min(first, key=lambda r: (r["source"], r["record_id"]))
    assert "gives 2 record(s) more than one person_id" in str(info.value)
    assert f"{example['source']}:{example['record_id']} is {example['person_id']} and" in str(info.value)


def test_a_truth_row_without_a_person_is_refused(
    small_linkage: LinkRun, world_truth: pa.Table, tmp_path: Path
) -> None:
    """Rows without a person_id would otherwise all count as one person."""
    blank = pa.table({"source": ["court_cases"], "record_id": ["EOIR0000000001"], "person_id": [None]})
    truth = _write_csv(
        pa.concat_tables([world_truth.slice(1), blank.cast(world_truth.schema)]), tmp_path / "t.csv"
    )
    with pytest.raises(InvalidInputError, match="1 row"):
        evaluate_linkage(small_linkage.out_dir, truth)


def test_a_truth_file_named_with_glob_characters_is_the_file_read(tmp_path: Path) -> None:
    """DuckDB expands `[…]` in a path: `t[1].csv` read `t1.csv`, with no error."""
    (tmp_path / "t[1].csv").write_text("source,record_id,person_id\ncourt,1,P1\n")
    (tmp_path / "t1.csv").write_text("source,record_id,person_id\ncourt,91,P9\n")
    assert read_truth(tmp_path / "t[1].csv").column("record_id").to_pylist() == ["1"]


def test_a_truth_file_is_read_for_its_three_columns_only(tmp_path: Path) -> None:
    """A column the scores do not use (the world's list of corrupted fields) need have no text form: it
    refused the file."""
    truth = tmp_path / "truth.parquet"
    corrupted = pa.array([["given_name"], []], pa.list_(pa.string()))
    pq.write_table(
        pa.table(
            {
                "source": ["court", "court"],
                "record_id": ["1", "2"],
                "person_id": ["P1", "P1"],
                "fields_corrupted": corrupted,
                "extra": pa.array([{"a": 1}, {"a": 2}]),
            }
        ),
        truth,
    )
    assert read_truth(truth).column("record_id").to_pylist() == ["1", "2"]


def test_an_unreadable_truth_row_is_said_in_a_line_naming_the_truth_file(
    small_linkage: LinkRun, tmp_path: Path
) -> None:
    """DuckDB's whole message (its options and the fixes a user cannot apply) was printed, ~25 lines."""
    truth = tmp_path / "ragged.csv"
    truth.write_text("source,record_id,person_id\ncourt_cases,1,P1,x\n")
    code, output = _evaluate_cli(small_linkage.out_dir, truth)
    assert code == InvalidInputError.exit_code
    said = " ".join(output.split())
    assert "Truth file" in said and "ragged.csv cannot be read as CSV" in said
    assert "Expected Number of Columns: 3 Found: 4" in said
    assert "strict_mode" not in said and "Possible" not in said and len(output.splitlines()) <= 3


def test_a_directory_given_as_the_truth_file_is_said_to_be_one(
    small_linkage: LinkRun, tmp_path: Path
) -> None:
    (tmp_path / "truth.csv").mkdir()
    with pytest.raises(NotFoundError, match=r"truth\.csv is a directory, not a file"):
        evaluate_linkage(small_linkage.out_dir, tmp_path / "truth.csv")
