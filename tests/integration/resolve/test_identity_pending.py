"""The identity gate holds a subject the stored linkage is known to get wrong until a batch run re-links it:
two of its records a reviewer judged different people (batch honours the "no match" only at its next
`ilos link`; the worker keeps them together), and two stored subjects the change worker found to be one
person (its merge moves none of their stored records). No review lifts it; the re-run does."""

from __future__ import annotations

import csv
import os
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from ilos.definitions.policy_files import load_policy
from ilos.definitions.sources import load_sources_config
from ilos.policy.decide import gates_as_shown
from ilos.policy.results import GateId, GateResult, GateReview
from ilos.resolve import linkage
from ilos.resolve.judgements import record_judgement
from ilos.resolve.records import typed_record_key
from ilos.services.access import Caller, Purpose, Role
from ilos.services.action_gates import hidden_records
from ilos.services.gate_inputs import GateInputs, gate_inputs, subject_gate_inputs
from ilos.services.journal_links import journaled_links
from ilos.services.linking import judge_pair, link_config
from ilos.services.realtime import JOURNAL_FILE, Worker, post_change
from ilos.services.record_visibility import other_records_sources
from ilos.services.source_reading import read_source_file
from ilos.services.subjects import build_subjects

Row = dict[str, str | None]
AS_OF = date(2026, 11, 1)
PLANNER = Caller("pat", frozenset({Role.logistics_planner}), Purpose.removal_logistics, "test")


def _identity(out: Path, subject_id: str, reviews: tuple[GateReview, ...] = ()) -> GateResult:
    found = subject_gate_inputs(out, subject_id, load_policy(), reviews)
    return next(g for g in found.evaluate(AS_OF, load_policy()) if g.gate is GateId.IDENTITY)


def _clusters(out: Path) -> dict[str, str]:
    rows = pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    return {f"{c['source']}|{c['record_id']}": c["subject_id"] for c in rows}


def _pair_in_one_subject(out: Path, source: str) -> tuple[str, str, str]:
    """A scored pair batch put in one subject, one record of `source` and the other of another source: the
    subject, the `source` record and the other."""
    for link in pq.read_table(out / linkage.LINKS_FILE).to_pylist():
        sides = {link["source_l"]: link["unique_id_l"], link["source_r"]: link["unique_id_r"]}
        if link["same_subject"] and source in sides and len(sides) == 2:
            mine = sides.pop(source)
            [other] = sides.values()
            return _clusters(out)[mine], mine, other
    raise AssertionError(f"no pair in one subject with a {source} record")


def _supervisor_review(subject_id: str, covers: tuple[str, ...]) -> GateReview:
    return GateReview(
        GateId.IDENTITY, subject_id, "sam", "supervisor", datetime(2026, 11, 1, 10), "cleared",
        ("passport seen",), covers=covers,
    )  # fmt: skip


def test_a_no_match_inside_a_batch_subject_holds_its_identity_gate_and_no_review_lifts_it(
    built_copy: Path, tmp_path: Path
) -> None:
    out = built_copy
    subject_id, left, right = _pair_in_one_subject(out, "court_cases")
    assert "judged different people" not in _identity(out, subject_id).reason

    made = judge_pair(out, left, right, "no-match", "reviewer-a")

    gate = _identity(out, subject_id)
    assert gate.blocks
    assert f"were judged different people by reviewer-a on {made.judged_at:%Y-%m-%d}" in gate.reason
    assert "re-run `ilos link` to split it" in gate.reason
    assert {typed_record_key(left), typed_record_key(right)} <= set(gate.records or ())
    reviewed = _identity(out, subject_id, (_supervisor_review(subject_id, gate.evidence),))
    assert reviewed.blocks and reviewed.review is None  # a person cannot vouch for a subject known wrong
    assert list(_waiting(out)) == [subject_id]  # as the worklist reads every subject


def test_a_disputed_subject_is_shown_without_a_record_the_purpose_may_not_see_and_still_blocks(
    built_copy: Path, tmp_path: Path
) -> None:
    out = built_copy
    subject_id, tax, other = _pair_in_one_subject(out, "tax_addresses")
    judge_pair(out, tax, other, "no_match", "reviewer-a")
    found = subject_gate_inputs(out, subject_id, load_policy())

    hidden = hidden_records(found, load_policy(), PLANNER, other_records_sources(out))
    [shown] = [
        g for g in gates_as_shown(found.evaluate(AS_OF, load_policy()), hidden) if g.gate is GateId.IDENTITY
    ]

    assert typed_record_key(tax) in hidden
    assert shown.blocks
    assert "withheld for this purpose (tax_addresses)" in shown.reason
    assert typed_record_key(tax) not in f"{shown.reason} {shown.evidence} {shown.records}"


