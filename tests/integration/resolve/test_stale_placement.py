"""A record the worker placed with its match while a batch run was running, whose match that run moved to
another subject: the run read the journal before the worker wrote the line, so it did not take the record
in, and the journal keeps the subject the record joined. Its readers see the pair the worker decided
"match" between two subjects then: neither identity is settled, and the identity gate holds both until a
person judges the pair, whichever subject a worker rebuilt over the new files would place the record in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ilos.definitions.policy_files import load_policy
from ilos.definitions.sources import load_sources_config
from ilos.resolve import linkage
from ilos.resolve.judgements import record_judgement
from ilos.services.gate_inputs import built_as_of, subject_gate_inputs
from ilos.services.journal_links import journaled_links
from ilos.services.linking import link_config
from ilos.services.realtime import JOURNAL_FILE, Worker, post_change
from ilos.services.source_reading import read_source_file
from ilos.services.subjects import build_subjects


def _members(out: Path) -> dict[str, list[str]]:
    members: dict[str, list[str]] = {}
    for c in pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist():
        members.setdefault(c["subject_id"], []).append(f"{c['source']}|{c['record_id']}")
    return members


def _held_pairs(out: Path, subject: str) -> set[tuple[str, str]]:
    found = subject_gate_inputs(out, subject, load_policy()).candidates
    return {(c.record, c.other_record) for c in found}


@pytest.mark.slow
def test_a_match_a_re_run_moved_away_holds_both_subjects_until_judged(
    small_world: Path, built_copy: Path, tmp_path: Path
) -> None:
    out = built_copy
    world = Path(shutil.copytree(small_world, tmp_path / "world"))
    config = load_sources_config(world / "sources.yaml")
    spec = config.source("court_cases")
    members = _members(out)
    subject, mine = next(
        (s, sorted(m))
        for s, m in sorted(members.items())
        if len(m) >= 3 and any(r.startswith("court_cases|") for r in m)
    )
    moved = next(r for r in mine if r.startswith("court_cases|"))
    [row] = [
        r for r in read_source_file(config, spec).to_pylist() if f"court_cases|{r[spec.record_id]}" == moved
    ]
    # The worker links a copy of the court record under a new id: it joins the subject, its pair with the
    # record it copies decided "match".
    post_change(out, "court_cases", {**row, spec.record_id: "COPY-1"})
    [done] = Worker(out).run_once()
    copy = "court_cases|COPY-1"
    assert done.subject_id == subject
    decided = {(p["unique_id_l"], p["unique_id_r"]): p["decision"] for p in journaled_links(out).to_pylist()}
    assert decided.get((copy, moved), decided.get((moved, copy))) == "match"

    # Reviewers judge the copied record a different person from the rest of its subject, and a re-run
    # (then a subjects build) moves it out; the worker's line still places the copy in the subject.
    for other in mine:
        if other != moved:
            record_judgement(out, moved, other, "no_match", "reviewer")
    # The run reads the journal before the worker writes the copy's line (the journal is set aside meanwhile).
    as_of = built_as_of(out)
    journal = out / JOURNAL_FILE
    journal.rename(tmp_path / "journal-meanwhile.jsonl")
    link_config(world / "sources.yaml", out)
    build_subjects(out, world / "sources.yaml", as_of)
    (tmp_path / "journal-meanwhile.jsonl").rename(journal)
    now = _members(out)
    [elsewhere] = [s for s, m in now.items() if moved in m]
    assert elsewhere != subject and subject in now

    pair = ("court_cases:COPY-1", moved.replace("|", ":"))
    assert pair in _held_pairs(out, subject)
    assert pair[::-1] in _held_pairs(out, elsewhere)

    record_judgement(out, copy, moved, "no_match", "reviewer")  # a person settles the pair
    assert pair not in _held_pairs(out, subject)
