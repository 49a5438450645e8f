"""A running worker notices a batch run landing (`ilos link`, `ilos link add`, `ilos subjects build`) at its next
group and rebuilds its memory from the new files plus its journal, as a restart would: the records the run
added are known, a pair it split stays apart, nothing journaled is linked again, and a half-published run is
not loaded."""

from __future__ import annotations

import json
import shutil
import threading
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from ilos.definitions.sources import load_sources_config
from ilos.resolve import linkage
from ilos.resolve.incremental import IncrementalLinker
from ilos.services.linking import LinkRun, add_records, judge_pair, link_config
from ilos.services.realtime import JOURNAL_FILE, Worker, post_change
from ilos.services.source_reading import read_source_file
from ilos.services.subjects import TIMELINE_FILE, build_subjects

AS_OF = date(2026, 11, 1)
Row = dict[str, str | None]


def _court_row(world: Path, n: int) -> Row:
    config = load_sources_config(world / "sources.yaml")
    row: Row = read_source_file(config, config.source("court_cases")).slice(n, 1).to_pylist()[0]
    return row


def _newcomer(world: Path, record_id: str) -> Row:
    """A court_cases row of a person no source holds: nothing in the batch files is a candidate for it."""
    return {
        **_court_row(world, 0),
        "REC_ID": record_id, "A_NBR": "A999999901", "LAST_NAME": "QUIXWORTH", "FIRST_NAME": "ZEPHYRINE",
        "DOB": "03/04/1951", "NAT": "ICELAND",
    }  # fmt: skip


def _write_rows(world: Path, rows: list[Row], path: Path) -> Path:
    config = load_sources_config(world / "sources.yaml")
    schema = read_source_file(config, config.source("court_cases")).schema
    pcsv.write_csv(pa.Table.from_pylist(rows, schema=schema), path)
    return path


def _clusters(out: Path) -> dict[str, str]:
    rows = pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    return {f"{c['source']}|{c['record_id']}": c["subject_id"] for c in rows}


def _event_ids(out: Path) -> list[str]:
    lines = [json.loads(text) for text in (out / JOURNAL_FILE).read_text().splitlines()]
    return [line["event_id"] for line in lines]


def test_a_record_link_add_took_in_is_known_to_the_running_worker_at_its_next_group(
    small_world: Path, built_copy: Path, tmp_path: Path
) -> None:
    out = built_copy
    worker = Worker(out, AS_OF)
    early = post_change(out, "court_cases", {**_court_row(small_world, 1), "REC_ID": "EARLY-1"})
    [first] = worker.run_once()
    assert first.event_id == early

    added = _write_rows(small_world, [_newcomer(small_world, "ADDED-1")], tmp_path / "added.csv")
    add_records(out, "court_cases", added)
    later = post_change(out, "court_cases", _newcomer(small_world, "ADDED-2"))
    [done] = worker.run_once()

    assert done.event_id == later  # the inbox position stays: the earlier event is not handed out again
    assert (done.action, done.subject_id) == ("joined", _clusters(out)["court_cases|ADDED-1"])
    assert _event_ids(out) == [early, later]  # each event journaled once
    restarted = Worker(out, AS_OF)
    for record in ("court_cases|EARLY-1", "court_cases|ADDED-1", "court_cases|ADDED-2"):
        assert worker.linker.subject_of(record) == restarted.linker.subject_of(record)
    assert worker.run_once() == []


def _matched_then_split_in_a_running_worker(out: Path) -> tuple[Worker, str, str]:
    """A running worker took in a "match" and then a "no match" on a pair: it holds the two together (a
    union-find cannot split), waiting for a batch run to honour the later verdict."""
    restricted = set(IncrementalLinker(out, take_in_judgements=False).groups)
    pair = next(
        p
        for p in pq.read_table(out / linkage.REVIEW_FILE).to_pylist()
        if not p["household_conflict"] and not {p["source_l"], p["source_r"]} & restricted
    )
    left, right = pair["unique_id_l"], pair["unique_id_r"]
    worker = Worker(out, AS_OF)
    judge_pair(out, left, right, "match", "reviewer-a")
    worker.run_once()
    judge_pair(out, left, right, "no_match", "reviewer-b")
    worker.run_once()
    assert worker.linker.subject_of(left) == worker.linker.subject_of(right)
    return worker, left, right


