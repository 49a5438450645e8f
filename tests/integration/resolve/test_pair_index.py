"""One subject's candidate matches found through the pair index a server holds (`services/pair_index.py`) are
those the scans of the batch files find, with the worker's journaled records and pairs in them too; a new
run's files are indexed anew, and files the index cannot be built from leave the scans answering."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ilos.definitions.policy_files import load_policy
from ilos.policy.results import CandidateMatch
from ilos.resolve.linkage import CLUSTERS_FILE, LINKS_FILE
from ilos.services import journal_records, pair_index
from ilos.services.gate_inputs import load_candidates
from ilos.services.journal_records import batch_subjects, held_records
from ilos.services.linking import LinkRun
from ilos.services.realtime import Worker, post_change

Row = dict[str, str | None]


@pytest.fixture
def indexing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pair_index, "_ENABLED", True)
    monkeypatch.setattr(pair_index, "_INDEXES", {})


def _index(out: Path) -> pair_index.PairIndex | None:
    return pair_index.wait_for_index(out / CLUSTERS_FILE, out / LINKS_FILE)


@pytest.mark.slow
def test_each_subjects_candidates_through_the_index_are_the_scans(
    built_copy: Path, band: dict[str, Row], indexing: None
) -> None:
    out = built_copy
    post_change(out, "court_cases", band["apart"])  # a worker record with pairs in the review band
    [done] = Worker(out).run_once()
    policy = load_policy()
    every = load_candidates(out, policy)  # the every-subject read always scans
    assert len(every) >= 10 and done.subject_id in every  # the worker's pairs are candidates too
    scanned = {subject: _scanned(out, subject) for subject in sorted(every)}
    index = _index(out)
    assert index is not None and len(index.keys.values) == pq.read_metadata(out / CLUSTERS_FILE).num_rows
    for subject in sorted(every):
        indexed = load_candidates(out, policy, {subject})
        assert indexed == scanned[subject] and indexed[subject] == every[subject]
    assert load_candidates(out, policy, {"S-no-such-subject"}) == {}


def _scanned(out: Path, subject: str) -> dict[str, list[CandidateMatch]]:
    enabled, pair_index._ENABLED = pair_index._ENABLED, False
    try:
        return load_candidates(out, load_policy(), {subject})
    finally:
        pair_index._ENABLED = enabled


@pytest.mark.slow
def test_a_new_runs_files_are_indexed_anew_and_unindexable_files_are_scanned(
    small_linkage: LinkRun, indexing: None, tmp_path: Path
) -> None:
    out = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "linkage"))
    first = _index(out)
    assert first is not None
    links = pq.read_table(out / LINKS_FILE)
    pq.write_table(links.slice(0, links.num_rows // 2), tmp_path / "half.parquet")
    shutil.move(tmp_path / "half.parquet", out / LINKS_FILE)  # another version of the files
    second = _index(out)
    assert second is not None and second is not first and len(second.left) == links.num_rows // 2

    clusters = pq.read_table(out / CLUSTERS_FILE)
    pq.write_table(clusters.slice(0, 10), tmp_path / "few.parquet")  # pairs naming records it lacks
    shutil.move(tmp_path / "few.parquet", out / CLUSTERS_FILE)
    assert _index(out) is None  # failed: load_candidates scans, and the build is not tried again
    assert pair_index._INDEXES[out / CLUSTERS_FILE][1] == pair_index._FAILED
    assert pair_index.index_for(out / CLUSTERS_FILE, out / LINKS_FILE) is None
    assert pair_index._INDEXES[out / CLUSTERS_FILE][1] == pair_index._FAILED
    subject = clusters.slice(0, 1)["subject_id"][0].as_py()
    assert load_candidates(out, load_policy(), {subject}) == _scanned(out, subject)


def test_a_server_looks_records_and_subjects_up_in_clusters_through_the_index(
    small_linkage: LinkRun, tmp_path: Path, indexing: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the journal's readers ask of clusters.parquet (which records it holds and their subjects, which
    subjects are stored) is answered by the index as the scan answers it, and the scan is not run."""
    out = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "linkage"))
    clusters = pq.read_table(out / CLUSTERS_FILE).to_pylist()
    keys = [f"{c['source']}|{c['record_id']}" for c in clusters[::7]] + ["court_cases|NO-SUCH", "nosource"]
    subjects = [c["subject_id"] for c in clusters[::11]] + ["S-no-such-subject"]
    assert _index(out) is not None

    def no_scan(*_: object) -> None:
        raise AssertionError("clusters.parquet was scanned though its index is built")

    with monkeypatch.context() as scanless:
        scanless.setattr(journal_records, "_scanned", no_scan)
        indexed = held_records(out, keys), batch_subjects(out, subjects)
    journal_records._LOOKUPS.clear()
    monkeypatch.setattr(pair_index, "_ENABLED", False)
    scanned = held_records(out, keys), batch_subjects(out, subjects)
    assert indexed == scanned
    assert len(indexed[0]) == len(keys) - 2 and len(indexed[1]) == len(set(subjects)) - 1
