"""A row whose only fault is a value still protects its person through the batch pipeline (ingest -> link
from the lake -> subjects -> worklist): ingest once quarantined the whole row for a date of birth or an
event date that did not parse, so a stay, a certificate or a TPS grant reached no subject and no gate."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from ilos.config import Settings
from ilos.services.ingestion import ingest_config, list_quarantine
from ilos.services.linking import link_lake
from ilos.services.subjects import build_subjects
from ilos.services.worklists import build_worklist
from ilos.services.world import generate_world

pytestmark = pytest.mark.slow
WORLD_DATE = date(2026, 11, 1)


@dataclass(frozen=True, slots=True)
class Broken:
    linkage: Path
    settings: Settings
    stay: str
    certificate: str
    tps: str


def _rewrite_csv(path: Path, pick: dict[str, str], changes: dict[str, str]) -> str:
    """Make `changes` (column -> value) in the first row matching every `pick` (column -> value); its record
    id."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    row = next(r for r in rows if all(r[c] == v for c, v in pick.items()))
    row.update(changes)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), quoting=csv.QUOTE_NONNUMERIC)
        writer.writeheader()
        writer.writerows(rows)
    return next(iter(row.values()))


def _rewrite_certificate(path: Path) -> str:
    table = pq.read_table(path)
    first = pc.index(table["evidence_type"], "CERTIFICATE_OF_CITIZENSHIP").as_py()
    dates = table["issue_date"].to_pylist()
    dates[first] = "2019-02-30"
    table = table.set_column(
        table.column_names.index("issue_date"), "issue_date", pa.array(dates, pa.string())
    )
    pq.write_table(table, path)
    return str(table["evidence_id"][first])


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Broken:
    home = tmp_path_factory.mktemp("home")
    world = home / "world"
    generate_world(world, 1200, 5, None)
    # The world has no stay: the removal order's row becomes one, dated past reading.
    stay = _rewrite_csv(
        world / "court_cases.csv",
        {"REC_TYPE": "DECISION", "DECISION_CODE": "REMOVAL"},
        {"REC_TYPE": "STAY", "STAY_TYPE": "JUDICIAL", "DECISION_CODE": "", "EVENT_DATE": "02/30/2025"},
    )
    certificate = _rewrite_certificate(world / "citizenship_evidence.parquet")
    tps = _rewrite_csv(
        world / "benefit_applications.csv",
        {"benefit_kind": "TPS", "decision": "APPROVED"},
        {"app_dob": "02/30/1985"},
    )
    settings = Settings(home=home)
    report = ingest_config(world / "sources.yaml", settings)
    report.raise_for_failures()
    linkage = home / "linkage"
    link_lake(settings, world / "sources.yaml", linkage)
    build_subjects(linkage, world / "sources.yaml", WORLD_DATE, settings=settings)
    build_worklist(linkage, None, WORLD_DATE)
    return Broken(linkage, settings, stay, certificate, tps)


def _decision_of(linkage: Path, record: str) -> tuple[str, str]:
    """(status, gates) of the subject holding `record` in the worklist."""
    clusters = pq.read_table(linkage / "clusters.parquet").to_pylist()
    subject = next(r["subject_id"] for r in clusters if r["record_id"] == record)
    worklist = pq.read_table(linkage / "worklist.parquet").to_pylist()
    row = next(r for r in worklist if r["subject_id"] == subject)
    return str(row["status"]), str(row["gates"])


def test_a_stay_with_an_unreadable_date_blocks_its_subject_as_an_unrecognised_record(broken: Broken) -> None:
    status, gates = _decision_of(broken.linkage, broken.stay)
    assert status == "blocked" and "unrecognised_record" in gates


def test_a_certificate_with_an_unreadable_date_blocks_its_subject_as_an_unrecognised_record(
    broken: Broken,
) -> None:
    status, gates = _decision_of(broken.linkage, broken.certificate)
    assert status == "blocked" and "unrecognised_record" in gates


def test_a_tps_grant_with_an_unreadable_date_of_birth_keeps_protected_status(broken: Broken) -> None:
    status, gates = _decision_of(broken.linkage, broken.tps)
    assert status == "blocked" and "protected_status" in gates


def test_every_unreadable_value_is_listed_in_quarantine_with_its_record(broken: Broken) -> None:
    flagged = {
        (r.source, r.record_id, r.column, r.value)
        for r in list_quarantine(broken.settings)
        if r.scope == "value"
    }
    assert ("court_cases", broken.stay, "EVENT_DATE", "02/30/2025") in flagged
    assert ("citizenship_evidence", broken.certificate, "issue_date", "2019-02-30") in flagged
    assert ("benefit_applications", broken.tps, "app_dob", "02/30/1985") in flagged
