"""Judgements are read once per version of their file: a judgement recorded after a read is seen by the next
read, by the lookup of one pair and by the table of settled pairs the gates join against."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ilos.resolve.judgements import (
    JUDGEMENTS_FILE,
    judged_pairs,
    judgement_on,
    read_judgements,
    record_judgement,
    settled_pairs,
)


def test_a_judgement_recorded_after_a_read_is_seen_by_the_next_read(tmp_path: Path) -> None:
    assert read_judgements(tmp_path) == [] and judgement_on(tmp_path, "a|1", "b|2") is None
    first = record_judgement(tmp_path, "b|2", "a|1", "match", "reviewer-a")
    assert read_judgements(tmp_path) == [first]
    assert settled_pairs(tmp_path).to_pylist() == [{"left": "a|1", "right": "b|2", "verdict": "match"}]
    later = record_judgement(tmp_path, "a|1", "b|2", "unsure", "reviewer-b")
    assert read_judgements(tmp_path) == [later]  # the latest per pair wins
    assert judgement_on(tmp_path, "b|2", "a|1") == later
    assert settled_pairs(tmp_path).num_rows == 0  # "unsure" settles nothing


def test_a_rewrite_in_the_same_clock_tick_is_read_again(tmp_path: Path) -> None:
    """A coarse file clock can give two versions of one file (same inode: written in place, as a copy tool
    may) one modification time; the file's size still tells them apart."""
    first = record_judgement(tmp_path, "a|1", "b|2", "no_match", "reviewer-a")
    path = tmp_path / JUDGEMENTS_FILE
    before = path.stat()
    assert read_judgements(tmp_path) == [first]
    (tmp_path / "elsewhere").mkdir()
    second = record_judgement(tmp_path / "elsewhere", "a|1", "c|3", "match", "reviewer-a")
    rows = [
        *pq.read_table(path).to_pylist(),
        *pq.read_table(tmp_path / "elsewhere" / JUDGEMENTS_FILE).to_pylist(),
    ]
    pq.write_table(pa.Table.from_pylist(rows, schema=pq.read_schema(path)), path)  # in place
    os.utime(path, ns=(before.st_mtime_ns, before.st_mtime_ns))
    assert path.stat().st_ino == before.st_ino and path.stat().st_mtime_ns == before.st_mtime_ns
    assert read_judgements(tmp_path) == [first, second]


def test_a_caller_changing_what_it_read_changes_no_later_read(tmp_path: Path) -> None:
    made = record_judgement(tmp_path, "a|1", "b|2", "match", "reviewer-a")
    read = read_judgements(tmp_path)
    read.clear()
    assert read_judgements(tmp_path) == [made]


def test_the_review_queue_and_the_gates_join_against_one_table_shape(tmp_path: Path) -> None:
    record_judgement(tmp_path, "a|1", "b|2", "match", "r")
    record_judgement(tmp_path, "a|1", "c|3", "unsure", "r")
    record_judgement(tmp_path, "c|3", "d|4", "no-match", "r")
    everything = judged_pairs(read_judgements(tmp_path))
    assert everything.schema == settled_pairs(tmp_path).schema
    assert everything.column("verdict").to_pylist() == ["match", "unsure", "no_match"]
    assert settled_pairs(tmp_path).column("right").to_pylist() == ["b|2", "d|4"]


def test_judgements_recorded_at_once_by_many_reviewers_are_all_kept(tmp_path: Path) -> None:
    """Each write reads the file and replaces it one row longer: two at once would keep only one of their rows
    (and the worker takes rows in by position, so a lost row shifts every later one)."""
    pairs = [(f"a|{i}", f"b|{i}") for i in range(48)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda p: record_judgement(tmp_path, *p, "no_match", "reviewer-a"), pairs))
    assert sorted((j.left, j.right) for j in read_judgements(tmp_path)) == sorted(pairs)
