"""A "match" a later "no match" replaced on the same pair: the running worker joined the two subjects for good
(a union-find cannot split them), so the identity gate holds both until a batch run honours the later verdict;
a linker built over batch files that honour it (a worker's restart, `ilos link add`) never joins them."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from ilos.definitions.policy_files import load_policy
from ilos.definitions.sources import load_sources_config
from ilos.policy.results import GateId, GateResult
from ilos.resolve import linkage
from ilos.resolve.incremental import IncrementalLinker
from ilos.resolve.records import typed_record_key
from ilos.services.gate_inputs import GateInputs, gate_inputs, subject_gate_inputs
from ilos.services.linking import add_records, judge_pair, link_config
from ilos.services.realtime import JOURNAL_FILE, Worker
from ilos.services.source_reading import read_source_file
from ilos.services.subjects import build_subjects

AS_OF = date(2026, 11, 1)


def _clusters(out: Path) -> dict[str, str]:
    rows = pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    return {f"{c['source']}|{c['record_id']}": c["subject_id"] for c in rows}


def _joinable_pair(out: Path) -> tuple[str, str]:
    """A review pair of two batch subjects that nothing forbids joining."""
    restricted = set(IncrementalLinker(out, take_in_judgements=False).groups)
    pair = next(
        p
        for p in pq.read_table(out / linkage.REVIEW_FILE).to_pylist()
        if not p["household_conflict"] and not {p["source_l"], p["source_r"]} & restricted
    )
    return pair["unique_id_l"], pair["unique_id_r"]


def _identity(out: Path, subject_id: str) -> GateResult:
    found = subject_gate_inputs(out, subject_id, load_policy())
    return next(g for g in found.evaluate(AS_OF, load_policy()) if g.gate is GateId.IDENTITY)


def _waiting(out: Path) -> dict[str, GateInputs]:
    every = gate_inputs(out, load_policy(), AS_OF)
    return {f.subject.subject_id: f for f in every if f.disputes or f.pending_merges}


def _match_then_no_match_in_a_running_worker(out: Path) -> tuple[Worker, str, str, str, str]:
    worker = Worker(out, AS_OF)
    left, right = _joinable_pair(out)
    first, second = _clusters(out)[left], _clusters(out)[right]
    assert first != second
    judge_pair(out, left, right, "match", "reviewer-a")
    worker.run_once()
    judge_pair(out, left, right, "no_match", "reviewer-b")
    worker.run_once()
    return worker, left, right, first, second


def test_a_match_the_running_worker_took_in_holds_both_subjects_after_a_no_match_replaced_it(
    built_copy: Path, tmp_path: Path
) -> None:
    out = built_copy
    worker, left, right, first, second = _match_then_no_match_in_a_running_worker(out)

    assert worker.linker.subject_of(left) == worker.linker.subject_of(right)  # joined for good in memory
    assert [line["action"] for line in _journal(out)] == ["merged", "kept_together"]
    for one, other in ((first, second), (second, first)):
        gate = _identity(out, one)
        assert gate.blocks
        assert f"the change worker found this subject to be one person with {other}" in gate.reason
        assert {typed_record_key(left), typed_record_key(right)} <= set(gate.records or ())
    survivor = worker.linker.subject_of(left)
    assert "were judged different people by reviewer-b" in _identity(out, survivor).reason
    held = {s: {m.other_subject for m in f.pending_merges} for s, f in _waiting(out).items()}
    assert held == {first: {second}, second: {first}}


def test_a_touch_of_the_batch_files_does_not_lift_the_hold(built_copy: Path, tmp_path: Path) -> None:
    out = built_copy
    _, _, _, first, second = _match_then_no_match_in_a_running_worker(out)
    copied = tmp_path / "copied.parquet"
    shutil.copyfile(out / linkage.CLUSTERS_FILE, copied)
    copied.replace(out / linkage.CLUSTERS_FILE)  # a clusters.parquet newer than every judgement

    assert {first, second} <= set(_waiting(out))


def test_a_linker_over_batch_files_that_honour_the_no_match_keeps_the_pair_apart(
    built_copy: Path, tmp_path: Path
) -> None:
    """As a worker's restart and `ilos link add` load it, after a run that took both rows in (its clusters,
    like the batch files here, keep the pair apart): the "match" the later row replaced joins nothing."""
    out = built_copy
    _, left, right, first, second = _match_then_no_match_in_a_running_worker(out)
    summary = json.loads((out / linkage.SUMMARY_FILE).read_text())
    summary["judgements_applied"] = 2  # as a run that read both rows writes it (it left the pair apart)
    (out / linkage.SUMMARY_FILE).write_text(json.dumps(summary))

    fresh = IncrementalLinker(out)
    restarted = Worker(out, AS_OF)

    assert fresh.subject_of(left) == first and fresh.subject_of(right) == second
    assert restarted.linker.subject_of(left) == first and restarted.linker.subject_of(right) == second
    assert _waiting(out) == {}


def test_link_add_honours_the_latest_verdict_on_a_pair_and_counts_the_rows_it_took_in(
    small_world: Path, built_copy: Path, tmp_path: Path
) -> None:
    out = built_copy
    left, right = _joinable_pair(out)
    first, second = _clusters(out)[left], _clusters(out)[right]
    judge_pair(out, left, right, "match", "reviewer-a")
    judge_pair(out, left, right, "no_match", "reviewer-b")
    path = _header_only(small_world, tmp_path)

    add_records(out, "court_cases", path)

    assert (_clusters(out)[left], _clusters(out)[right]) == (first, second)
    assert json.loads((out / linkage.SUMMARY_FILE).read_text())["judgements_applied"] == 2
    assert linkage.judgements_applied(out) == 2


def test_link_add_applies_a_match_no_run_has_applied_and_lifts_its_hold(
    small_world: Path, built_copy: Path, tmp_path: Path
) -> None:
    out = built_copy
    left, right = _joinable_pair(out)
    first, second = _clusters(out)[left], _clusters(out)[right]
    judge_pair(out, left, right, "match", "reviewer-a")
    assert {first, second} <= set(_waiting(out))
    path = _header_only(small_world, tmp_path)

    add_records(out, "court_cases", path)

    assert _clusters(out)[left] == _clusters(out)[right]
    assert _waiting(out) == {}


@pytest.mark.slow
def test_a_batch_run_that_honours_the_no_match_ends_the_hold_and_a_restart_keeps_the_pair_apart(
    small_world: Path, built_copy: Path, tmp_path: Path
) -> None:
    out = built_copy
    _, left, right, first, second = _match_then_no_match_in_a_running_worker(out)
    assert {first, second} <= set(_waiting(out))

    link_config(small_world / "sources.yaml", out)
    build_subjects(out, small_world / "sources.yaml", AS_OF)

    now = _clusters(out)
    assert now[left] != now[right]
    assert linkage.judgements_applied(out) == 2
    assert _waiting(out) == {}
    restarted = Worker(out, AS_OF)  # replays the merge line over batch files that honour the no match
    assert restarted.linker.subject_of(left) == now[left] and restarted.linker.subject_of(right) == now[right]
    assert IncrementalLinker(out).subject_of(left) != IncrementalLinker(out).subject_of(right)


def _journal(out: Path) -> list[dict[str, object]]:
    return [json.loads(text) for text in (out / JOURNAL_FILE).read_text().splitlines()]


def _header_only(world: Path, tmp_path: Path) -> Path:
    """A court_cases file with no rows: `ilos link add` adds nothing and still rewrites clusters.parquet."""
    path = tmp_path / "empty.csv"
    config = load_sources_config(world / "sources.yaml")
    pcsv.write_csv(read_source_file(config, config.source("court_cases")).slice(0, 0), path)
    return path
