"""Worklists end to end on a linked synthetic world (generate -> link -> subjects -> worklist), checked
against its hidden truth: no protected person or US citizen is ever actionable."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ilos.cli.main import app
from ilos.services.linking import link_config
from ilos.services.subjects import build_subjects
from ilos.services.worklists import WorklistBuild, build_worklist, score_worklist_against_truth
from ilos.services.world import generate_world

pytestmark = pytest.mark.slow
WORLD_DATE = date(2026, 11, 1)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, WorklistBuild]:
    world = tmp_path_factory.mktemp("world")
    generate_world(world, 2000, 3, None)
    linkage = world / "linkage"
    link_config(world / "sources.yaml", linkage)
    build_subjects(linkage, world / "sources.yaml", WORLD_DATE)
    return world, linkage, build_worklist(linkage, None, WORLD_DATE)


def test_no_protected_person_or_citizen_is_actionable(built: tuple[Path, Path, WorklistBuild]) -> None:
    world, linkage, result = built
    truth = score_worklist_against_truth(linkage, world / "truth")
    assert truth.actionable_protected == 0
    assert result.by_status["actionable"] == truth.actionable > 0
    # Measured 43 of 72 (59.7%) on this world since a weak link to another subject's protective record
    # (an asylum application, citizenship evidence) also needs verification; the rest are split subjects,
    # identity checks and pending TPS. Blocking everyone would be no answer: more than half must come out.
    assert truth.removable_share > 0.5, truth


def test_decisions_cite_policy_inputs_and_explanation(built: tuple[Path, Path, WorklistBuild]) -> None:
    _, linkage, result = built
    lines = (linkage / "decisions.jsonl").read_text().splitlines()
    assert len(lines) == result.subjects
    decision = json.loads(lines[0])
    assert (
        decision["policy_hash"] and decision["inputs"] and decision["explanation"] and decision["decided_at"]
    )
    assert decision["priority"]["rule_set_hash"]
    unsettled = [json.loads(line) for line in lines if '"candidate ' in line]
    assert unsettled and all(d["status"] != "actionable" for d in unsettled)
    manifest = json.loads((linkage / "worklist.json").read_text())
    assert manifest["policy_hash"] == decision["policy_hash"]


def test_cli_export_csv_has_the_worklist_columns(
    built: tuple[Path, Path, WorklistBuild], tmp_path: Path
) -> None:
    _, linkage, _ = built
    out = tmp_path / "w.csv"
    args = ["worklist", "export", str(linkage), "--format", "csv", "--purpose", "removal_logistics"]
    result = CliRunner().invoke(
        app, [*args, "--out", str(out), "--as-of", "2026-11-01"], env={"ILOS_HOME": str(tmp_path)}
    )
    assert result.exit_code == 0, result.output
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert {"subject_id", "status", "priority", "score", "gates", "records", "location_usable"} <= set(
        rows[0]
    )
    assert all(":" in pair for r in rows for pair in r["records"].split(";"))
    assert all(r["gates"] == "" for r in rows if r["status"] == "actionable")
    assert all(r["gates"] for r in rows if r["status"] != "actionable")
    assert not any(r["location_source"].startswith("health_addresses") for r in rows)
    # Records the purpose may use nothing of are named by source, in records and gate reasons alike; the
    # decisions file keeps them, as the record of what was decided on.
    text = "".join(r["records"] + r["gate_reasons"] + r["gate_notes"] for r in rows)
    assert "tax_addresses:" not in text and "health_addresses:" not in text
    assert any("withheld:tax_addresses" in r["records"].split(";") for r in rows)
    assert "tax_addresses:" in (linkage / "decisions.jsonl").read_text()


def test_cli_policy_diff_and_apply(built: tuple[Path, Path, WorklistBuild], tmp_path: Path) -> None:
    _, linkage, _ = built
    runner, env = CliRunner(), {"ILOS_HOME": str(tmp_path)}
    diff = runner.invoke(
        app,
        ["policy", "diff", "default", "final-orders-first", str(linkage), "--as-of", "2026-11-01"],
        env=env,
    )
    assert diff.exit_code == 0, diff.output
    assert "subjects change" in diff.output and "0 status" in diff.output
    applied = runner.invoke(
        app, ["policy", "apply", "final-orders-first", "--by", "a.admin", "--reason", "pilot"], env=env
    )
    assert applied.exit_code == 0, applied.output
    record = json.loads((tmp_path / "policies" / "applied.jsonl").read_text().splitlines()[-1])
    assert (
        record["by"] == "a.admin"
        and record["reason"] == "pilot"
        and record["policy_id"] == "final-orders-first"
    )
    rebuilt = runner.invoke(app, ["worklist", "build", str(linkage), "--as-of", "2026-11-01"], env=env)
    assert rebuilt.exit_code == 0 and "final-orders-first" in rebuilt.output


def test_worklist_reads_a_supervisors_recorded_citizenship_review(
    built: tuple[Path, Path, WorklistBuild],
) -> None:
    """A review recorded with `ilos legal review record` lifts the citizenship stop at the next build, and
    only that gate: any other gate of the subject still blocks."""
    world, linkage, _ = built
    runner, env = CliRunner(), {"ILOS_HOME": str(world)}  # the linkage is ILOS_HOME/linkage
    rows = pq.read_table(linkage / "worklist.parquet").to_pylist()
    stopped = next(r for r in rows if "us_citizenship_signal" in r["gates"].split(";"))
    review = runner.invoke(
        app,
        ["legal", "review", "record", "--subject", stopped["subject_id"], "--gate", "us_citizenship_signal",
         "--decision", "cleared", "--finding", "not_this_person", "--reason", "a namesake's birth record",
         "--evidence", "birth record compared with the encounter photo"],
        env=env,
    )  # fmt: skip
    assert review.exit_code == 0, review.output
    rebuilt = runner.invoke(app, ["worklist", "build", str(linkage), "--as-of", "2026-11-01"], env=env)
    assert rebuilt.exit_code == 0, rebuilt.output
    after = next(
        r
        for r in pq.read_table(linkage / "worklist.parquet").to_pylist()
        if r["subject_id"] == stopped["subject_id"]
    )
    others = [g for g in stopped["gates"].split(";") if g != "us_citizenship_signal"]
    assert after["gates"].split(";") == others or (after["gates"] == "" and not others)
    if set(others) - {"identity_needs_verification"}:
        assert after["status"] == "blocked"
    assert "belongs to another person" in after["gate_notes"]
