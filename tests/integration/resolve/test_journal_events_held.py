"""A stay posted through the worker counts in its subject's gates until the subjects build holds its events:
`ilos link add` (or an `ilos link` re-run) that takes in the worker's record decides its subject and pairs,
but its events reach timeline.parquet only with `ilos subjects build`, and only when the build read its row."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from ilos.definitions.policy_files import load_policy
from ilos.resolve import linkage
from ilos.services.gate_inputs import subject_gate_inputs
from ilos.services.journal_events import journaled_events
from ilos.services.journal_links import journaled_links
from ilos.services.linking import LinkRun, add_records
from ilos.services.realtime import Worker, post_change
from ilos.services.subjects import TIMELINE_FILE, build_subjects

AS_OF = date(2026, 11, 1)
STAY_ID = "RT-STAY-HELD"
Row = dict[str, str | None]


@pytest.fixture(scope="module")
def built(small_world: Path, small_linkage: LinkRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("held") / "linkage"
    shutil.copytree(small_linkage.out_dir, out)
    build_subjects(out, small_world / "sources.yaml", as_of=AS_OF)
    return out


def _stay_posted(built: Path, tmp_path: Path, world: Path) -> tuple[Path, str, Row]:
    """A copy of the built linkage in which the worker linked a judicial stay into a subject with a final
    removal order (one it had no stay in effect); that subject and the stay's row."""
    out = tmp_path / "linkage"
    shutil.copytree(built, out)
    subject, order = _final_order_row(out, world)
    stay: Row = {**order, "REC_ID": STAY_ID, "REC_TYPE": "STAY", "STAY_TYPE": "JUDICIAL",
                 "EVENT_DATE": "10/01/2026", "ENTERED_DATE": "10/01/2026", "DECISION_CODE": None}  # fmt: skip
    post_change(out, "court_cases", stay)
    [done] = Worker(out, as_of=AS_OF).run_once()
    assert (done.action, done.subject_id) == ("joined", subject), done
    assert _stays(out, subject) == 1
    return out, subject, stay


def _final_order_row(out: Path, world: Path) -> tuple[str, Row]:
    """A subject with a final removal order and no stay in effect, and its removal order's court row."""
    subjects = pq.read_table(out / "subjects.parquet").to_pylist()
    final = {s["subject_id"] for s in subjects if s.get("has_final_order")}
    clusters = pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    subject_of = {c["record_id"]: c["subject_id"] for c in clusters if c["source"] == "court_cases"}
    names = pcsv.read_csv(world / "court_cases.csv").column_names
    options = pcsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True)
    for row in pcsv.read_csv(world / "court_cases.csv", convert_options=options).to_pylist():
        subject = subject_of.get(row["REC_ID"])
        removal = row["REC_TYPE"] == "DECISION" and row["DECISION_CODE"] == "REMOVAL"
        if subject in final and removal and _stays(out, subject) == 0:
            return subject, row
    raise AssertionError("no final removal order without a stay in the small world")


def _stays(out: Path, subject: str) -> int:
    """The stay events of the journaled record among the subject's gate inputs."""
    inputs = subject_gate_inputs(out, subject, load_policy())
    return sum(1 for e in inputs.subject.events if e.record_id == STAY_ID)


def _write_rows(path: Path, header_from: Path, rows: list[Row]) -> None:
    """Rows in a CSV file with `header_from`'s header, every value quoted, a null left empty."""
    with header_from.open(encoding="utf-8", newline="") as f:
        names = next(csv.reader(f))
    lines = [
        ",".join("" if r.get(n) is None else '"' + str(r[n]).replace('"', '""') + '"' for n in names)
        for r in rows
    ]
    with path.open("a", encoding="utf-8", newline="") as f:
        if not path.stat().st_size:
            f.write(",".join(names) + "\n")
        f.write("".join(line + "\n" for line in lines))


def test_a_stay_the_worker_posted_still_counts_after_link_add_takes_its_record_in(
    built: Path, small_world: Path, tmp_path: Path
) -> None:
    """`ilos link add` takes in the stay's record (its subject and pairs now the batch's), but the built
    timeline has no event of it: the subject's gate still sees the stay, from the journal, under the subject
    clusters.parquet gives; a worker restarting has it in its timeline; the journal's pairs are gone."""
    out, subject, stay = _stay_posted(built, tmp_path, small_world)
    added = tmp_path / "add.csv"
    added.touch()
    _write_rows(added, small_world / "court_cases.csv", [stay])

    add_records(out, "court_cases", added)

    clusters = pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    [now] = [c["subject_id"] for c in clusters if (c["source"], c["record_id"]) == ("court_cases", STAY_ID)]
    assert now == subject
    assert _stays(out, subject) == 1
    events = journaled_events(out, {subject})
    assert events is not None and STAY_ID in events["record_id"].to_pylist()
    assert not any(STAY_ID in (r["unique_id_l"], r["unique_id_r"]) for r in journaled_links(out).to_pylist())
    worker = Worker(out, as_of=AS_OF)
    assert worker.pending() == []
    assert [e.record_id for e in worker.timeline.events_of([f"court_cases|{STAY_ID}"])] == [STAY_ID]


def test_a_subjects_build_that_read_the_stays_row_counts_it_once(
    built: Path, small_world: Path, tmp_path: Path
) -> None:
    """After link add, a subjects build from source files without the stay's row leaves the journal the
    stay's only holder (counted once); once a build reads the row, the timeline holds it and the journal's
    line is no longer read for events (counted once, not twice), nor replayed into a worker's timeline."""
    out, subject, stay = _stay_posted(built, tmp_path, small_world)
    added = tmp_path / "add.csv"
    added.touch()
    _write_rows(added, small_world / "court_cases.csv", [stay])
    add_records(out, "court_cases", added)

    build_subjects(out, small_world / "sources.yaml", as_of=AS_OF)
    assert _stays(out, subject) == 1

    world = tmp_path / "world"
    shutil.copytree(small_world, world)
    _write_rows(world / "court_cases.csv", world / "court_cases.csv", [stay])
    build_subjects(out, world / "sources.yaml", as_of=AS_OF)

    built_events = [r for r in pq.read_table(out / TIMELINE_FILE).to_pylist() if r["record_id"] == STAY_ID]
    assert len(built_events) == 1
    assert _stays(out, subject) == 1
    assert journaled_events(out, {subject}) is None
    worker = Worker(out, as_of=AS_OF)
    assert len(worker.timeline.events_of([f"court_cases|{STAY_ID}"])) == 1
