"""What the worker's journal adds to the linkage, as its readers see it now: a record whose subject a later
event merged into another counts in the survivor (its pairs in the survivor's identity gate, its events on
the survivor's timeline), a batch subject the worker merged keeps its records as the batch files do, and a
record a batch run has since taken in is the batch run's (its journal line is no longer read)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from ilos.definitions.policy_files import load_policy
from ilos.policy.results import CandidateMatch
from ilos.resolve import linkage
from ilos.resolve.judgements import record_judgement
from ilos.resolve.records import typed_record_key
from ilos.services.gate_inputs import load_candidates
from ilos.services.journal_events import journaled_events
from ilos.services.journal_links import journaled_links
from ilos.services.journal_records import current_subjects
from ilos.services.linking import LinkRun, link_config, review_queue
from ilos.services.realtime import JOURNAL_FILE, Worker, post_change

Row = dict[str, str | None]


def _fresh(small_linkage: LinkRun, tmp_path: Path) -> Path:
    out = tmp_path / "linkage"
    shutil.copytree(small_linkage.out_dir, out)
    return out


def _journal(out: Path) -> list[dict[str, Any]]:
    return [json.loads(t) for t in (out / JOURNAL_FILE).read_text().splitlines()]


def _subject_of(out: Path, record: str) -> str:
    clusters = pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    [subject] = [c["subject_id"] for c in clusters if f"{c['source']}|{c['record_id']}" == record]
    return str(subject)


def _bridged(out: Path, row: Row, founder: str, other: str) -> dict[str, Any]:
    """Post `row` under a new id after a reviewer judged it a match with `founder` and with `other`: the
    worker joins it to both subjects (judged pairs join first, as in batch clustering), a merge. Judgements
    make the merge certain; a row the model alone scores above the threshold with both depends on the
    world's weights."""
    bridge = f"court_cases|{row['REC_ID']}"
    record_judgement(out, bridge, founder, "match", "reviewer")
    record_judgement(out, bridge, other, "match", "reviewer")
    post_change(out, "court_cases", row)
    [done] = Worker(out).run_once()
    assert done.action == "merged", done
    return _journal(out)[-1]


def _largest_subject(out: Path, avoid: set[str]) -> tuple[str, str]:
    """The subject with the most records (none of `avoid`), and one of its records."""
    clusters = pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    sizes: dict[str, list[str]] = {}
    for c in clusters:
        sizes.setdefault(c["subject_id"], []).append(f"{c['source']}|{c['record_id']}")
    subject = max((s for s in sizes if s not in avoid), key=lambda s: (len(sizes[s]), s))
    return subject, sorted(sizes[subject])[0]


def test_a_subject_merged_away_hands_its_records_pairs_and_events_to_the_survivor(
    small_linkage: LinkRun, band: dict[str, Row], tmp_path: Path
) -> None:
    """A worker record founds X with a pair waiting for review; a later event merges X into Y. X's line
    still names X, which no subject has any more: Y's identity gate sees X's record's pair, the other side's
    gate names Y, and Y's journaled events include X's record's."""
    out = _fresh(small_linkage, tmp_path)
    post_change(out, "court_cases", band["apart"])
    [founded] = Worker(out).run_once()
    assert founded.action == "new"
    x, founder = founded.subject_id, founded.record
    pair = next(r for r in journaled_links(out, "review").to_pylist() if r["unique_id_l"] == founder)
    other = pair["unique_id_r"]
    w = _subject_of(out, other)
    y, y_record = _largest_subject(out, {w})

    merge = _bridged(out, {**band["apart"], "REC_ID": "BRIDGE-1"}, founder, y_record)

    assert (merge["subject_id"], merge["absorbed"]) == (y, [x])
    found = load_candidates(out, load_policy(), {y, w})
    probability = pair["match_probability"]
    assert CandidateMatch(w, typed_record_key(founder), typed_record_key(other), probability) in found[y]
    assert CandidateMatch(y, typed_record_key(other), typed_record_key(founder), probability) in found[w]
    assert x not in load_candidates(out, load_policy())
    events = journaled_events(out, {y})
    assert events is not None
    assert founder.split("|", 1)[1] in events["record_id"].to_pylist()
    assert set(events["subject_id"].to_pylist()) == {y}
    assert journaled_events(out, {x}) is None


