"""A reviewer's "match" that clustering cannot honour is never dropped silently: `ilos link` names it (a
warning, linkage.json, report.md), and so does `ilos link add`, for a judgement it takes in as it loads and
for one that waited for a record it links. A batch run once counted it only among the anonymous
`cannot_link` refusals, and an add said nothing of a judgement that waited for its record: either way a
"match" ended in two subjects with nothing said but by `explain` on that exact pair."""

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
from ilos.services.linking import LinkRun, add_records, explain_link, explain_record


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
    said = f"not honoured: the two records are in two subjects ({refused.reason()})"  # as the run recorded it
    assert explain_link(out, "crm:CZ1", "crm:CZ2").decision_meaning() == f"judged match, but {said}"
    assert [a.meaning() for a in explain_record(out, "crm:CZ1").judged_apart] == [said]


def _registry_row_as(world: Path, record_id: str, new_id: str, path: Path) -> Path:
    """A CSV of the registry's header and one of its rows under a new id."""
    header, *rows = (world.parent / "registry.csv").read_text().splitlines()
    row = next(r for r in rows if r.startswith(f"{record_id},"))
    path.write_text(f"{header}\n{new_id}{row.removeprefix(record_id)}\n")
    return path


def test_an_add_names_a_match_that_waited_for_the_record_it_links(
    household_world: Path, household_linkage: LinkRun, tmp_path: Path
) -> None:
    """A "match" between crm CZ1 and a registry record not linked yet waits for it; linked, it cannot join
    CZ1's subject, which holds registry RZ1 (one record per entity)."""
    out = _copy(household_linkage, tmp_path)
    record_judgement(out, "crm|CZ1", "registry|RZ3", "match", "ana")
    new = _registry_row_as(household_world, "RZ1", "RZ3", tmp_path / "rz3.csv")

    report = add_records(out, "registry", new)

    refused = RefusedMatch("crm|CZ1", "registry|RZ3", "one_record_per_entity", whole_subjects=True)
    assert [w for w in report.warnings if "could not be honoured" in w] == [
        '1 "match" judgement(s) could not be honoured, so their records stay in two subjects '
        f"(crm:CZ1 and registry:RZ3: {refused.reason()}); `ilos link explain` shows each pair"
    ]
    subjects = _subjects(out)
    assert subjects["crm|CZ1"] == subjects["registry|RZ1"] != subjects["registry|RZ3"]
