"""What `ilos link` and `ilos link add` do with inputs that cannot be linked as they are, and with a run that
fails: nothing of the linkage already in the directory is changed or lost, and the user is told why."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from ilos.definitions.sources import load_sources_config
from ilos.errors import InvalidInputError
from ilos.resolve import engine, linkage
from ilos.services.linking import LinkRun, TrainingOptions, add_records, link_config
from ilos.services.source_reading import read_source_file


def _linkage_copy(small_linkage: LinkRun, tmp_path: Path) -> Path:
    out = tmp_path / "linkage"
    shutil.copytree(small_linkage.out_dir, out)
    return out


def _court_rows(small_world: Path, out: Path) -> tuple[pa.Table, str]:
    """Some court_cases rows of the world, as the source's file holds them, and its record id column."""
    config = load_sources_config(out / "sources.yaml")
    spec = config.source("court_cases")
    return read_source_file(load_sources_config(small_world / "sources.yaml"), spec).slice(
        0, 3
    ), spec.record_id


def test_an_add_with_a_blank_id_or_ids_already_linked_adds_nothing_and_says_which(
    small_world: Path, small_linkage: LinkRun, tmp_path: Path
) -> None:
    out = _linkage_copy(small_linkage, tmp_path)
    rows, id_column = _court_rows(small_world, out)
    ids = rows[id_column].to_pylist()
    blank = rows.set_column(rows.schema.get_field_index(id_column), id_column, pa.array(["", ids[1], ids[2]]))
    path = tmp_path / "incoming.csv"
    pcsv.write_csv(blank, path)
    before = {name: (out / name).read_bytes() for name in (linkage.CLUSTERS_FILE, linkage.RECORDS_FILE)}
    with pytest.raises(InvalidInputError) as info:
        add_records(out, "court_cases", path)
    message = str(info.value)
    assert "1 record(s) have no record id (data rows 1)" in message
    assert f"2 record id(s) are already linked (e.g. {ids[1]!r}, {ids[2]!r})" in message
    assert {name: (out / name).read_bytes() for name in before} == before


def test_an_add_of_a_file_with_a_header_only_adds_nothing_and_keeps_the_linkage(
    small_world: Path, small_linkage: LinkRun, tmp_path: Path
) -> None:
    out = _linkage_copy(small_linkage, tmp_path)
    rows, _ = _court_rows(small_world, out)
    path = tmp_path / "empty.csv"
    pcsv.write_csv(rows.slice(0, 0), path)
    report = add_records(out, "court_cases", path)
    assert report.records == 0
    assert report.warnings == ("source 'court_cases': its file has no data rows, so it adds no records",)
    assert pq.read_table(out / linkage.CLUSTERS_FILE).equals(
        pq.read_table(small_linkage.out_dir / linkage.CLUSTERS_FILE)
    )


@pytest.mark.parametrize("failing", [(engine, "write_link_parts"), (linkage, "write_links")])
def test_a_failed_run_leaves_the_linkage_in_the_directory_as_it_was(
    small_world: Path,
    small_linkage: LinkRun,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failing: tuple[object, str],
) -> None:
    """Whether it fails while scoring or while writing the links (after the clusters are written)."""
    out = _linkage_copy(small_linkage, tmp_path)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    def fail(*_: object, **__: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(*failing, fail)
    with pytest.raises(RuntimeError, match="disk full"):  # another seed: a model unlike the one in `out`
        link_config(small_world / "sources.yaml", out, TrainingOptions(seed=7))
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == []  # no spill or work left behind


def test_a_re_run_says_how_many_records_of_the_last_run_its_inputs_no_longer_hold(
    small_world: Path, small_linkage: LinkRun, tmp_path: Path
) -> None:
    out = _linkage_copy(small_linkage, tmp_path)
    rows, id_column = _court_rows(small_world, out)
    fresh = rows.set_column(
        rows.schema.get_field_index(id_column), id_column, pa.array([f"NEW{i}" for i in range(rows.num_rows)])
    )
    path = tmp_path / "incoming.csv"
    pcsv.write_csv(fresh, path)
    assert add_records(out, "court_cases", path).records == 3
    run = link_config(small_world / "sources.yaml", out)
    assert run.summary.dropped_records == 3
    assert any("3 record(s) of the last linkage" in w and "ilos link add" in w for w in run.warnings)


def test_a_model_trained_on_too_few_records_says_so(tmp_path: Path) -> None:
    rows = [
        ("1", "MARIA", "GARCIA", "1990-02-03", "12 OAK ST"), ("2", "MARIA", "GARCIA", "1990-02-03", "12 OAK ST"),
        ("3", "JOSE", "LOPEZ", "1985-07-01", "4 ELM AVE"), ("4", "ANA", "RUIZ", "1979-11-12", "9 PINE RD"),
        ("5", "LUIS", "DIAZ", "1966-05-30", "77 MAIN ST"), ("6", "EVA", "SOTO", "2001-01-15", "3 BAY CT"),
        ("7", "JUAN", "PEREZ", "1993-03-09", "18 HILL DR"), ("8", "ROSA", "VEGA", "1958-08-21", "5 LAKE LN"),
    ]  # fmt: skip
    (tmp_path / "people.csv").write_text(
        "pid,first,last,dob,street\n" + "".join(",".join(r) + "\n" for r in rows)
    )
    (tmp_path / "link.yaml").write_text(
        "sources:\n  - name: people\n    path: people.csv\n    record_id: pid\n    fields:\n"
        "      given_name: first\n      family_name: last\n      street: street\n"
        "      date_of_birth: {column: dob, format: '%Y-%m-%d'}\n"
    )
    run = link_config(tmp_path / "link.yaml", tmp_path / "out")
    assert run.summary.threshold.expected_precision < 0.9
    assert any("too little to learn from in 8 records" in w for w in run.warnings)
