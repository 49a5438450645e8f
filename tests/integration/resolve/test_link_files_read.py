"""How `ilos link` reads its sources' files when they are not plain UTF-8 CSV: a CSV whose rows its reader
cannot make out is said as such (not as a bad encoding), a CSV in any Python encoding is read, a Parquet
file's columns the config does not read may be of any type, a bad `delimiter:` or `encoding:` is a config
problem, and a file that cannot be read hides no other source's problems. A CSV's header is read as it is
spelled (spaces, case, a repeated column, a byte-order mark before a quoted name) and no line is a comment.
`ilos link add` reads its input by the input's own name; `ilos link judge` prints ids as written."""

from __future__ import annotations

import getpass
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ilos.cli.main import app
from ilos.definitions.sources import load_sources_config
from ilos.errors import InvalidInputError
from ilos.resolve import linkage
from ilos.services.linking import LinkRun, add_records, link_config, standardized_records
from ilos.services.source_checks import file_problems
from ilos.services.source_reading import read_source_file


def _config(tmp_path: Path, *sources: str) -> Path:
    path = tmp_path / "link.yaml"
    path.write_text("version: 1\nsources:\n" + "".join(sources))
    return path


def _source(name: str, file: str, extra: str = "") -> str:
    return (
        f"  - name: {name}\n    path: {file}\n    record_id: rid\n{extra}"
        "    fields: {given_name: first, family_name: last}\n"
    )


def test_a_csv_whose_rows_cannot_be_made_out_is_not_called_a_bad_encoding(tmp_path: Path) -> None:
    (tmp_path / "mixed.csv").write_bytes(b"rid,first,last\n1,ANA,LOPEZ\r\n2,JOSE,DIAZ,EXTRA\r\n3,LUIS\n")
    config = load_sources_config(_config(tmp_path, _source("s", "mixed.csv")))
    with pytest.raises(InvalidInputError) as caught:
        read_source_file(config, config.source("s"))
    said = str(caught.value)
    assert "not valid utf-8" not in said
    assert "mixed.csv cannot be read as csv" in said and "LF and CRLF mixed" in said
    (tmp_path / "extra.csv").write_bytes(b"rid,first,last\n1,ANA,LOPEZ\n2,JOSE,DIAZ\n3,LUIS,PEREZ,EXTRA\n")
    config = load_sources_config(_config(tmp_path, _source("s", "extra.csv")))
    with pytest.raises(InvalidInputError) as caught:
        read_source_file(config, config.source("s"))
    said = str(caught.value)  # the row is named, even the last (DuckDB's guess once took it for the header)
    assert "CSV Error on Line: 4" in said and "Expected Number of Columns: 3 Found: 4" in said
    (tmp_path / "long.csv").write_bytes(
        b"rid,first,last\n1,ANA,LOPEZ\n2,JOSE,DIAZ,EXTRA" + b"X" * 100_000 + b"\n"
    )
    config = load_sources_config(_config(tmp_path, _source("s", "long.csv")))
    with pytest.raises(InvalidInputError) as caught:
        read_source_file(config, config.source("s"))
    said = str(caught.value)  # DuckDB quotes the row whole: a 5 MB one filled the terminal
    assert "CSV Error on Line: 3" in said and "characters)" in said and len(said) < 2_000


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("cp1252", "rid,first,last\n1,José,García’s\n".encode("cp1252")),
        ("utf-16", b"\xfe\xff" + "rid,first,last\n1,José,García’s\n".encode("utf-16-be")),  # DuckDB: no rows
        ("utf-16", "rid,first,last\n1,José,García’s\n".encode("utf-16")),
        ("latin-1", "rid,first,last\n1,José,García's\n".encode("latin-1")),
    ],
)
def test_a_csv_in_another_encoding_is_read_in_it(tmp_path: Path, encoding: str, data: bytes) -> None:
    (tmp_path / "cp.csv").write_bytes(data)
    config = load_sources_config(_config(tmp_path, _source("s", "cp.csv", f"    encoding: {encoding}\n")))
    [row] = read_source_file(config, config.source("s")).to_pylist()
    assert row == {"rid": "1", "first": "José", "last": data.decode(encoding).split(",")[-1].strip()}


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        ("    delimiter: ';;'\n", "`delimiter` must be one character"),
        ("    encoding: bogus\n", "no encoding"),
        # Codecs Python knows that decode no text file passed, then failed the run with a traceback.
        *[
            (f"    encoding: {codec}\n", "not one a text file is written in")
            for codec in ("rot13", "base64", "hex", "zlib", "idna")
        ],
        # A quote or a line break passed, then failed when the rows were read (DuckDB's Binder Error).
        ("    delimiter: '\"'\n", "cannot part fields"),
        ('    delimiter: "\\n"\n', "cannot part fields"),
    ],
)
def test_a_bad_delimiter_or_encoding_is_a_config_problem(tmp_path: Path, extra: str, said: str) -> None:
    with pytest.raises(InvalidInputError, match=said):
        load_sources_config(_config(tmp_path, _source("s", "s.csv", extra)))


