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
from ilos.errors import InvalidInputError
from ilos.policy.results import GateId
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
IDENTITY = GateId.IDENTITY


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
    stay = _stay_of(order, STAY_ID)
    post_change(out, "court_cases", stay)
    [done] = Worker(out, as_of=AS_OF).run_once()
    assert (done.action, done.subject_id) == ("joined", subject), done
    assert _stays(out, subject) == 1
    return out, subject, stay


def _stay_of(order: Row, record_id: str) -> Row:
    """A judicial stay in the order's case, under its own record id."""
    return {**order, "REC_ID": record_id, "REC_TYPE": "STAY", "STAY_TYPE": "JUDICIAL",
            "EVENT_DATE": "10/01/2026", "ENTERED_DATE": "10/01/2026", "DECISION_CODE": None}  # fmt: skip


def _in_file(path: Path, world: Path, rows: list[Row]) -> Path:
    """`rows` in a new CSV file with the world's court_cases header."""
    path.touch()
    _write_rows(path, world / "court_cases.csv", rows)
    return path


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
    added = _in_file(tmp_path / "add.csv", small_world, [stay])

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
    added = _in_file(tmp_path / "add.csv", small_world, [stay])
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


def test_a_stay_linked_by_link_add_since_the_build_holds_its_subject_until_a_build_reads_it(
    built: Path, small_world: Path, tmp_path: Path
) -> None:
    """A stay's row added with `ilos link add` (not through the worker) joins its subject in clusters.parquet,
    but its event is in no built file nor in the journal: no gate could see the stay, so the identity gate
    holds the subject, naming the record, until a subjects build reads it. Other subjects are not held."""
    out = Path(shutil.copytree(built, tmp_path / "linkage"))
    subject, order = _final_order_row(out, small_world)
    stay = _stay_of(order, "ADDED-STAY")
    added = _in_file(tmp_path / "add.csv", small_world, [stay])
    policy = load_policy()
    [before] = [
        g for g in subject_gate_inputs(out, subject, policy).evaluate(AS_OF, policy) if g.gate is IDENTITY
    ]
    assert "since its facts were built" not in before.reason

    add_records(out, "court_cases", added)

    clusters = pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    assert subject in [c["subject_id"] for c in clusters if c["record_id"] == "ADDED-STAY"]
    found = subject_gate_inputs(out, subject, policy)
    assert found.unread_records == ("court_cases:ADDED-STAY",)
    [identity] = [g for g in found.evaluate(AS_OF, policy) if g.gate is IDENTITY]
    assert identity.blocks
    assert "linked to this subject since its facts were built (court_cases:ADDED-STAY)" in identity.reason
    other = next(c["subject_id"] for c in clusters if c["subject_id"] != subject)
    assert subject_gate_inputs(out, other, policy).unread_records == ()

    world = Path(shutil.copytree(small_world, tmp_path / "world"))
    _write_rows(world / "court_cases.csv", world / "court_cases.csv", [stay])
    build_subjects(out, world / "sources.yaml", as_of=AS_OF)
    rebuilt = subject_gate_inputs(out, subject, policy)
    assert rebuilt.unread_records == ()
    assert [e.record_id for e in rebuilt.subject.events if e.record_id == "ADDED-STAY"] == ["ADDED-STAY"]


def test_a_subjects_build_refuses_a_linked_record_whose_row_it_cannot_read(
    built: Path, small_world: Path, tmp_path: Path
) -> None:
    """After `ilos link add` of a stay's row that no source file nor the journal holds, a build from the
    source files would give the subject the stay's record without its event: refused, the record named,
    nothing rewritten."""
    out = Path(shutil.copytree(built, tmp_path / "linkage"))
    _, order = _final_order_row(out, small_world)
    stay = _stay_of(order, "ADDED-STAY")
    added = _in_file(tmp_path / "add.csv", small_world, [stay])
    add_records(out, "court_cases", added)
    timeline = (out / TIMELINE_FILE).read_bytes()

    with pytest.raises(
        InvalidInputError,
        match=r"no source file nor the change worker's journal has \(court_cases:ADDED-STAY\)",
    ):
        build_subjects(out, small_world / "sources.yaml", as_of=AS_OF)
    assert (out / TIMELINE_FILE).read_bytes() == timeline