def test_a_no_match_the_worker_keeps_together_holds_the_identity_gate(
    built_copy: Path, band: dict[str, Row], tmp_path: Path
) -> None:
    out = built_copy
    worker = Worker(out, AS_OF)
    post_change(out, "court_cases", band["joined"])
    [done] = worker.run_once()
    other = next(q for q in journaled_links(out).to_pylist() if q["same_subject"])["unique_id_r"]

    made = judge_pair(out, done.record, other, "no_match", "reviewer-b")
    worker.run_once()

    assert worker.linker.subject_of(done.record) == worker.linker.subject_of(other) == done.subject_id
    gate = _identity(out, done.subject_id)
    assert gate.blocks
    pair = f"{typed_record_key(made.left)} and {typed_record_key(made.right)}"
    assert f"{pair} were judged different people by reviewer-b" in gate.reason


def _bridge(out: Path, world: Path) -> tuple[tuple[str, str], tuple[str, str], Row]:
    """Two batch subjects (with a court record, without citizenship evidence: nothing forbids joining them)
    that a court_cases row posted under a new id joins, a copy of the first's court record: a reviewer
    judged it a match with a court record of each, so the worker merges them. Returns each subject with its
    judged record, and the row."""
    sides = _court_subjects(out)[:2]
    row = _court_row(world, sides[0][1], "BRIDGE-1")
    for _, record in sides:
        record_judgement(out, "court_cases|BRIDGE-1", record, "match", "reviewer-a")
    post_change(out, "court_cases", row)
    [done] = Worker(out, AS_OF).run_once()
    assert done.action == "merged", done
    return sides[0], sides[1], row


def _court_subjects(out: Path) -> list[tuple[str, str]]:
    """Batch subjects with a court record and no citizenship evidence (nothing forbids joining them), largest
    first: each with its first court record."""
    by_subject: dict[str, list[str]] = {}
    for record, subject in sorted(_clusters(out).items()):
        by_subject.setdefault(subject, []).append(record)
    joinable = sorted(
        (
            s
            for s, rs in by_subject.items()
            if not any(r.startswith("citizenship_evidence|") for r in rs)
            and any(r.startswith("court_cases|") for r in rs)
        ),
        key=lambda s: (-len(by_subject[s]), s),
    )
    return [(s, next(r for r in by_subject[s] if r.startswith("court_cases|"))) for s in joinable]


def _court_row(world: Path, record: str, new_id: str) -> Row:
    """The source row of court record `record` (`court_cases|ID`) under `new_id`."""
    config = load_sources_config(world / "sources.yaml")
    spec = config.source("court_cases")
    copied = record.split("|", 1)[1]
    [found] = [r for r in read_source_file(config, spec).to_pylist() if str(r[spec.record_id]) == copied]
    row: Row = {c: None if found.get(c) is None else str(found[c]) for c in spec.declared_schema()}
    row[spec.record_id] = new_id
    return row


def test_a_worker_merge_of_two_batch_subjects_holds_both_identity_gates(
    small_world: Path, built_copy: Path, tmp_path: Path
) -> None:
    out = built_copy

    (first, _), (second, _), _ = _bridge(out, small_world)

    for one, other in ((first, second), (second, first)):
        gate = _identity(out, one)
        assert gate.blocks
        assert f"the change worker found this subject to be one person with {other}" in gate.reason
        assert "a batch re-run (`ilos link`) must merge them" in gate.reason
        assert "court_cases:BRIDGE-1" in (gate.records or ())
        reviewed = _identity(out, one, (_supervisor_review(one, gate.evidence),))
        assert reviewed.blocks
    held = {s: {m.other_subject for m in f.pending_merges} for s, f in _waiting(out).items()}
    assert second in held[first] and first in held[second]


def test_a_match_judgement_the_worker_takes_in_between_two_batch_subjects_holds_both(
    built_copy: Path, tmp_path: Path
) -> None:
    out = built_copy
    worker = Worker(out, AS_OF)
    restricted = set(worker.linker.groups)
    pair = next(
        p
        for p in pq.read_table(out / linkage.REVIEW_FILE).to_pylist()
        if not p["household_conflict"] and not {p["source_l"], p["source_r"]} & restricted
    )
    left, right = pair["unique_id_l"], pair["unique_id_r"]
    subjects = _clusters(out)[left], _clusters(out)[right]

    judge_pair(out, left, right, "match", "reviewer-a")
    worker.run_once()

    for one, other in (subjects, subjects[::-1]):
        gate = _identity(out, one)
        assert gate.blocks
        assert f"the change worker found this subject to be one person with {other}" in gate.reason
        assert {typed_record_key(left), typed_record_key(right)} <= set(gate.records or ())


