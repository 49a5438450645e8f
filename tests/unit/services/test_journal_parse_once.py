"""The journal's readers parse each line once per process (`journal_records._parsed_journal`): a journal that
grew is read from where the last read stopped; a torn last line waits until it is whole; a journal written
anew (replaced, or rewritten in place) is read from its start. What they are given is what a parse of the
whole file gives, scored pairs included."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ilos.resolve.incremental import links_schema
from ilos.resolve.linkage import CLUSTERS_FILE
from ilos.services.journal_file import JOURNAL_FILE, append_lines, drop_torn_tail
from ilos.services.journal_links import journaled_linkage, journaled_links
from ilos.services.journal_records import batch_subjects, held_records, read_journal


def _line(n: int, subject: str, absorbed: tuple[str, ...] = ()) -> dict[str, Any]:
    """An event line of record `src|R<n>` in `subject`, scored against two batch records."""
    names = links_schema().names
    pairs: dict[str, list[Any]] = {name: [None, None] for name in names}
    pairs.update(
        unique_id_l=[f"src|R{n}", f"src|R{n}"],
        unique_id_r=["src|B1", f"src|B{n + 100}"],
        match_probability=[0.9 + n / 1000, 0.2],
        decision=["linked", "unlinked"],
    )
    return {
        "event_id": f"E{n}",
        "record": f"src|R{n}",
        "subject_id": subject,
        "action": "merged" if absorbed else "joined",
        "absorbed": list(absorbed),
        "changes": [],
        "milliseconds": 1.0,
        "processed_at": f"2026-12-07T00:00:{n:02d}+00:00",
        "source": "src",
        "values": {"id": f"R{n}", "name": f"PERSON {n}"},
        "links": pairs,
    }


def _probabilities(table: pa.Table) -> list[float]:
    return sorted(table.column("match_probability").to_pylist())


def test_a_grown_journal_is_read_on_from_where_the_last_read_stopped(tmp_path: Path) -> None:
    journal = tmp_path / JOURNAL_FILE
    append_lines(journal, [_line(1, "S-1"), _line(2, "S-2")])
    first = read_journal(tmp_path)
    append_lines(journal, [_line(3, "S-3", absorbed=("S-1",))])

    grown = read_journal(tmp_path)

    assert [e["record"] for e in grown.lines] == ["src|R1", "src|R2", "src|R3"]
    assert grown.lines[1] is first.lines[1]  # the same parsed line, not a second parse of it
    assert [e["subject_id"] for e in grown.lines] == ["S-3", "S-2", "S-3"]  # the merge followed
    assert _probabilities(journaled_linkage(tmp_path, grown)[1]) == _probabilities(journaled_links(tmp_path))
    assert len(grown.links) == 6 and "links" not in grown.lines[0]
    assert [e["record"] for e in grown.events_of({"S-2"})] == ["src|R2"]
    assert grown.record_subjects == {"src|R1": "S-3", "src|R2": "S-2", "src|R3": "S-3"}
    assert grown.linked_records.to_pylist() == [
        {"source": "src", "record_id": "R1", "subject_id": "S-3"},
        {"source": "src", "record_id": "R2", "subject_id": "S-2"},
        {"source": "src", "record_id": "R3", "subject_id": "S-3"},
    ]


def test_one_journal_is_handed_out_until_a_line_or_the_batch_files_change(tmp_path: Path) -> None:
    journal = tmp_path / JOURNAL_FILE
    append_lines(journal, [_line(1, "S-1"), _line(2, "S-2")])
    first = read_journal(tmp_path)
    assert read_journal(tmp_path) is first  # nothing new: not resolved again

    append_lines(journal, [_line(3, "S-3")])
    grown = read_journal(tmp_path)
    assert grown is not first and len(grown.lines) == 3

    # A batch run takes R2 in: its line is the batch's now, wherever the journal put it.
    pq.write_table(
        pa.table({"source": ["src"], "record_id": ["R2"], "subject_id": ["S-B"]}), tmp_path / CLUSTERS_FILE
    )
    held = read_journal(tmp_path)
    assert [e["record"] for e in held.lines] == ["src|R1", "src|R3"]
    assert held.record_subjects == {"src|R1": "S-1", "src|R3": "S-3"}
    assert [e["subject_id"] for e in held.events if e["record"] == "src|R2"] == ["S-B"]

    replacement = tmp_path / "replacement.parquet"  # another run, which holds R1 instead
    pq.write_table(pa.table({"source": ["src"], "record_id": ["R1"], "subject_id": ["S-C"]}), replacement)
    os.replace(replacement, tmp_path / CLUSTERS_FILE)
    assert [e["record"] for e in read_journal(tmp_path).lines] == ["src|R2", "src|R3"]


def test_a_torn_last_line_is_read_once_it_is_whole(tmp_path: Path) -> None:
    journal = tmp_path / JOURNAL_FILE
    append_lines(journal, [_line(1, "S-1")])
    whole = journal.read_bytes()
    append_lines(journal, [_line(2, "S-2")])
    second = journal.read_bytes()[len(whole) :]
    journal.write_bytes(whole + second[:40])  # a crash mid-write

    assert [e["record"] for e in read_journal(tmp_path).lines] == ["src|R1"]
    drop_torn_tail(journal)  # as the worker starts, then writes the line again
    append_lines(journal, [_line(2, "S-2"), _line(3, "S-3")])

    read = read_journal(tmp_path)
    assert [e["record"] for e in read.lines] == ["src|R1", "src|R2", "src|R3"]
    assert _probabilities(read.links) == _probabilities(journaled_links(tmp_path))


def test_a_journal_written_anew_is_read_from_its_start(tmp_path: Path) -> None:
    journal = tmp_path / JOURNAL_FILE
    append_lines(journal, [_line(1, "S-1"), _line(2, "S-2")])
    assert len(read_journal(tmp_path).lines) == 2

    with journal.open("r+", encoding="utf-8") as f:  # the same file, other lines, longer than before
        f.truncate(0)
    append_lines(journal, [_line(7, "S-7"), _line(8, "S-8"), _line(9, "S-9")])
    assert [e["record"] for e in read_journal(tmp_path).lines] == ["src|R7", "src|R8", "src|R9"]

    replaced = tmp_path / "replacement.jsonl"
    append_lines(replaced, [_line(4, "S-4")])
    os.replace(replaced, journal)  # another file under the name
    read = read_journal(tmp_path)
    assert [e["record"] for e in read.lines] == ["src|R4"]
    assert _probabilities(read.links) == _probabilities(journaled_links(tmp_path))

    journal.unlink()
    assert read_journal(tmp_path).lines == () and len(read_journal(tmp_path).links) == 0


def test_lookups_in_the_batch_files_answer_every_caller_and_follow_a_new_run(tmp_path: Path) -> None:
    clusters = pa.table({"source": ["src", "src"], "record_id": ["R1", "R2"], "subject_id": ["S-1", "S-2"]})
    pq.write_table(clusters, tmp_path / CLUSTERS_FILE)

    assert held_records(tmp_path, ["src|R1", "src|R9"]) == {"src|R1": "S-1"}
    assert held_records(tmp_path, ["src|R2"]) == {"src|R2": "S-2"}  # another caller's keys
    assert held_records(tmp_path, ["src|R1", "src|R2", "src|R9"]) == {"src|R1": "S-1", "src|R2": "S-2"}
    assert batch_subjects(tmp_path, {"S-1", "S-7"}) == {"S-1"}

    replacement = tmp_path / "replacement.parquet"
    pq.write_table(pa.table({"source": ["src"], "record_id": ["R9"], "subject_id": ["S-7"]}), replacement)
    os.replace(replacement, tmp_path / CLUSTERS_FILE)
    assert held_records(tmp_path, ["src|R1", "src|R9"]) == {"src|R9": "S-7"}
    assert batch_subjects(tmp_path, {"S-1", "S-7"}) == {"S-7"}
