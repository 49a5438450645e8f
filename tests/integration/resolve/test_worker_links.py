"""The pairs the near-real-time worker scores are kept with each event in its journal: a pair in the uncertain
band waits in the review queue like a batch pair, explains from its stored weights, can be judged, and the
judgement holds after a restart; replaying the journal changes none of it, and the worker keeps no edges.
A judgement reaches a running worker at its next look, and a restart takes each judgement in where the
journal says the running worker did."""

from __future__ import annotations

import gc
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ilos.cli.main import app
from ilos.config import Settings
from ilos.definitions.policy_files import load_policy
from ilos.definitions.sources import load_sources_config
from ilos.policy.results import CandidateMatch
from ilos.resolve import linkage
from ilos.resolve.incremental import ScoredEdge, links_schema
from ilos.resolve.records import typed_record_key
from ilos.services import change_inbox, match_review
from ilos.services.access import Caller, Purpose, Role
from ilos.services.gate_inputs import load_candidates
from ilos.services.journal_links import journaled_links
from ilos.services.linking import LinkRun, explain_link, judge_pair, review_queue
from ilos.services.realtime import JOURNAL_FILE, Worker, post_change
from ilos.services.store_access import Store, open_store
from ilos.services.web_history import history_in
from ilos.standardize.record import standardized_row

Row = dict[str, str | None]


def _fresh(small_linkage: LinkRun, tmp_path: Path) -> Path:
    out = tmp_path / "linkage"
    shutil.copytree(small_linkage.out_dir, out)
    return out


def _linked(out: Path, row: Row) -> tuple[str, list[dict[str, Any]]]:
    """Post the row, let a worker link it; its record and its journaled pairs decided "review"."""
    post_change(out, "court_cases", row)
    [done] = Worker(out).run_once()
    queued = [r for r in journaled_links(out, "review").to_pylist() if r["unique_id_l"] == done.record]
    assert queued, f"{done.record} left no pair for review"
    return done.record, queued


def _no_second_read(*_: object) -> None:
    raise AssertionError("the file inbox parsed the journal again for its done ids")


def _queue(out: Path, unsure: bool = False) -> set[tuple[str, str]]:
    pairs = review_queue(out, 100_000, unsure).pairs
    return set(zip(pairs["unique_id_l"].to_pylist(), pairs["unique_id_r"].to_pylist(), strict=True))


def test_a_pair_the_worker_scored_in_the_band_waits_for_review_and_explains(
    small_linkage: LinkRun, band: dict[str, Row], tmp_path: Path
) -> None:
    out = _fresh(small_linkage, tmp_path)
    before = review_queue(out, 1).waiting
    record, queued = _linked(out, band["apart"])

    assert {(q["unique_id_l"], q["unique_id_r"]) for q in queued} <= _queue(out)
    assert review_queue(out, 1).waiting == before + len(queued)
    stored = queued[0]
    explained = explain_link(out, stored["unique_id_r"].replace("|", ":"), record.replace("|", ":"))
    assert (explained.decision, explained.same_subject) == ("review", False)
    assert explained.match_weight == stored["match_weight"]
    assert explained.match_probability == stored["match_probability"]
    assert sum(line.weight for line in explained.lines()) == pytest.approx(stored["match_weight"], abs=1e-9)
    assert explained.unstored_tf == 0.0
    lines, total = explained.lines_in_hundredths()
    assert sum(shown for _, shown in lines) == total == round(stored["match_weight"] * 100)
    source, record_id = record.split("|", 1)
    shouted = explain_link(out, f"{source.upper()}:{record_id}", stored["unique_id_r"])
    assert (shouted.left, shouted.right) == (record, stored["unique_id_r"])
    printed = CliRunner().invoke(app, ["link", "explain", str(out), record, stored["unique_id_r"]])
    assert printed.exit_code == 0, printed.output
    assert "decision review" in printed.output
    listed = CliRunner().invoke(app, ["link", "review", str(out), "--format", "csv", "--limit", "100000"])
    assert f"{typed_record_key(record)},{typed_record_key(stored['unique_id_r'])}" in listed.output


def test_a_worker_record_whose_id_starts_with_a_space_explains_as_typed(
    small_linkage: LinkRun, band: dict[str, Row], tmp_path: Path
) -> None:
    """The journal's record " BAND-0" is found as `explain` reads the typed key: the id kept as written,
    spaces inside the argument's own ends included (looking it up trimmed found nothing)."""
    out = _fresh(small_linkage, tmp_path)
    spec = load_sources_config(out / "sources.yaml").source("court_cases")
    row = band["apart"]
    spaced = {**row, spec.record_id: f" {row[spec.record_id]}"}
    record, queued = _linked(out, spaced)
    assert record == f"court_cases| {row[spec.record_id]}"
    explained = explain_link(out, f"court_cases: {row[spec.record_id]}", queued[0]["unique_id_r"])
    assert (explained.left, explained.decision) == (record, "review")


