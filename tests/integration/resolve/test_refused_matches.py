"""A reviewer's "match" that clustering cannot honour is never dropped silently: `ilos link` names it (a
warning, linkage.json, report.md), as `ilos link add` does. A batch run once counted it only among the
anonymous `cannot_link` refusals, so a "match" ended in two subjects with nothing said but by `explain` on
that exact pair."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from ilos.cli.main import app
from ilos.resolve import linkage
from ilos.resolve.judgements import record_judgement
from ilos.resolve.verdict_effect import RefusedMatch
from ilos.services.linking import LinkRun


def _subjects(out: Path) -> dict[str, str]:
    table = pq.read_table(out / linkage.CLUSTERS_FILE)
    return {f"{r['source']}|{r['record_id']}": r["subject_id"] for r in table.to_pylist()}


def _copy(run: LinkRun, tmp_path: Path) -> Path:
    return Path(shutil.copytree(run.out_dir, tmp_path / "linkage"))


def test_a_run_names_a_match_a_no_match_keeps_apart(
    household_world: Path, household_linkage: LinkRun, tmp_path: Path
) -> None:
    """CZ2-RZ2 "match" joins first; CZ1-CZ2 "match" would bring CZ1 beside RZ2, judged "no match"."""
    out = _copy(household_linkage, tmp_path)
    record_judgement(out, "crm|CZ2", "registry|RZ2", "match", "ana")
    record_judgement(out, "crm|CZ1", "crm|CZ2", "match", "ana")
    record_judgement(out, "crm|CZ1", "registry|RZ2", "no_match", "ana")

    result = CliRunner().invoke(app, ["link", str(household_world), "--out", str(out)])

    assert result.exit_code == 0, result.output
    refused = RefusedMatch("crm|CZ1", "crm|CZ2", "cannot_link")
    subjects = _subjects(out)
    assert subjects["crm|CZ1"] != subjects["crm|CZ2"]
    assert subjects["crm|CZ2"] == subjects["registry|RZ2"]
    said = " ".join(result.output.split())
    assert '1 "match" judgement(s) could not be honoured' in said
    assert f"crm:CZ1 and crm:CZ2: {refused.reason()}" in said
    summary = json.loads((out / linkage.SUMMARY_FILE).read_text())
    assert summary["refused_matches"] == [
        {"left": "crm|CZ1", "right": "crm|CZ2", "refusal": "cannot_link", "whole_subjects": False}
    ]
    report = (out / "report.md").read_text()
    assert 'reviewers\' "match" judgements not honoured: 1' in report
    assert f"| crm:CZ1 | crm:CZ2 | {refused.reason()} |" in report
