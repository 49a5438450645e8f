"""Subjects built from a real linkage of a small synthetic world, checked against its ground truth."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ilos.cli.main import app
from ilos.errors import InvalidInputError, NotFoundError
from ilos.services import subjects as subjects_service
from ilos.services.linking import link_config
from ilos.services.subjects import SubjectsBuild, build_subjects
from ilos.subjects.summary import summary_batches
from ilos.synth import generate_world

pytestmark = pytest.mark.slow
WORLD_DATE = date(2026, 11, 1)

# Derived fact vs truth, over subjects whose records all belong to one person and hold all of them.
CHECKS = {
    "has_final_order": ("s.has_final_order", "p.has_final_order"),
    "citizenship_evidence": ("len(citizenship_evidence) > 0", "p.is_us_citizen"),
    "stay": (
        "len(stays_in_effect) > 0",
        "list_has_any(p.protections, ['stay_judicial', 'stay_administrative'])",
    ),
    "appeal_pending": ("appeal_pending", "list_contains(p.protections, 'appeal_pending')"),
    "appeal_window_open": ("appeal_window_open", "list_contains(p.protections, 'appeal_window_open')"),
    "country_protection": (
        "len(country_protections) > 0",
        "len(list_filter(p.protections, lambda x: x LIKE 'withholding:%' OR x LIKE 'cat:%')) > 0",
    ),
    "cooperating": ("cooperating", "list_contains(p.protections, 'cooperating_witness')"),
    "detained": ("detained", "p.is_detained"),
    "departed": ("departure <> 'none'", "p.departed <> 'none'"),
    "has_conviction": ("convictions > 0", "p.has_conviction"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, SubjectsBuild]:
    world = tmp_path_factory.mktemp("world")
    generate_world(world, 2000, 3)
    linkage = world / "linkage"
    link_config(world / "sources.yaml", linkage)
    return world, linkage, build_subjects(linkage, world / "sources.yaml", WORLD_DATE)


def _agreement(world: Path, linkage: Path) -> dict[str, float]:
    con = duckdb.connect()
    con.execute(
        f"""CREATE TABLE whole AS
        WITH per_subject AS (
          SELECT c.subject_id, min(t.person_id) AS person_id, count(DISTINCT t.person_id) AS persons
          FROM '{linkage}/clusters.parquet' c JOIN '{world}/truth/records.parquet' t USING (source, record_id)
          GROUP BY c.subject_id),
        per_person AS (
          SELECT t.person_id, count(DISTINCT c.subject_id) AS subjects
          FROM '{linkage}/clusters.parquet' c JOIN '{world}/truth/records.parquet' t USING (source, record_id)
          GROUP BY t.person_id)
        SELECT s.subject_id, s.person_id FROM per_subject s JOIN per_person p USING (person_id)
        WHERE s.persons = 1 AND p.subjects = 1"""
    )
    rates = {}
    for name, (derived, truth) in CHECKS.items():
        rates[name] = con.sql(
            f"SELECT avg(CASE WHEN ({derived}) = ({truth}) THEN 1.0 ELSE 0.0 END) "
            f"FROM '{linkage}/subjects.parquet' s JOIN whole w USING (subject_id) "
            f"JOIN '{world}/truth/persons.parquet' p ON p.person_id = w.person_id"
        ).fetchall()[0][0]
    return rates


def test_build_writes_subjects_timeline_and_observations(built: tuple[Path, Path, SubjectsBuild]) -> None:
    _, linkage, result = built
    assert result.subjects > 1500 and result.events > 5000 and result.observations > 30000
    for name in ("subjects.parquet", "timeline.parquet", "observations.parquet", "subjects.json"):
        assert (linkage / name).is_file()
    assert json.loads((linkage / "subjects.json").read_text())["survivorship_rules_hash"] == result.rules_hash


def test_derived_facts_agree_with_truth(built: tuple[Path, Path, SubjectsBuild]) -> None:
    world, linkage, _ = built
    rates = _agreement(world, linkage)
    print("agreement with truth:", {k: round(v, 4) for k, v in rates.items()})
    assert all(rate >= 0.97 for name, rate in rates.items() if name != "citizenship_evidence"), rates
    # US-born citizens without a birth record in any source cannot show evidence; the rest must.
    assert rates["citizenship_evidence"] >= 0.85, rates


def test_show_renders_json_with_evidence(built: tuple[Path, Path, SubjectsBuild]) -> None:
    _, linkage, _ = built
    con = duckdb.connect()
    subject_id = con.sql(
        f"SELECT subject_id FROM '{linkage}/subjects.parquet' WHERE has_final_order ORDER BY subject_id LIMIT 1"
    ).fetchall()[0][0]
    result = CliRunner().invoke(app, ["subjects", "show", str(linkage), subject_id, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["legal"]["final_order"]["evidence"], "a final order must name the events it rests on"
    assert doc["attributes"]["full_name"]["observations"][0]["source"]


def test_show_unknown_subject_is_a_clear_error(built: tuple[Path, Path, SubjectsBuild]) -> None:
    _, linkage, _ = built
    result = CliRunner().invoke(app, ["subjects", "show", str(linkage), "S-missing"])
    assert result.exit_code == 3
    assert "No subject 'S-missing'" in result.output


BUILD_FILES = (
    subjects_service.SUBJECTS_FILE,
    subjects_service.TIMELINE_FILE,
    subjects_service.OBSERVATIONS_FILE,
)


def _copy(linkage: Path, to: Path) -> Path:
    shutil.copytree(linkage, to)
    return to


def test_a_build_read_in_small_batches_writes_the_same_files(
    built: tuple[Path, Path, SubjectsBuild], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build streams the gathered rows back a batch at a time: a subject's rows split across batches
    (97 rows a batch here) still assemble into one subject, and every file holds what one pass holds."""
    world, linkage, whole = built
    copy = _copy(linkage, tmp_path / "linkage")
    monkeypatch.setattr(subjects_service, "ROWS_PER_STEP", 97)
    again = build_subjects(copy, world / "sources.yaml", WORLD_DATE)
    assert (again.subjects, again.events, again.observations, again.with_conflicts) == (
        whole.subjects, whole.events, whole.observations, whole.with_conflicts,
    )  # fmt: skip
    for name in BUILD_FILES:
        assert pq.read_table(copy / name).equals(pq.read_table(linkage / name)), name
    assert not list(copy.glob(".subjects-build-*"))  # the scratch (staged files, spill) is gone


