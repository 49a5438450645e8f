"""Every config problem is reported at once, naming the source and the column; rows that cannot be linked
(no record id, a record id twice, dates no value of which parses) stop the run before anything is written;
an output directory that would overwrite an input is refused."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ilos.definitions.sources import date_format_problem, load_sources_config
from ilos.errors import InvalidInputError
from ilos.services.linking import link_config
from ilos.services.source_checks import SourceFindings, row_findings


def _write(tmp_path: Path, config: str) -> Path:
    (tmp_path / "people.csv").write_text("pid,first,last,dob,zip\n1,Ana,Lopez,1990-02-03,00501\n")
    path = tmp_path / "link.yaml"
    path.write_text(config)
    return path


def test_all_config_problems_are_reported_together(tmp_path: Path) -> None:
    config = _write(
        tmp_path,
        """
sources:
  - name: people
    path: people.csv
    record_id: pid
    fields:
      given_nam: first
      family_name: surname
      date_of_birth: {column: dob}
""",
    )
    with pytest.raises(InvalidInputError) as info:
        link_config(config, tmp_path / "out")
    message = str(info.value)
    assert "given_nam" in message and "not a canonical field" in message
    assert "format" in message  # the date mapping lacks its format
    # The source's other mappings are checked against its file in the same run, not once the rest is fixed.
    assert "source 'people' column 'surname': is not in people.csv" in message


def test_a_source_with_a_misspelt_option_or_only_misspelt_fields_still_has_its_file_checked(
    tmp_path: Path,
) -> None:
    config = _write(
        tmp_path,
        """
sources:
  - name: people
    path: people.csv
    record_id: pid
    one_record_per_entty: true
    fields:
      given_name: first
      city: town
  - name: others
    path: others.csv
    record_id: oid
    fields:
      given_nam: first
""",
    )
    with pytest.raises(InvalidInputError) as info:
        link_config(config, tmp_path / "out")
    located = [str(p) for p in info.value.problems]
    assert "source 'people' one_record_per_entty: Extra inputs are not permitted" in located
    assert (
        "source 'people' column 'town': is not in people.csv (its columns: 'pid', 'first', 'last', 'dob', 'zip')"
        in located
    )
    assert any(
        p.startswith("source 'others': Source file") and "others.csv does not exist" in p for p in located
    )
    assert any(
        p.startswith("source 'others' fields: field 'given_nam' is not a canonical field") for p in located
    )
    assert len(located) == 4, located  # no "maps no field" for a source whose one field is misspelt


def test_missing_columns_are_named_with_their_source(tmp_path: Path) -> None:
    config = _write(
        tmp_path,
        """
sources:
  - name: people
    path: people.csv
    record_id: pid
    fields:
      given_name: first
      family_name: surname
      postal_code: zipcode
""",
    )
    with pytest.raises(InvalidInputError) as info:
        link_config(config, tmp_path / "out")
    message = str(info.value)
    assert "source 'people' column 'surname': is not in people.csv" in message
    assert "source 'people' column 'zipcode': is not in people.csv" in message


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "link.yaml"
    path.write_text(
        "sources:\n  - name: people\n    path: nowhere.csv\n    record_id: pid\n    fields: {given_name: a}\n"
    )
    with pytest.raises(InvalidInputError, match=r"nowhere\.csv does not exist"):
        link_config(path, tmp_path / "out")


TWO_SOURCES = """
sources:
  - name: people
    path: people.csv
    record_id: pid
    minimum_age: 14
    fields:
      given_nam: first
      family_name: last
      date_of_birth: {column: dob, format: "YYYY-MM-DD"}
  - name: people
    path: people.csv
    record_id: pid
    fields: {given_name: first}
  - name: others
    path: others.csv
    record_id: oid
    fields: {given_name: first, family_name: surname}