def test_a_pair_link_add_split_stays_apart_in_the_running_worker(
    small_world: Path, built_copy: Path, tmp_path: Path
) -> None:
    out = built_copy
    worker, left, right = _matched_then_split_in_a_running_worker(out)
    journaled = _event_ids(out)

    # `ilos link add` of no rows rewrites the batch files honouring the latest verdict: the pair apart.
    add_records(out, "court_cases", _write_rows(small_world, [], tmp_path / "none.csv"))
    worker.run_once()

    batch = _clusters(out)
    assert batch[left] != batch[right]
    assert (worker.linker.subject_of(left), worker.linker.subject_of(right)) == (batch[left], batch[right])
    assert _event_ids(out) == journaled  # the reload journaled nothing again


@pytest.mark.slow
def test_a_pair_a_link_rerun_split_stays_apart_in_the_running_worker(
    small_world: Path, built_copy: Path, tmp_path: Path
) -> None:
    out = built_copy
    worker, left, right = _matched_then_split_in_a_running_worker(out)
    early = post_change(out, "court_cases", _newcomer(small_world, "EARLY-1"))
    worker.run_once()

    link_config(small_world / "sources.yaml", out)
    later = post_change(out, "court_cases", _newcomer(small_world, "LATER-1"))
    [done] = worker.run_once()

    batch = _clusters(out)
    assert batch[left] != batch[right]
    assert (worker.linker.subject_of(left), worker.linker.subject_of(right)) == (batch[left], batch[right])
    # The run did not take the worker's record in (it is in no source file): the replay links it again.
    assert (done.event_id, done.action) == (later, "joined")
    assert done.subject_id == worker.linker.subject_of("court_cases|EARLY-1")
    assert [e for e in _event_ids(out) if not e.startswith("judgement-")] == [early, later]


def test_a_subjects_build_reaches_the_running_worker(
    small_world: Path, small_linkage: LinkRun, tmp_path: Path
) -> None:
    out = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "linkage"))
    assert not (out / TIMELINE_FILE).exists()
    worker = Worker(out, AS_OF)
    record = next(iter(_clusters(out)))
    assert not worker.timeline.has_loaded(record)

    build_subjects(out, small_world / "sources.yaml", AS_OF)
    worker.run_once()

    assert worker.timeline.has_loaded(record)


def test_a_half_published_run_is_not_loaded_until_linkage_json_seals_it(
    built_copy: Path, tmp_path: Path
) -> None:
    out = built_copy
    worker = Worker(out, AS_OF)
    loaded = worker.linker
    worker.run_once()
    assert worker.linker is loaded  # nothing changed: nothing reloaded

    copied = tmp_path / "clusters.parquet"
    shutil.copyfile(out / linkage.CLUSTERS_FILE, copied)
    copied.replace(out / linkage.CLUSTERS_FILE)  # newer than linkage.json: a run still publishing
    worker.run_once()
    assert worker.linker is loaded

    # linkage.json rewritten last, as both `ilos link` and `ilos link add` write it:
    linkage.record_judgements_applied(out, linkage.judgements_applied(out))
    worker.run_once()
    assert worker.linker is not loaded