def test_replaying_the_journal_gives_the_same_queue_and_writes_nothing(
    small_linkage: LinkRun, band: dict[str, Row], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _fresh(small_linkage, tmp_path)
    _linked(out, band["apart"])
    post_change(out, "court_cases", {**band["joined"], "REC_ID": "BAND-SECOND"})
    Worker(out).run_once()
    queue, journal = _queue(out), (out / JOURNAL_FILE).read_bytes()

    restarted = Worker(out)  # replays both events

    with monkeypatch.context() as patched:  # the inbox takes its done ids from the replay: no second read
        patched.setattr(change_inbox, "event_lines", _no_second_read)
        assert restarted.pending() == []
    assert (out / JOURNAL_FILE).read_bytes() == journal
    assert _queue(out) == queue
    stored = journaled_links(out)
    pairs = zip(stored["unique_id_l"].to_pylist(), stored["unique_id_r"].to_pylist(), strict=True)
    assert stored.num_rows == len(set(pairs))  # each scored pair once


def test_judging_a_worker_pair_unsure_holds_it_out_of_the_queue_undecided(
    small_linkage: LinkRun, band: dict[str, Row], tmp_path: Path
) -> None:
    out = _fresh(small_linkage, tmp_path)
    _, queued = _linked(out, band["apart"])
    pair = (queued[0]["unique_id_l"], queued[0]["unique_id_r"])

    judge_pair(out, *pair, "unsure", "reviewer-a")

    assert pair not in _queue(out)
    assert pair in _queue(out, unsure=True)
    restarted = Worker(out)
    assert restarted.linker.subject_of(pair[0]) != restarted.linker.subject_of(pair[1])


def test_a_no_match_on_a_pair_the_worker_merged_is_journaled_and_kept_together_until_the_next_link_run(
    small_linkage: LinkRun, band: dict[str, Row], tmp_path: Path
) -> None:
    """A union-find cannot split a subject: the worker keeps the pair together, as its journal says, and
    says it waits for `ilos link` (which clusters with the "no match" as a cannot-link); a restart holds
    the same, rather than a memory the journal's readers do not see."""
    out = _fresh(small_linkage, tmp_path)
    worker = Worker(out)
    post_change(out, "court_cases", band["joined"])
    [done] = worker.run_once()
    record = done.record
    merged = next(q for q in journaled_links(out).to_pylist() if q["same_subject"])
    other = merged["unique_id_r"]

    made = judge_pair(out, record.replace("|", ":"), other.replace("|", ":"), "no-match", "reviewer-a")
    assert worker.run_once() == []

    assert (made.left, made.right) == tuple(sorted((record, other)))
    assert (record, other) not in _queue(out)
    assert explain_link(out, record, other).judgement == made
    assert worker.linker.subject_of(record) == worker.linker.subject_of(other) == done.subject_id
    line = _journal(out)[-1]
    assert line["judgement"]["verdict"] == "no_match"
    assert (line["action"], line["subject_id"], line["absorbed"]) == ("kept_together", done.subject_id, [])
    shown = history_in(out, done.subject_id, _all_shown)
    [waits] = [h for h in shown if h.change == "judged apart"]
    assert "until the next `ilos link` run" in waits.summary
    journal = (out / JOURNAL_FILE).read_bytes()
    restarted = Worker(out)
    assert _in_memory(restarted) == _in_memory(worker) == _as_journaled(out)
    assert (out / JOURNAL_FILE).read_bytes() == journal  # taken in once: the restart writes no line


def test_a_match_judgement_on_a_pair_the_worker_left_apart_joins_it_after_a_restart(
    small_linkage: LinkRun, band: dict[str, Row], tmp_path: Path
) -> None:
    out = _fresh(small_linkage, tmp_path)
    record, queued = _linked(out, band["apart"])
    other = queued[0]["unique_id_r"]

    judge_pair(out, record, other, "match", "reviewer-a")

    restarted = Worker(out)
    assert restarted.linker.subject_of(record) == restarted.linker.subject_of(other)


def test_a_match_judged_while_the_worker_runs_joins_the_subjects_at_its_next_look(
    small_linkage: LinkRun, band: dict[str, Row], tmp_path: Path
) -> None:
    out = _fresh(small_linkage, tmp_path)
    worker = Worker(out)
    post_change(out, "court_cases", band["apart"])
    [done] = worker.run_once()
    other = next(r for r in journaled_links(out, "review").to_pylist())["unique_id_r"]
    apart = worker.linker.subject_of(other)

    judge_pair(out, done.record, other, "match", "reviewer-a")
    assert worker.run_once() == []  # no event waits: the judgements are looked at all the same

    joined = worker.linker.subject_of(done.record)
    assert worker.linker.subject_of(other) == joined
    line = _journal(out)[-1]
    assert (line["judgement"]["verdict"], line["action"], line["subject_id"]) == ("match", "merged", joined)
    assert {joined, *line["absorbed"]} == {done.subject_id, apart}
    assert _as_journaled(out) == _in_memory(worker)
    [lost] = line["absorbed"]
    [kept] = [h for h in history_in(out, joined, _all_shown) if h.run.startswith("a reviewer's judgement")]
    assert (kept.change, kept.subjects) == ("joined", (lost,))
    assert kept.summary.startswith("merge: a reviewer judged a pair one person")
    [gone] = [h for h in history_in(out, lost, _all_shown) if h.run.startswith("a reviewer's judgement")]
    assert (gone.change, gone.subjects) == ("merged into another subject", (joined,))
    assert Worker(out).linker.subject_of(done.record) == joined
    assert len(_journal(out)) == 2  # the restart took the judgement in where the journal says, once


def test_a_match_judged_since_the_batch_run_joins_two_batch_subjects_in_a_running_worker(
    small_linkage: LinkRun, tmp_path: Path
) -> None:
    out = _fresh(small_linkage, tmp_path)
    worker = Worker(out)
    restricted = set(worker.linker.groups)  # one record per person: two of them never join
    pair = next(
        p
        for p in pq.read_table(out / linkage.REVIEW_FILE).to_pylist()
        if not p["household_conflict"] and not {p["source_l"], p["source_r"]} & restricted
    )
    left, right = pair["unique_id_l"], pair["unique_id_r"]
    assert worker.linker.subject_of(left) != worker.linker.subject_of(right)

    judge_pair(out, left, right, "match", "reviewer-a")
    worker.run_once()

    assert worker.linker.subject_of(left) == worker.linker.subject_of(right)
    [line] = _journal(out)
    assert (line["action"], line["subject_id"]) == ("merged", worker.linker.subject_of(left))
    assert _as_journaled(out) == _in_memory(worker) == _in_memory(Worker(out))


@pytest.mark.parametrize("counted", [True, False], ids=["line-counts-judgements", "line-before-counts"])
def test_replaying_a_line_written_before_a_judgement_gives_its_journaled_outcome(
    small_linkage: LinkRun, band: dict[str, Row], tmp_path: Path, counted: bool
) -> None:
    """The judgement made after the line (the worker was down) is taken in after it, as a running worker
    would have taken it in, and journaled; a line from before lines counted judgements is placed by its
    processing time."""
    out = _fresh(small_linkage, tmp_path)
    post_change(out, "court_cases", band["apart"])
    [done] = Worker(out).run_once()
    other = next(r for r in journaled_links(out, "review").to_pylist())["unique_id_r"]
    if not counted:
        [line] = _journal(out)
        uncounted = {k: v for k, v in line.items() if k != "judgements_seen"}
        (out / JOURNAL_FILE).write_text(json.dumps(uncounted) + "\n")
    judge_pair(out, done.record, other, "match", "reviewer-a")

    restarted = Worker(out)

    first, merge = _journal(out)
    assert (first["subject_id"], first["action"]) == (done.subject_id, "new")
    assert merge["action"] == "merged"
    assert done.subject_id in {merge["subject_id"], *merge["absorbed"]}
    assert _as_journaled(out) == _in_memory(restarted)
    assert restarted.linker.subject_of(done.record) == restarted.linker.subject_of(other)


def _all_shown(record: str) -> bool:
    return True


def _journal(out: Path) -> list[dict[str, Any]]:
    return [json.loads(text) for text in (out / JOURNAL_FILE).read_text().splitlines()]


def _as_journaled(out: Path) -> dict[str, str]:
    """Every record's subject as the worker's memory must hold it, rebuilt from the batch clusters and the
    journal alone: a line's record is in its `subject_id`, and every record of a subject it `absorbed`, batch
    records too, continues in that one. The journal's readers differ there on purpose: they leave a batch
    subject's batch records in it until a batch run records the merge (`journal_records.current_subjects`
    stops at batch subjects), and the identity gate holds both meanwhile (`identity_pending`)."""
    clusters = pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    subject_of = {f"{c['source']}|{c['record_id']}": c["subject_id"] for c in clusters}
    for line in _journal(out):
        lost = set(line["absorbed"])
        subject_of = {r: line["subject_id"] if s in lost else s for r, s in subject_of.items()}
        if "record" in line:
            subject_of[line["record"]] = line["subject_id"]
    return subject_of


def _in_memory(worker: Worker) -> dict[str, str]:
    table = worker.linker.clusters_table().to_pylist()
    return {f"{c['source']}|{c['record_id']}": c["subject_id"] for c in table}


def test_the_worker_keeps_no_scored_edge_after_journaling_them(
    small_linkage: LinkRun, band: dict[str, Row], tmp_path: Path
) -> None:
    """The edges of an event are in its journal line; the linker does not collect them event after event."""
    out = _fresh(small_linkage, tmp_path)
    worker = Worker(out)
    for i in range(12):
        post_change(out, "court_cases", {**band["joined"], "REC_ID": f"MANY-{i}"})
    processed = worker.run_once()

    assert len(processed) == 12
    assert journaled_links(out).num_rows >= 12
    gc.collect()
    assert sum(isinstance(o, ScoredEdge) for o in gc.get_objects()) == 0


def test_link_rows_have_the_columns_of_the_batch_links(small_linkage: LinkRun) -> None:
    batch = pq.read_schema(small_linkage.out_dir / linkage.LINKS_FILE)
    assert links_schema().names == batch.names
    assert [f.type for f in links_schema()] == [f.type for f in batch]


@pytest.fixture
def store(tmp_path: Path, db_url: str) -> Iterator[Store]:
    settings = Settings(
        home=tmp_path, database_url=db_url, environment="test", secret_key="test-secret-key-0123456789"
    )
    opened = open_store(settings)
    yield opened
    opened.close()


def test_the_review_page_shows_a_worker_pair_with_the_record_standardized_as_it_was_linked(
    small_world: Path, small_linkage: LinkRun, band: dict[str, Row], tmp_path: Path, store: Store
) -> None:
    out = _fresh(small_linkage, tmp_path)  # ILOS_HOME/linkage: the pages' linkage
    queued = pq.read_table(out / linkage.REVIEW_FILE)
    pq.write_table(queued.slice(0, 0), out / linkage.REVIEW_FILE)  # the batch queue is empty
    record, pairs = _linked(out, band["apart"])
    steward = Caller("steward", frozenset({Role.data_steward}), Purpose.data_quality, "test")

    page = match_review.review_page(store, steward)

    assert page.waiting == len(pairs)
    assert page.pair is not None
    sides = {page.pair.left.key: page.pair.left, page.pair.right.key: page.pair.right}
    assert record in sides
    spec = load_sources_config(small_world / "sources.yaml").source("court_cases")
    linked = standardized_row(spec, band["apart"])
    shown = dict(sides[record].values)
    assert shown and all(shown[f] == str(linked[f]) for f in shown if f != "date_of_birth")
    assert shown.get("date_of_birth") == (linked["date_of_birth"] and linked["date_of_birth"].isoformat())


def test_a_journal_written_before_lines_held_pairs_replays_and_queues_none(
    small_linkage: LinkRun, band: dict[str, Row], tmp_path: Path
) -> None:
    out = _fresh(small_linkage, tmp_path)
    record, _ = _linked(out, band["apart"])
    [line] = [json.loads(text) for text in (out / JOURNAL_FILE).read_text().splitlines()]
    (out / JOURNAL_FILE).write_text(json.dumps({k: v for k, v in line.items() if k != "links"}) + "\n")

    assert Worker(out).linker.subject_of(record) == line["subject_id"]
    assert journaled_links(out).num_rows == 0
    assert not {pair for pair in _queue(out) if record in pair}


def test_a_pair_the_worker_left_for_review_makes_both_subjects_candidates_for_policy(
    small_linkage: LinkRun, band: dict[str, Row], tmp_path: Path
) -> None:
    """Until a person judges it, a band pair the worker scored unsettles both identities, as a batch pair
    does: each subject's gates see the other as a candidate match."""
    out = _fresh(small_linkage, tmp_path)
    record, queued = _linked(out, band["apart"])
    stored = queued[0]
    other = stored["unique_id_r"]
    clusters = pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    [other_subject] = [c["subject_id"] for c in clusters if f"{c['source']}|{c['record_id']}" == other]
    mine = _journaled_subject(out, record)
    found = load_candidates(out, load_policy(), {other_subject})
    assert (
        CandidateMatch(mine, typed_record_key(other), typed_record_key(record), stored["match_probability"])
        in found[other_subject]
    )
    assert any(c.other_subject == other_subject and c.record == typed_record_key(record) for c in found[mine])
    judge_pair(out, record, other, "unsure", "reviewer")  # settles nothing
    assert load_candidates(out, load_policy(), {other_subject}) == found
    judge_pair(out, record, other, "no_match", "reviewer")  # settled: neither identity waits on it
    settled = load_candidates(out, load_policy(), {other_subject, mine})
    pair = {typed_record_key(record), typed_record_key(other)}
    assert not [c for cs in settled.values() for c in cs if {c.record, c.other_record} == pair]


def _journaled_subject(out: Path, record: str) -> str:
    [line] = [json.loads(t) for t in (out / JOURNAL_FILE).read_text().splitlines() if record in t]
    return str(line["subject_id"])