def test_a_batch_subject_the_worker_merged_away_keeps_its_records(
    small_linkage: LinkRun, band: dict[str, Row], tmp_path: Path
) -> None:
    """The worker's merge of a batch subject B moves none of B's batch records (clusters.parquet, the
    subject's page and gates, its attached work keep B until a batch re-run records the merge), so a worker
    record that joined B stays in B with them rather than leave for the survivor alone."""
    out = _fresh(small_linkage, tmp_path)
    post_change(out, "court_cases", band["joined"])
    [joined] = Worker(out).run_once()
    assert joined.action == "joined"
    b = joined.subject_id
    y, y_record = _largest_subject(out, {b})

    merge = _bridged(out, {**band["joined"], "REC_ID": "BRIDGE-2"}, joined.record, y_record)

    assert (merge["subject_id"], merge["absorbed"]) == (y, [b])
    events = journaled_events(out, {b})
    assert events is not None
    assert joined.record.split("|", 1)[1] in events["record_id"].to_pylist()


def test_a_merge_chain_is_followed_to_its_survivor_but_not_past_a_batch_subject() -> None:
    lines = [
        {"subject_id": "S-b", "absorbed": ["S-x"]},  # worker-founded X into batch B
        {"subject_id": "S-z", "absorbed": ["S-w"]},  # worker-founded W into worker-founded Z ...
        {"subject_id": "S-a", "absorbed": ["S-b", "S-z"]},  # ... and B and Z into A
    ]
    assert current_subjects(lines, {"S-a", "S-b"}) == {"S-x": "S-b", "S-w": "S-a", "S-z": "S-a"}


@pytest.mark.slow
def test_a_record_a_batch_re_run_took_in_is_the_batch_runs(
    small_world: Path, small_linkage: LinkRun, band: dict[str, Row], tmp_path: Path
) -> None:
    """The worker links a record with pairs for review; then its row is added to its source's file and
    `ilos link` re-run into the same directory. The journal stays (the worker replays it over the new batch
    files), but the record and its pairs are now the batch run's: the queue lists each of its pairs once,
    as the re-run decided them, and the worker starts without linking it again."""
    out = _fresh(small_linkage, tmp_path)
    post_change(out, "court_cases", band["apart"])
    [done] = Worker(out).run_once()
    assert journaled_links(out, "review").num_rows
    world = tmp_path / "world"
    shutil.copytree(small_world, world)
    _append_row(world / "court_cases.csv", band["apart"])

    link_config(world / "sources.yaml", out)

    rerun = pq.read_table(out / linkage.REVIEW_FILE).to_pylist()
    mine = sorted(_pair(r) for r in rerun if done.record in _pair(r))
    queued = review_queue(out, 100_000).pairs.to_pylist()
    assert sorted(_pair(r) for r in queued if done.record in _pair(r)) == mine
    assert journaled_links(out).num_rows == 0
    worker = Worker(out)
    assert worker.pending() == []
    assert worker.linker.subject_of(done.record) == _subject_of(out, done.record)


def _pair(row: dict[str, Any]) -> tuple[str, str]:
    left, right = row["unique_id_l"], row["unique_id_r"]
    return (left, right) if left <= right else (right, left)


def _append_row(path: Path, row: Row) -> None:
    """The row added at the end of a CSV source file in its header's order, written as the file is (every
    value quoted, a null left empty)."""
    with path.open(encoding="utf-8", newline="") as f:
        names = next(csv.reader(f))
    values = ["" if row.get(n) is None else '"' + str(row[n]).replace('"', '""') + '"' for n in names]
    with path.open("a", encoding="utf-8", newline="") as f:
        f.write(",".join(values) + "\n")