def test_a_run_publishing_while_the_worker_reloads_leaves_the_state_it_held(
    built_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = built_copy
    worker = Worker(out, AS_OF)
    loaded = worker.linker
    load = Worker._load

    def overlapped(self: Worker, journal_end: int | None = None) -> None:
        load(self, journal_end)
        copied = tmp_path / "clusters.parquet"
        shutil.copyfile(out / linkage.CLUSTERS_FILE, copied)
        copied.replace(out / linkage.CLUSTERS_FILE)  # the next run's first file lands during the read

    monkeypatch.setattr(Worker, "_load", overlapped)
    linkage.record_judgements_applied(out, linkage.judgements_applied(out))

    assert worker.reload_if_batch_changed() is False
    assert worker.linker is loaded


def test_a_worker_rebuilding_in_the_background_links_meanwhile_then_holds_what_a_restart_holds(
    small_world: Path, built_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = built_copy
    worker = Worker(out, AS_OF, rebuild_in_background=True)
    old = worker.linker
    release = threading.Event()
    load = Worker._load

    def held(self: Worker, journal_end: int | None = None) -> None:
        assert release.wait(120)
        load(self, journal_end)

    monkeypatch.setattr(Worker, "_load", held)  # the rebuild takes as long as the test says
    add_records(
        out, "court_cases", _write_rows(small_world, [_newcomer(small_world, "ADDED-1")], tmp_path / "a.csv")
    )
    during = post_change(out, "court_cases", {**_court_row(small_world, 1), "REC_ID": "DURING-1"})

    quiet = worker.rebuild_state()
    [first] = worker.run_once()  # the rebuild has begun and is not built: this state links meanwhile
    building = worker.rebuild_state()
    assert "rebuilding in the background" in str(quiet.news(building))
    later = post_change(out, "court_cases", _newcomer(small_world, "ADDED-2"))
    [second] = worker.run_once()

    assert (first.event_id, second.event_id) == (during, later) and worker.linker is old
    assert second.action == "new"  # ADDED-1 is not known to the state before the run, as during the run
    release.set()
    assert worker.wait_for_rebuild(120)
    last = post_change(out, "court_cases", {**_court_row(small_world, 2), "REC_ID": "LAST-1"})
    # Linked and journaled after the build's last round: only the look that swaps replays it.
    worker.process(next(e for e in worker.pending() if e.event_id == last))
    [completed] = worker.run_once()  # the rebuilt state is taken in at the look before the group
    assert completed.event_id == last and worker.linker is not old
    assert "rebuilt" in str(building.news(worker.rebuild_state())) and building.news(building) is None
    assert _event_ids(out) == [during, later, last]  # each event journaled once, none linked again
    restarted = Worker(out, AS_OF)
    for record in (
        "court_cases|DURING-1",
        "court_cases|ADDED-1",
        "court_cases|ADDED-2",
        "court_cases|LAST-1",
    ):
        assert worker.linker.subject_of(record) == restarted.linker.subject_of(record)
    assert worker.linker.subject_of("court_cases|ADDED-2") == _clusters(out)["court_cases|ADDED-1"]
    assert worker.journaled.keys() == restarted.journaled.keys()


def test_a_rebuild_that_fails_in_the_background_is_raised_and_later_looks_retry_in_line_while_events_wait(
    small_world: Path, built_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = built_copy
    worker = Worker(out, AS_OF, rebuild_in_background=True)
    old = worker.linker
    failing = threading.Event()

    def broken(self: Worker, journal_end: int | None = None) -> None:
        assert failing.wait(120)
        raise OSError("disk gone")

    monkeypatch.setattr(Worker, "_load", broken)
    linkage.record_judgements_applied(out, linkage.judgements_applied(out))  # a run lands
    assert worker.reload_if_batch_changed() is False  # building in the background
    failing.set()
    assert worker.wait_for_rebuild(60)
    with pytest.raises(OSError, match="disk gone"):
        worker.reload_if_batch_changed()
    assert worker.linker is old

    waiting = post_change(out, "court_cases", {**_court_row(small_world, 1), "REC_ID": "WAITS-1"})
    with pytest.raises(OSError, match="disk gone"):  # retried in line at the look: nothing is linked
        worker.run_once()
    assert [e.event_id for e in worker.pending()] == [waiting] and worker.linker is old
    monkeypatch.undo()
    assert worker.reload_if_batch_changed() is True  # in line, as the files load again
    [done] = worker.run_once()
    assert done.event_id == waiting and worker.linker is not old
