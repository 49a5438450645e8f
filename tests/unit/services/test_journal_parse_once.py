"""The journal's readers parse each line once per process (`journal_records._parsed_journal`): a journal that
grew is read from where the last read stopped; a torn last line waits until it is whole; a journal written
anew (replaced, or rewritten in place) is read from its start. What they are given is what a parse of the
whole file gives, scored pairs included."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow as pa

from ilos.resolve.incremental import links_schema
from ilos.services.change_inbox import JOURNAL_FILE
from ilos.services.journal_links import journaled_linkage, journaled_links
from ilos.services.journal_records import read_journal
from ilos.services.realtime import append_journal, drop_torn_tail


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
    append_journal(journal, [_line(1, "S-1"), _line(2, "S-2")])
    first = read_journal(tmp_path)
    append_journal(journal, [_line(3, "S-3", absorbed=("S-1",))])

    grown = read_journal(tmp_path)

    assert [e["record"] for e in grown.lines] == ["src|R1", "src|R2", "src|R3"]
    assert grown.lines[1] is first.lines[1]  # the same parsed line, not a second parse of it
    assert [e["subject_id"] for e in grown.lines] == ["S-3", "S-2", "S-3"]  # the merge followed
    assert _probabilities(journaled_linkage(tmp_path, grown)[1]) == _probabilities(journaled_links(tmp_path))
    assert len(grown.links) == 6 and "links" not in grown.lines[0]
    only = grown.only({"S-2"})
    assert [e["record"] for e in only.lines] == ["src|R2"]
    assert set(only.links.column("unique_id_l").to_pylist()) == {"src|R2"}


def test_a_torn_last_line_is_read_once_it_is_whole(tmp_path: Path) -> None:
    journal = tmp_path / JOURNAL_FILE
    append_journal(journal, [_line(1, "S-1")])
    whole = journal.read_bytes()
    append_journal(journal, [_line(2, "S-2")])
    second = journal.read_bytes()[len(whole) :]
    journal.write_bytes(whole + second[:40])  # a crash mid-write

    assert [e["record"] for e in read_journal(tmp_path).lines] == ["src|R1"]
    drop_torn_tail(journal)  # as the worker starts, then writes the line again
    append_journal(journal, [_line(2, "S-2"), _line(3, "S-3")])

    read = read_journal(tmp_path)
    assert [e["record"] for e in read.lines] == ["src|R1", "src|R2", "src|R3"]
    assert _probabilities(read.links) == _probabilities(journaled_links(tmp_path))


def test_a_journal_written_anew_is_read_from_its_start(tmp_path: Path) -> None:
    journal = tmp_path / JOURNAL_FILE
    append_journal(journal, [_line(1, "S-1"), _line(2, "S-2")])
    assert len(read_journal(tmp_path).lines) == 2

    with journal.open("r+", encoding="utf-8") as f:  # the same file, other lines, longer than before
        f.truncate(0)
    append_journal(journal, [_line(7, "S-7"), _line(8, "S-8"), _line(9, "S-9")])
    assert [e["record"] for e in read_journal(tmp_path).lines] == ["src|R7", "src|R8", "src|R9"]

    replaced = tmp_path / "replacement.jsonl"
    append_journal(replaced, [_line(4, "S-4")])
    os.replace(replaced, journal)  # another file under the name
    read = read_journal(tmp_path)
    assert [e["record"] for e in read.lines] == ["src|R4"]
    assert _probabilities(read.links) == _probabilities(journaled_links(tmp_path))

    journal.unlink()
    assert read_journal(tmp_path).lines == () and len(read_journal(tmp_path).links) == 0