def test_a_column_listed_twice_in_one_field_is_a_config_problem(tmp_path: Path) -> None:
    """Joined twice, NAME read GARCIA GARCIA: a second surname that is not in the file."""
    source = "  - name: s\n    path: s.csv\n    record_id: rid\n    fields: {family_name: [last, last]}\n"
    with pytest.raises(InvalidInputError, match="field 'family_name' lists column\\(s\\) 'last' twice"):
        load_sources_config(_config(tmp_path, source))


def test_columns_of_a_parquet_file_the_config_does_not_read_may_be_of_any_type(tmp_path: Path) -> None:
    table = pa.table(
        {
            "rid": [1, 2],
            "first": ["ANA", "JOSE"],
            "last": ["LOPEZ", "DIAZ"],
            "tags": pa.array([["a"], []], pa.list_(pa.string())),
            "blob": pa.array([b"\xff\x00", b"\x80"], pa.binary()),
        }
    )
    pq.write_table(table, tmp_path / "p.parquet")
    config = load_sources_config(_config(tmp_path, _source("p", "p.parquet")))
    assert read_source_file(config, config.source("p")).to_pylist() == [
        {"rid": "1", "first": "ANA", "last": "LOPEZ"},
        {"rid": "2", "first": "JOSE", "last": "DIAZ"},
    ]


def test_a_file_that_cannot_be_read_hides_no_other_sources_problems(tmp_path: Path) -> None:
    (tmp_path / "latin.csv").write_bytes(b"rid,first,last\n1,JOS\xc9,DIAZ\n")
    (tmp_path / "dup.csv").write_text("rid,first,last\n1,ANA,LOPEZ\n1,ANA,LOPEZ\n")
    config = load_sources_config(_config(tmp_path, _source("latin", "latin.csv"), _source("dup", "dup.csv")))
    with pytest.raises(InvalidInputError) as caught:
        standardized_records(config)
    locations = [p.location for p in caught.value.problems]
    assert "source 'latin'" in locations and "source 'dup' column 'rid'" in locations


def test_an_add_reads_its_input_by_the_inputs_own_name(
    small_world: Path, small_linkage: LinkRun, tmp_path: Path
) -> None:
    out = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "linkage"))
    config = load_sources_config(small_world / "sources.yaml")
    spec = config.source("court_cases")  # a CSV source
    row = read_source_file(config, spec).slice(0, 1)
    incoming = row.set_column(row.schema.get_field_index(spec.record_id), spec.record_id, pa.array(["NEW-1"]))
    pq.write_table(incoming, tmp_path / "incoming.parquet")
    report = add_records(out, " Court_Cases", tmp_path / "incoming.parquet")  # a source in any case
    assert report.records == 1
    clusters = pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    assert any(r["source"] == "court_cases" and r["record_id"] == "NEW-1" for r in clusters)


