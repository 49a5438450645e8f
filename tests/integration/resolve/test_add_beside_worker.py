"""`ilos link add` beside the change worker and judgements: the merges it makes are in the directory's
history as a batch run's are, and it refuses to put a record of a one-record-per-entity source in a subject
holding one the worker linked (it links against the batch files, where the worker's records are not)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from ilos.definitions.sources import load_sources_config
from ilos.errors import InvalidInputError
from ilos.resolve import linkage
from ilos.resolve.judgements import record_judgement
from ilos.services.linking import LinkRun, add_records, judge_pair, link_config
from ilos.services.realtime import Worker, post_change
from ilos.services.source_reading import read_source_file


def _subjects(out: Path) -> dict[str, str]:
    table = pq.read_table(out / linkage.CLUSTERS_FILE).to_pylist()
    return {f"{r['source']}|{r['record_id']}": r["subject_id"] for r in table}


def _court_row(world: Path, new_id: str) -> pa.Table:
    config = load_sources_config(world / "sources.yaml")
    spec = config.source("court_cases")
    row = read_source_file(config, spec).slice(0, 1)
    return row.set_column(row.schema.get_field_index(spec.record_id), spec.record_id, pa.array([new_id]))


def test_a_merge_add_makes_by_a_judgement_it_takes_in_is_in_the_history(
    small_world: Path, small_linkage: LinkRun, tmp_path: Path
) -> None:
    out = Path(shutil.copytree(small_linkage.out_dir, tmp_path / "linkage"))
    subjects = _subjects(out)
    links = pq.read_table(out / linkage.LINKS_FILE).to_pylist()
    apart = next(
        p for p in links
        if subjects[p["unique_id_l"]] != subjects[p["unique_id_r"]] and not p["household_conflict"]
        and p["source_l"] != p["source_r"]
    )  # fmt: skip
    a, b = apart["unique_id_l"], apart["unique_id_r"]
    judge_pair(out, a.replace("|", ":", 1), b.replace("|", ":", 1), "match", "ana")
    pq.write_table(_court_row(small_world, "NEW-1"), tmp_path / "new.parquet")

    history_before = (out / linkage.SUBJECT_EVENTS_FILE).read_text().splitlines()
    report = add_records(out, "court_cases", tmp_path / "new.parquet")

    now = _subjects(out)
    assert now[a] == now[b]
    gone = ({subjects[a], subjects[b]} - {now[a]}).pop()
    assert report.merges == ((now[a], gone),)
    appended = (out / linkage.SUBJECT_EVENTS_FILE).read_text().splitlines()[len(history_before) :]
    [merge] = [json.loads(line) for line in appended]
    moved = sorted(k for k, s in subjects.items() if s == gone)
    assert (merge["kind"], merge["subject_id"], merge["others"]) == ("merge", now[a], [gone])
    assert (merge["records_moved"], merge["records"]) == (len(moved), moved)


def _evidence_the_worker_holds(
    small_world: Path, small_linkage: LinkRun, tmp_path: Path
) -> tuple[Path, str, pa.Table]:
    """A linkage of the world without one citizenship_evidence row, that row then linked by the worker into
    a batch subject: the directory, that subject, and the row."""
    world = Path(shutil.copytree(small_world, tmp_path / "world"))
    subjects = _subjects(small_linkage.out_dir)
    sizes = pc.value_counts(pa.array(list(subjects.values()))).to_pylist()
    size_of = {s["values"]: s["counts"] for s in sizes}
    held_out = next(
        k for k, s in sorted(subjects.items()) if k.startswith("citizenship_evidence|") and size_of[s] >= 4
    ).split("|", 1)[1]  # a record the worker will join to a subject of several records
    evidence = pq.read_table(world / "citizenship_evidence.parquet")
    config = load_sources_config(world / "sources.yaml")
    id_column = config.source("citizenship_evidence").record_id
    keep = pc.not_equal(evidence[id_column].cast(pa.string()), held_out)
    row = evidence.filter(pc.invert(keep))
    pq.write_table(evidence.filter(keep), world / "citizenship_evidence.parquet")
    out = link_config(world / "sources.yaml", tmp_path / "linkage").out_dir
    post_change(
        out, "citizenship_evidence", {c: None if v is None else str(v) for c, v in row.to_pylist()[0].items()}
    )
    [done] = Worker(out).run_once()
    assert done.subject_id in set(_subjects(out).values())  # it joined a batch subject
    return out, done.subject_id, row


def _files(out: Path) -> dict[str, bytes]:
    return {
        n: (out / n).read_bytes() for n in (linkage.CLUSTERS_FILE, linkage.RECORDS_FILE, linkage.LINKS_FILE)
    }


def test_add_keeps_a_one_record_per_entity_source_apart_from_the_workers_records(
    small_world: Path, small_linkage: LinkRun, tmp_path: Path
) -> None:
    out, _, row = _evidence_the_worker_holds(small_world, small_linkage, tmp_path)
    id_column = load_sources_config(small_world / "sources.yaml").source("citizenship_evidence").record_id
    copy = row.set_column(
        row.schema.get_field_index(id_column),
        id_column,
        pa.array(["COPY-1"], row.schema.field(id_column).type),
    )
    pq.write_table(copy, tmp_path / "copy.parquet")
    before = _files(out)

    with pytest.raises(InvalidInputError, match="one record per entity"):
        add_records(out, "citizenship_evidence", tmp_path / "copy.parquet")
    assert _files(out) == before


def test_add_refuses_a_merge_that_brings_a_workers_record_beside_one_of_its_source(
    small_world: Path, small_linkage: LinkRun, tmp_path: Path
) -> None:
    """A "match" judgement add takes in joins the worker's evidence's subject to one holding other evidence
    of the source: add's clustering, blind to the worker's record, would allow it."""
    out, theirs, _ = _evidence_the_worker_holds(small_world, small_linkage, tmp_path)
    subjects = _subjects(out)
    mine = next(k for k, s in sorted(subjects.items()) if s == theirs)
    other_evidence = next(
        k for k, s in sorted(subjects.items()) if k.startswith("citizenship_evidence|") and s != theirs
    )
    record_judgement(out, mine, other_evidence, "match", "ana")
    pq.write_table(_court_row(small_world, "NEW-1"), tmp_path / "new.parquet")
    before = _files(out)

    with pytest.raises(InvalidInputError, match="one record per entity"):
        add_records(out, "court_cases", tmp_path / "new.parquet")
    assert _files(out) == before