def test_a_match_judgement_no_worker_took_in_holds_both_batch_subjects_until_a_run_counts_its_row(
    built_copy: Path, tmp_path: Path
) -> None:
    """Judging the pair settles it as a candidate match, which lifted the hold the unjudged pair kept while
    the two subjects were still apart (a stay in one, actions on the other). Newer batch files lift nothing,
    nor does a run that took the row in (`judgements_applied` in linkage.json) and refused the merge: only
    the subjects becoming one, or a person's later verdict, does."""
    out = built_copy
    pair = next(
        p for p in pq.read_table(out / linkage.REVIEW_FILE).to_pylist() if not p["household_conflict"]
    )
    left, right = pair["unique_id_l"], pair["unique_id_r"]
    subjects = _clusters(out)[left], _clusters(out)[right]
    assert subjects[0] != subjects[1]
    assert all("candidate match" in _identity(out, s).reason for s in subjects)

    judge_pair(out, left, right, "match", "reviewer-a")

    for one, other in (subjects, subjects[::-1]):
        gate = _identity(out, one)
        assert gate.blocks
        assert f"reviewer-a found this subject to be one person with {other}" in gate.reason
        assert {typed_record_key(left), typed_record_key(right)} <= set(gate.records or ())
    held = {s: {m.other_subject for m in f.pending_merges} for s, f in _waiting(out).items()}
    assert held[subjects[0]] == {subjects[1]} and held[subjects[1]] == {subjects[0]}

    later = (out / linkage.CLUSTERS_FILE).stat().st_mtime + 60  # a copy or touch, no run
    os.utime(out / linkage.CLUSTERS_FILE, (later, later))
    assert set(_waiting(out)) == set(subjects)
    linkage.record_judgements_applied(out, 1)  # a run that took the row in and refused it: still apart
    for one in subjects:
        gate = _identity(out, one)
        assert gate.blocks and "a batch run refused to merge them" in gate.reason
    judge_pair(out, left, right, "no_match", "reviewer-b")  # a person settles it the other way
    linkage.record_judgements_applied(out, 2)
    assert not set(_waiting(out)) & set(subjects)


@pytest.mark.slow
def test_a_record_linked_under_a_match_a_later_no_match_undid_keeps_both_subjects_held_after_the_run(
    small_world: Path, built_copy: Path
) -> None:
    """The worker joins two batch subjects on a reviewer's "match" and links a copy of the second's court
    record into the survivor; a later "no match" on the pair, honoured by a batch run that does not hold the
    copy (it read the journal before the copy's line was written), parts them again. The copy's journal line
    still reads into the survivor, but its link to the record it copies now joins two subjects: both hold on
    that candidate until a person judges it."""
    out = built_copy
    first_record, second_record = (record for _, record in _court_subjects(out)[:2])
    record_judgement(out, first_record, second_record, "match", "reviewer-a")
    worker = Worker(out, AS_OF)
    worker.run_once()
    journal = out / JOURNAL_FILE
    before_the_copy = journal.read_bytes()
    post_change(out, "court_cases", _court_row(small_world, second_record, "COPY-1"))
    [copied] = worker.run_once()
    record_judgement(out, first_record, second_record, "no_match", "reviewer-b")
    worker.run_once()

    written_meanwhile = journal.read_bytes()
    journal.write_bytes(before_the_copy)  # the journal as the run reads it
    link_config(small_world / "sources.yaml", out)
    journal.write_bytes(written_meanwhile)

    now = _clusters(out)
    assert now[first_record] != now[second_record]
    assert "court_cases|COPY-1" not in now
    copy = typed_record_key("court_cases|COPY-1")
    sides = now[first_record], now[second_record]
    for one, other in (sides, sides[::-1]):
        gate = _identity(out, one)
        assert gate.blocks and "unjudged candidate match" in gate.reason
        assert copy in (gate.records or ())
        assert any(f"({other}, p=" in e for e in gate.evidence if e.startswith("candidate "))
    assert copied.subject_id in (now[first_record], now[second_record])


@pytest.mark.slow
def test_a_batch_re_run_that_splits_and_merges_lifts_what_waited_for_it(
    small_world: Path, built_copy: Path, tmp_path: Path
) -> None:
    """The re-run takes in the worker's bridging record (its row added to the source file) and the
    judgements: it decides the bridged records' subject itself (one subject) and splits the disputed one, and
    nothing waits for it any more."""
    out = built_copy
    (first, first_record), (second, second_record), row = _bridge(out, small_world)
    disputed, left, right = _pair_in_one_subject(out, "tax_addresses")
    judge_pair(out, left, right, "no_match", "reviewer-a")
    before = _waiting(out)
    assert {first, second} <= set(before) and disputed in before
    world = tmp_path / "world"
    shutil.copytree(small_world, world)
    _append_row(world / "court_cases.csv", row)

    link_config(world / "sources.yaml", out)

    now = _clusters(out)
    assert now[first_record] == now[second_record] == now["court_cases|BRIDGE-1"]
    assert now[left] != now[right]
    build_subjects(out, world / "sources.yaml", AS_OF)
    assert _waiting(out) == {}
    assert "batch re-run" not in _identity(out, now["court_cases|BRIDGE-1"]).reason
    assert "judged different people" not in _identity(out, now[left]).reason


def _waiting(out: Path) -> dict[str, GateInputs]:
    """The subjects whose gate inputs (as the worklist reads them all) hold a dispute or a pending merge."""
    every = gate_inputs(out, load_policy(), AS_OF)
    return {f.subject.subject_id: f for f in every if f.disputes or f.pending_merges}


def _append_row(path: Path, row: dict[str, Any]) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        names = next(csv.reader(f))
    values = ["" if row.get(n) is None else '"' + str(row[n]).replace('"', '""') + '"' for n in names]
    with path.open("a", encoding="utf-8", newline="") as f:
        f.write(",".join(values) + "\n")