def test_judge_prints_ids_as_written(
    small_linkage: LinkRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The judge is the operator (local:<os-user>); an OS user name with markup in it is printed as written."""
    monkeypatch.setattr(getpass, "getuser", lambda: "[bold]ana:x:")
    out = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "linkage"))
    pair = (
        pq.read_table(out / linkage.LINKS_FILE, columns=["unique_id_l", "unique_id_r"])
        .slice(0, 1)
        .to_pylist()[0]
    )
    left, right = (k.replace("|", ":", 1) for k in (pair["unique_id_l"], pair["unique_id_r"]))
    result = CliRunner().invoke(app, ["link", "judge", str(out), left, right, "unsure"])
    assert result.exit_code == 0, result.output
    assert "by local:[bold]ana:x:" in result.output.replace("\n", "")


def test_a_date_column_of_placeholders_is_missing_dates_not_a_wrong_format(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text(
        "rid,first,last,dob\n1,ANA,LOPEZ,UNKNOWN\n2,JOSE,DIAZ,00/00/0000\n3,LUIS,REY,\n"
    )
    (tmp_path / "t.csv").write_text("rid,first,last,dob\n1,ANA,LOPEZ,UNKNOWN\n2,JOSE,DIAZ,1980-01-05\n")
    dob = "    fields: {given_name: first, family_name: last, date_of_birth: {column: dob, format: '%m/%d/%Y'}}\n"
    placeholders_only = _config(tmp_path, f"  - name: s\n    path: s.csv\n    record_id: rid\n{dob}")
    records = standardized_records(load_sources_config(placeholders_only)).records
    assert records["date_of_birth"].null_count == 3
    wrong_format = _config(tmp_path, f"  - name: t\n    path: t.csv\n    record_id: rid\n{dob}")
    with pytest.raises(InvalidInputError, match="no value parses with format"):
        standardized_records(load_sources_config(wrong_format))  # the placeholder does not hide it


def test_header_problems_name_what_the_header_has(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text("rid, First,LAST,last\n1,ANA,LOPEZ,LOPEZ\n")
    (tmp_path / "t.csv").write_text("rid,given,family\n1,ANA,LOPEZ\n")
    (tmp_path / "d.csv").write_text("rid,first,first,last\n1,ANA,X,LOPEZ\n")
    config = _config(
        tmp_path,
        _source("s", "s.csv"),
        _source("t", "t.csv"),
        _source("d", "d.csv"),
        "  - name: e\n    path: t.csv\n    record_id: rid\n    fields: {}\n",
    )
    with pytest.raises(InvalidInputError) as caught:
        link_config(config, tmp_path / "out")
    said = {p.location: p.message for p in caught.value.problems}
    assert "its header has ' First' (spaces, case and punctuation count)" in said["source 's' column 'first'"]
    assert "(its columns: 'rid', 'given', 'family')" in said["source 't' column 'first'"]
    assert "appears more than once" in said["source 'd' column 'first'"]
    assert "maps no field" in said["source 'e' fields"]


def _read(tmp_path: Path, file: str, fields: str) -> list[dict[str, str | None]]:
    source = f"  - name: s\n    path: {file}\n    record_id: rid\n    fields: {fields}\n"
    config = load_sources_config(_config(tmp_path, source))
    return read_source_file(config, config.source("s")).to_pylist()


def test_a_row_starting_with_a_hash_is_a_row_not_a_comment(tmp_path: Path) -> None:
    rows = "".join(
        f"{i},ANA,LOPEZ\n" for i in range(3, 40)
    )  # numeric ids: DuckDB's guess took # for comments
    (tmp_path / "h.csv").write_text("rid,first,last\n#1,JOSE,DIAZ\n#2,LUIS,PEREZ\n" + rows)
    read = _read(tmp_path, "h.csv", "{given_name: first, family_name: last}")
    assert [r["rid"] for r in read[:3]] == ["#1", "#2", "3"] and len(read) == 39


def test_a_repeated_header_column_does_not_shift_a_mapped_one(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("rid,first,last,last,last_1\n1,ANA,OLDNAME,OTHER,LOPEZ\n")
    read = _read(tmp_path, "d.csv", "{given_name: first, family_name: last_1}")
    assert read == [{"rid": "1", "first": "ANA", "last_1": "LOPEZ"}]


def test_columns_whose_names_differ_in_case_or_spaces_are_read_as_spelled(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("rid,name,NAME, first \n1,lower,UPPER,ANA\n")
    read = _read(tmp_path, "c.csv", "{family_name: NAME, given_name: ' first '}")
    assert read == [{"rid": "1", "NAME": "UPPER", " first ": "ANA"}]
    pq.write_table(pa.table({"rid": ["1"], "name": ["lower"], "NAME": ["UPPER"]}), tmp_path / "c.parquet")
    assert _read(tmp_path, "c.parquet", "{family_name: NAME}") == [{"rid": "1", "NAME": "UPPER"}]


def test_a_byte_order_mark_before_a_quoted_header_is_no_part_of_it(tmp_path: Path) -> None:
    (tmp_path / "b.csv").write_bytes(b'\xef\xbb\xbf"rid","first","last"\r\n"1","ANA","LOPEZ"\r\n')
    config = load_sources_config(_config(tmp_path, _source("s", "b.csv")))
    assert read_source_file(config, config.source("s")).to_pylist() == [
        {"rid": "1", "first": "ANA", "last": "LOPEZ"}
    ]
    assert not file_problems(config, config.source("s"))


def test_header_suggestions_see_through_punctuation_and_an_empty_header_is_named(tmp_path: Path) -> None:
    (tmp_path / "u.csv").write_text("rid,FIRST NAME,last\n1,ANA,LOPEZ\n")
    (tmp_path / "blank.csv").write_text("\n\n\n")
    config = _config(
        tmp_path, _source("u", "u.csv").replace("first", "FIRST_NAME"), _source("b", "blank.csv")
    )
    with pytest.raises(InvalidInputError) as caught:
        link_config(config, tmp_path / "out")
    said = {p.location: p.message for p in caught.value.problems}
    assert "its header has 'FIRST NAME'" in said["source 'u' column 'FIRST_NAME'"]
    assert "its first line, the header, is empty" in said["source 'b' column 'rid'"]


def test_an_add_of_a_missing_input_file_points_at_the_input(small_linkage: LinkRun, tmp_path: Path) -> None:
    out = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "linkage"))
    with pytest.raises(InvalidInputError) as caught:
        add_records(out, "court_cases", tmp_path / "nope.csv")
    [problem] = caught.value.problems
    assert problem.message == f"file {tmp_path / 'nope.csv'} does not exist; check --input"


@pytest.mark.parametrize(
    ("data", "last", "said"),
    [
        (b'rid,first,"last\nname"\r\n1,ANA,LOPEZ\r\n', '"last\\nname"', "spans 2 lines"),  # Excel's wrap
        (b'rid,"fir"st,last\n1,ANA,LOPEZ\n2,JOSE,DIAZ\n', "last", "none could be read"),  # DuckDB: no row
    ],
)
def test_a_csv_whose_rows_cannot_be_read_stops_the_run(
    tmp_path: Path, data: bytes, last: str, said: str
) -> None:
    (tmp_path / "w.csv").write_bytes(data)
    config = _config(tmp_path, _source("s", "w.csv").replace("last}", f"{last}}}"))
    with pytest.raises(InvalidInputError) as caught:
        link_config(config, tmp_path / "out")
    assert said in str(caught.value), caught.value
    assert not (tmp_path / "out").exists()


def test_parquet_timestamps_read_to_the_microsecond_and_a_struct_is_named(tmp_path: Path) -> None:
    born = pa.array([1_000_000_000_000_000_000], pa.timestamp("ns"))  # pandas writes nanoseconds
    table = pa.table({"rid": ["1"], "first": ["ANA"], "last": ["LOPEZ"], "born": born})
    pq.write_table(table, tmp_path / "t.parquet")
    fields = "{family_name: last, date_of_birth: {column: born, format: '%Y-%m-%d %H:%M:%S.%f'}}"
    assert _read(tmp_path, "t.parquet", fields)[0]["born"] == ("2001-09-09 01:46:40.000000")
    nested = pa.table({"rid": ["1"], "last": pa.array([{"a": 1}])})
    pq.write_table(nested, tmp_path / "n.parquet")
    with pytest.raises(InvalidInputError, match=r"column 'last' is struct<a: int64>, which has no text form"):
        _read(tmp_path, "n.parquet", "{family_name: last}")


@pytest.mark.parametrize("unit", ["ns", "us"])
def test_a_parquet_timestamp_with_a_time_zone_reads_as_the_clock_there(tmp_path: Path, unit: str) -> None:
    """Local midnight in Berlin is 23:00 the day before in UTC: the date of birth is the day written."""
    midnight = pa.array([631148400_000_000], pa.timestamp("us", "UTC")).cast(pa.timestamp(unit, "UTC"))
    born = midnight.cast(pa.timestamp(unit, "Europe/Berlin"))  # 1990-01-01 00:00 in Berlin
    pq.write_table(pa.table({"rid": ["1"], "last": ["LOPEZ"], "born": born}), tmp_path / "z.parquet")
    fields = "{family_name: last, date_of_birth: {column: born, format: '%Y-%m-%d %H:%M:%S.%f'}}"
    assert _read(tmp_path, "z.parquet", fields)[0]["born"] == "1990-01-01 00:00:00.000000"


@pytest.mark.parametrize(
    ("named", "beside"), [("x[1].csv", "x1.csv"), ("a*.csv", "ab.csv"), ("q?.csv", "qz.csv")]
)
def test_a_csv_named_with_glob_characters_is_the_file_read(tmp_path: Path, named: str, beside: str) -> None:
    """DuckDB expands `[…]`, `*` and `?` in a path: `x[1].csv` read `x1.csv`, with no error."""
    (tmp_path / named).write_text("rid,first,last\n1,ANA,LOPEZ\n")
    (tmp_path / beside).write_text("rid,first,last\n91,OTHER,PERSON\n")
    config = load_sources_config(_config(tmp_path, _source("s", f'"{named}"')))
    assert read_source_file(config, config.source("s")).column("rid").to_pylist() == ["1"]


def test_a_parquet_file_named_with_glob_characters_is_the_file_read(tmp_path: Path) -> None:
    pq.write_table(pa.table({"rid": ["1"], "first": ["ANA"], "last": ["LOPEZ"]}), tmp_path / "p[1].parquet")
    pq.write_table(pa.table({"rid": ["91"], "first": ["W"], "last": ["X"]}), tmp_path / "p1.parquet")
    config = load_sources_config(_config(tmp_path, _source("p", '"p[1].parquet"')))
    assert read_source_file(config, config.source("p")).column("rid").to_pylist() == ["1"]


def test_a_line_longer_than_duckdb_reads_is_said_without_an_option_no_config_sets(tmp_path: Path) -> None:
    """DuckDB advises `max_line_size=…`, an option of its own reader that no config can set."""
    (tmp_path / "long.csv").write_text("rid,first,last\n1,ANA,LOPEZ\n2," + "X" * 2_100_000 + ",DIAZ\n")
    config = load_sources_config(_config(tmp_path, _source("s", "long.csv")))
    with pytest.raises(InvalidInputError) as caught:
        read_source_file(config, config.source("s"))
    said = str(caught.value)
    assert "CSV Error on Line: 3" in said and "Maximum line size" in said
    assert "max_line_size" not in said and "Possible" not in said


def test_a_directory_given_as_a_source_file_is_said_to_be_one(tmp_path: Path) -> None:
    (tmp_path / "people.csv").mkdir()
    config = load_sources_config(_config(tmp_path, _source("s", "people.csv")))
    [problem] = file_problems(config, config.source("s"))
    assert problem.location == "source 's'" and "people.csv is a directory, not a file" in problem.message
    with pytest.raises(InvalidInputError, match=r"people\.csv is a directory, not a file"):
        read_source_file(config, config.source("s"))


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"rid,pr\xe9nom,last\n1,Jos\xe9,Garcia\n", "bad bytes b'\\xe9' at byte 6 of line 1"),
        ("rid,prénom,last\n1,José,Garcia\n".encode("utf-16"), "`encoding: utf-16` (it starts with UTF-16's"),
    ],
)
def test_a_header_not_in_the_files_encoding_is_said_to_be_one(tmp_path: Path, data: bytes, said: str) -> None:
    """Read with its bad bytes replaced, the header matched no mapped column: every one was said missing
    ("is not in l1h.csv (its columns: 'id', 'pr�nom', 'last')"), with no word of the encoding."""
    (tmp_path / "l1h.csv").write_bytes(data)
    source = "  - name: s\n    path: l1h.csv\n    record_id: rid\n    fields: {given_name: prénom, family_name: last}\n"
    config = load_sources_config(_config(tmp_path, source))
    [problem] = file_problems(config, config.source("s"))
    assert problem.location == "source 's'"
    assert "The header of l1h.csv is not valid utf-8" in problem.message and said in problem.message
    assert "declare the file's encoding" in problem.message


def test_a_replacement_character_written_in_a_header_is_no_encoding_problem(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text("rid,first,last,note\ufffd\n1,ANA,LOPEZ,x\n", encoding="utf-8")
    config = load_sources_config(_config(tmp_path, _source("s", "s.csv")))
    assert file_problems(config, config.source("s")) == []
