"""A batch re-run takes in the records the change worker linked into the directory (`services/journal_rows.py`):
`ilos link` links them with every other record, a subject the worker founded keeps its id, the journal's
readers take their subjects and pairs from the batch files, a restarted worker does not link them again, and
`ilos subjects build` builds their events, which then count once, from the timeline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ilos.services.gate_inputs import built_as_of
from ilos.services.journal_events import journaled_events
from ilos.services.journal_links import journaled_links
from ilos.services.journal_records import read_journal
from ilos.services.linking import LinkRun, link_config
from ilos.services.realtime import Worker, post_change
from ilos.services.subjects import TIMELINE_FILE, build_subjects

Row = dict[str, str | None]


def _clusters(out: Path) -> dict[str, str]:
    table = pq.read_table(out / "clusters.parquet").to_pylist()
    return {f"{c['source']}|{c['record_id']}": c["subject_id"] for c in table}


def _timeline_records(out: Path) -> set[str]:
    table = pq.read_table(out / TIMELINE_FILE, columns=["source", "record_id"]).to_pylist()
    return {f"{t['source']}|{t['record_id']}" for t in table}


@pytest.mark.slow
def test_a_re_run_links_the_workers_records_and_the_build_builds_their_events(
    small_world: Path, built_copy: Path, band: dict[str, Row]
) -> None:
    out = built_copy
    post_change(out, "court_cases", band["apart"])  # founds a subject of its own, pairs waiting for review
    [done] = Worker(out).run_once()
    assert done.action == "new" and done.record not in _clusters(out)
    assert journaled_links(out, "review").num_rows
    assert done.record not in _timeline_records(out)
    assert journaled_events(out, {done.subject_id}) is not None  # its events read from its line

    rerun: LinkRun = link_config(small_world / "sources.yaml", out)

    assert rerun.journaled_records == 1
    clusters = _clusters(out)
    assert clusters[done.record] == done.subject_id  # the worker's subject keeps its id
    assert len(clusters) == rerun.summary.records
    assert read_journal(out).lines == ()  # its line is held: subject and pairs are the batch run's
    assert journaled_links(out).num_rows == 0
    worker = Worker(out)
    assert worker.pending() == []
    assert worker.linker.subject_of(done.record) == done.subject_id

    build_subjects(out, small_world / "sources.yaml", built_as_of(out))
    assert done.record in _timeline_records(out)  # its events are built ...
    assert journaled_events(out) is None  # ... and no longer read from its line: they count once


@pytest.mark.slow
def test_a_row_added_to_its_sources_file_since_is_the_files(
    small_world: Path, built_copy: Path, band: dict[str, Row], tmp_path: Path
) -> None:
    out = built_copy
    post_change(out, "court_cases", band["joined"])
    [done] = Worker(out).run_once()
    world = Path(shutil.copytree(small_world, tmp_path / "world"))
    edited = {**band["joined"], "FIRST_NAME": "CHANGED"}
    with (world / "court_cases.csv").open(encoding="utf-8") as f:
        header = f.readline().strip().split(",")
    names = [h.strip('"') for h in header]
    values = ["" if edited.get(n) is None else '"' + str(edited[n]) + '"' for n in names]
    with (world / "court_cases.csv").open("a", encoding="utf-8") as f:
        f.write(",".join(values) + "\n")

    rerun = link_config(world / "sources.yaml", out)

    assert rerun.journaled_records == 0  # the file holds the record: one row of it, the file's
    records = pq.read_table(out / "records.parquet").to_pylist()
    [mine] = [r for r in records if f"{r['source']}|{r['record_id']}" == done.record]
    assert str(mine["given_name"]).upper() == "CHANGED"