def test_a_build_that_fails_midway_leaves_the_last_build_in_place(
    built: tuple[Path, Path, SubjectsBuild], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world, linkage, _ = built
    copy = _copy(linkage, tmp_path / "linkage")
    before = {name: (copy / name).read_bytes() for name in BUILD_FILES}

    def fails_after_one(subjects: Iterable[Any], rules: Any) -> Iterator[pa.RecordBatch]:
        yield next(summary_batches(subjects, rules))
        raise RuntimeError("the machine went away")

    monkeypatch.setattr(subjects_service, "summary_batches", fails_after_one)
    with pytest.raises(RuntimeError):
        build_subjects(copy, world / "sources.yaml", WORLD_DATE)
    assert {name: (copy / name).read_bytes() for name in BUILD_FILES} == before
    assert not list(copy.glob(".subjects-build-*"))


def test_a_missing_or_unreadable_linkage_is_a_clear_error(
    built: tuple[Path, Path, SubjectsBuild], tmp_path: Path
) -> None:
    world, linkage, _ = built
    with pytest.raises(NotFoundError, match=r"No linkage output at .*clusters\.parquet; run `ilos link"):
        build_subjects(tmp_path / "nowhere", world / "sources.yaml", WORLD_DATE)
    copy = _copy(linkage, tmp_path / "linkage")
    (copy / "links.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(InvalidInputError, match=r"links\.parquet is not a readable Parquet file"):
        build_subjects(copy, world / "sources.yaml", WORLD_DATE)
    assert not list(copy.glob(".subjects-build-*"))
