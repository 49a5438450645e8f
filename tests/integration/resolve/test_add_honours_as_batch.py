"""`ilos link add` honours a reviewer's "match" made since the last run as that run's clustering would: a run
joins the two records before any scored link and keeps out a record those links would bring against a
constraint, so the add and a run on the same data end in the same subjects. The add once joined whole
subjects or nothing: a "match" between KB and KC was refused because KA, held beside KB only by scored links,
is a household conflict of KC's (and the warning blamed a "no match" or a one-record-per-entity source,
neither of which existed), while a run put KB with KC and KA apart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ilos.resolve import linkage
from ilos.resolve.judgements import Verdict, record_judgement
from ilos.services.linking import LinkRun, add_records, explain_link, link_config

Judged = tuple[tuple[str, str, Verdict], ...]

KB_IS_KC: Judged = (("crm|KB", "crm|KC", "match"),)
"""KA and KB are one subject by name and A-number; KC, of the same name and address, is a household conflict
of KA's (born five years later) but not of KB's (no date of birth)."""
CZ2_MOVES: Judged = (
    ("crm|CZ2", "registry|RZ2", "match"),
    ("crm|CZ1", "crm|CZ2", "match"),
    ("crm|CZ1", "registry|RZ2", "no_match"),
)
"""CZ1, CZ2 and RZ1 are one subject, RZ2 (registry: one record per entity, like RZ1) another: a run joins
CZ2 to RZ2 and refuses CZ1-CZ2, which would bring CZ1 beside RZ2, judged "no match"."""


def _partition(out: Path) -> set[frozenset[str]]:
    """The subjects as sets of record keys."""
    members: dict[str, set[str]] = {}
    for r in pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist():
        members.setdefault(r["subject_id"], set()).add(f"{r['source']}|{r['record_id']}")
    return {frozenset(m) for m in members.values()}


def _judged_copy(run: LinkRun, judged: Judged, out: Path) -> Path:
    shutil.copytree(run.out_dir, out)
    for left, right, verdict in judged:
        record_judgement(out, left, right, verdict, "ana")
    return out


def _new_person(world: Path, path: Path) -> Path:
    """A crm row of nobody the linkage holds: any add takes every judgement in."""
    header = (world.parent / "crm.csv").read_text().splitlines()[0]
    path.write_text(f"{header}\nN1,OTTO,NEWMAN,1999-09-09,,1 NEW RD,SPRINGFIELD,62799\n")
    return path


@pytest.mark.parametrize("judged", [KB_IS_KC, CZ2_MOVES], ids=["household_conflict", "no_match"])
def test_an_add_ends_in_the_subjects_a_run_makes_of_the_same_judgements(
    household_world: Path, household_linkage: LinkRun, judged: Judged, tmp_path: Path
) -> None:
    added = _judged_copy(household_linkage, judged, tmp_path / "added")
    ran = _judged_copy(household_linkage, judged, tmp_path / "ran")
    before = _partition(added)

    report = add_records(added, "crm", _new_person(household_world, tmp_path / "n1.csv"))
    run = link_config(household_world, ran)

    assert _partition(ran) != before  # the judgements change the subjects
    assert _partition(added) == _partition(ran) | {frozenset({"crm|N1"})}
    warned = [w for w in report.warnings if "could not be honoured" in w]
    assert len(warned) == len(run.summary.refused_matches)
    for refused in run.summary.refused_matches:
        assert refused.reason() in warned[0]


def test_an_add_that_moves_records_records_the_split(
    household_world: Path, household_linkage: LinkRun, tmp_path: Path
) -> None:
    """KA leaves the subject it shared with KB: a split the add appends to subject_events.jsonl and reports,
    as a run would, so the work on that subject can follow its records."""
    added = _judged_copy(household_linkage, KB_IS_KC, tmp_path / "added")
    subjects = {
        f"{r['source']}|{r['record_id']}": r["subject_id"]
        for r in pq.read_table(added / linkage.CLUSTERS_FILE).to_pylist()
    }

    report = add_records(added, "crm", _new_person(household_world, tmp_path / "n1.csv"))

    events = (added / linkage.SUBJECT_EVENTS_FILE).read_text().splitlines()[-2:]
    assert any('"kind": "split"' in e and '"records": ["crm|KA"]' in e for e in events)
    assert any('"kind": "merge"' in e and '"records": ["crm|KC"]' in e for e in events)
    assert report.merges == ((subjects["crm|KB"], subjects["crm|KC"]),)
    assert len(report.splits) == 1 and report.splits[0][0] == subjects["crm|KB"]


def test_explain_says_where_the_add_put_the_records(
    household_world: Path, household_linkage: LinkRun, tmp_path: Path
) -> None:
    """The stored pairs keep the decisions the run made; explain reads where the records are now, so the
    honoured "match" is not called refused (it was, with a reason that did not apply) and KA and KB, decided
    "match", are said to be in two subjects."""
    added = _judged_copy(household_linkage, KB_IS_KC, tmp_path / "added")
    add_records(added, "crm", _new_person(household_world, tmp_path / "n1.csv"))

    judged = explain_link(added, "crm:KB", "crm:KC")
    assert (
        judged.same_subject and judged.decision_meaning() == "decided by a person's verdict: in one subject"
    )
    parted = explain_link(added, "crm:KA", "crm:KB")
    assert (parted.decision, parted.same_subject) == ("match", False)
    assert parted.decision_meaning() == (
        "in two subjects: `ilos link add` moved one of them to another subject after the pair was decided match"
    )