"""


def test_field_errors_checks_across_sources_and_missing_columns_come_in_one_report(tmp_path: Path) -> None:
    """Before, a user met these in three runs: field errors, then a repeated source name and minimum_age,
    then the columns of the sources that were valid."""
    config = _write(tmp_path, TWO_SOURCES)
    (tmp_path / "others.csv").write_text("oid,first\n1,Ana\n")
    with pytest.raises(InvalidInputError) as info:
        link_config(config, tmp_path / "out")
    message = str(info.value)
    assert "given_nam" in message and "not a canonical field" in message
    assert "'YYYY-MM-DD' is not a strptime format" in message
    assert "is declared twice" in message
    assert "source 'people' minimum_age: needs a record_date field" in message
    assert "source 'others' column 'surname': is not in others.csv" in message
    assert not (tmp_path / "out").exists()


def _people(tmp_path: Path, rows: str, dob: str = "%Y-%m-%d") -> Path:
    (tmp_path / "people.csv").write_text("pid,first,last,dob,zip\n" + rows)
    path = tmp_path / "link.yaml"
    path.write_text(
        "sources:\n  - name: people\n    path: people.csv\n    record_id: pid\n    fields:\n"
        f"      given_name: first\n      family_name: last\n      date_of_birth: {{column: dob, format: '{dob}'}}\n"
    )
    return path


def test_records_without_an_id_or_with_a_repeated_id_stop_the_run_with_their_rows_named(
    tmp_path: Path,
) -> None:
    config = _people(tmp_path, "1,Ana,Lopez,1990-02-03,1\n,Luis,Diaz,1980-01-05,2\n1,Eva,Ruiz,1970-03-04,3\n")
    with pytest.raises(InvalidInputError) as info:
        link_config(config, tmp_path / "out")
    message = str(info.value)
    assert "1 record(s) have no record id (data rows 2)" in message
    assert "1 record id(s) appear more than once (e.g. '1')" in message
    assert not (tmp_path / "out").exists()


def test_a_date_format_that_reads_no_value_is_an_error_and_one_that_misses_some_a_warning(
    tmp_path: Path,
) -> None:
    rows = "1,Ana,Lopez,1990-02-03,1\n2,Luis,Diaz,1980-01-05,2\n"
    with pytest.raises(
        InvalidInputError, match=r"no value parses with format '%m/%d/%Y' \(e\.g\. '1980-01-05'\)"
    ):
        link_config(_people(tmp_path, rows, "%m/%d/%Y"), tmp_path / "out")
    findings = SourceFindings()
    raw = pa.table(
        {"pid": ["1", "2", "3"], "first": ["A", "B", "C"], "dob": ["1990-02-03", "03/02/1990", ""]}
    )
    spec = load_sources_config(_people(tmp_path, rows)).source("people")
    row_findings(spec, raw, findings)
    assert not findings.problems
    assert findings.warnings == [
        "source 'people' field 'date_of_birth' (column 'dob'): 1 of 2 values do not parse with format "
        "'%Y-%m-%d' (e.g. '03/02/1990') and are treated as missing"
    ]


def test_an_output_directory_that_is_a_file_or_would_overwrite_an_input_is_refused(tmp_path: Path) -> None:
    config = _people(tmp_path, "1,Ana,Lopez,1990-02-03,1\n")
    (tmp_path / "afile.txt").write_text("keep me")
    with pytest.raises(InvalidInputError, match=r"afile\.txt is a file; pass a directory"):
        link_config(config, tmp_path / "afile.txt")
    # Below a file the run's mkdir failed with a traceback (NotADirectoryError); it is the same problem.
    with pytest.raises(
        InvalidInputError, match=r"sub is under .*afile\.txt, which is a file; pass a directory"
    ):
        link_config(config, tmp_path / "afile.txt" / "deeper" / "sub")
    assert (tmp_path / "afile.txt").read_text() == "keep me"
    (tmp_path / "people.csv").rename(tmp_path / "records.parquet")
    config.write_text(config.read_text().replace("people.csv", "records.parquet"))
    pq.write_table(pa.table({"pid": ["1"], "first": ["Ana"], "last": ["Lopez"], "dob": ["1990-02-03"]}),
                   tmp_path / "records.parquet")  # fmt: skip
    before = (tmp_path / "records.parquet").read_bytes()
    with pytest.raises(
        InvalidInputError, match=r"records\.parquet would be overwritten by the linkage output"
    ):
        link_config(config, tmp_path)
    assert (tmp_path / "records.parquet").read_bytes() == before


@pytest.mark.parametrize(
    ("fmt", "why"),
    [
        ("%Y-%m-%d", None),
        ("%m/%d/%Y", None),
        ("%Y%m%d", None),
        ("%Y-%m-%dT%H:%M:%S%z", None),  # a timestamp with its zone still holds a whole date
        ("%d %b %Y %Z", None),
        ("YYYY-MM-DD", "is not a strptime format; write it with directives"),
        ("%Q-%m", "is not a strptime format ("),
        ("%Y-%m", "does not hold a whole date"),
    ],
)
def test_a_date_format_must_read_a_whole_date(fmt: str, why: str | None) -> None:
    problem = date_format_problem(fmt)
    assert (problem is None) if why is None else (problem is not None and why in problem)


def test_row_problems_come_with_the_header_problems_of_other_sources(tmp_path: Path) -> None:
    """The rows were read only once every header passed: a repeated id came a run after a missing column."""
    (tmp_path / "people.csv").write_text("pid,first,last\n1,Ana,Lopez\n1,Eva,Ruiz\n")
    (tmp_path / "others.csv").write_text("oid,first\n1,Ana\n")
    config = tmp_path / "link.yaml"
    config.write_text(
        "sources:\n"
        "  - {name: people, path: people.csv, record_id: pid, fields: {given_name: first, family_name: last}}\n"
        "  - {name: others, path: others.csv, record_id: oid, fields: {given_name: first, family_name: surname}}\n"
    )
    with pytest.raises(InvalidInputError) as info:
        link_config(config, tmp_path / "out")
    found = {(p.location, p.message) for p in info.value.problems}
    assert ("source 'people' column 'pid'", "1 record id(s) appear more than once (e.g. '1')") in found
    assert any(where == "source 'others' column 'surname'" for where, _ in found)
    assert len(found) == 2 and not (tmp_path / "out").exists()
