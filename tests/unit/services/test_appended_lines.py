"""Append-only JSON-lines files are read on from where the last read stopped (`AppendedLines`): the file
inbox parses only what was posted since its last look, a torn line waits until it is whole, and a file
written anew, replaced or removed is read from its start, so nothing stale is handed out."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ilos.services import change_inbox
from ilos.services.appended_lines import AppendedLines
from ilos.services.change_inbox import INBOX_FILE, FileInbox, Processed
from ilos.services.journal_file import JOURNAL_FILE


def _write(path: Path, *numbers: int, mode: str = "a") -> None:
    with path.open(mode, encoding="utf-8") as f:
        f.write("".join(json.dumps({"n": n}) + "\n" for n in numbers))


def test_each_read_gives_the_lines_appended_since_the_last(tmp_path: Path) -> None:
    path = tmp_path / "lines.jsonl"
    read = AppendedLines(path)
    assert read.new() == ([], False)  # no file yet: nothing, and nothing held before
    _write(path, 1, 2)
    assert read.new() == ([{"n": 1}, {"n": 2}], True)  # a file appeared: read from its start
    assert read.new() == ([], False)
    _write(path, 3)
    assert read.new() == ([{"n": 3}], False)


def test_a_torn_line_is_read_once_it_is_whole(tmp_path: Path) -> None:
    path = tmp_path / "lines.jsonl"
    _write(path, 1)
    read = AppendedLines(path)
    read.new()
    with path.open("a", encoding="utf-8") as f:
        f.write('{"n": ')
    assert read.new() == ([], False)
    with path.open("a", encoding="utf-8") as f:
        f.write("2}\n")
    assert read.new() == ([{"n": 2}], False)


def test_a_file_written_anew_replaced_or_removed_is_read_from_its_start(tmp_path: Path) -> None:
    path = tmp_path / "lines.jsonl"
    _write(path, 1, 2)
    read = AppendedLines(path)
    read.new()
    _write(path, 7, 8, 9, mode="w")  # the same file, other lines, longer than before
    assert read.new() == ([{"n": 7}, {"n": 8}, {"n": 9}], True)
    other = tmp_path / "other.jsonl"
    _write(other, 4)
    os.replace(other, path)
    assert read.new() == ([{"n": 4}], True)
    path.unlink()
    assert read.new() == ([], True)
    assert read.new() == ([], False)


def test_the_file_inbox_parses_only_what_was_posted_since_its_last_look(tmp_path: Path) -> None:
    inbox = FileInbox(tmp_path)
    first = inbox.post("court_cases", {"REC_ID": "R1"})
    inbox.post("court_cases", {"REC_ID": "R2"})
    seen = inbox.pending()
    inbox.complete(seen[0], _processed(first))
    third = inbox.post("court_cases", {"REC_ID": "R3"})

    later = inbox.pending()

    assert [e.values["REC_ID"] for e in later] == ["R2", "R3"] and later[1].event_id == third
    assert later[0] is seen[1]  # the line parsed at the earlier look, not parsed again
    assert [e.event_id for e in FileInbox(tmp_path).pending()] == [
        seen[0].event_id,
        *[e.event_id for e in later],
    ]

    (tmp_path / INBOX_FILE).write_text(json.dumps({"event_id": "X", "source": "s", "values": {}}) + "\n")
    assert [e.event_id for e in inbox.pending()] == ["X"]  # a rewritten inbox is read anew


def test_an_event_the_journal_names_is_not_pending(tmp_path: Path) -> None:
    inbox = FileInbox(tmp_path)
    done = inbox.post("court_cases", {"REC_ID": "R1"})
    waiting = inbox.post("court_cases", {"REC_ID": "R2"})
    (tmp_path / JOURNAL_FILE).write_text(json.dumps({"event_id": done, "record": "court_cases|R1"}) + "\n")
    assert [e.event_id for e in FileInbox(tmp_path).pending()] == [waiting]


def test_done_ids_the_caller_read_already_spare_the_first_look_a_read_of_the_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = FileInbox(tmp_path)
    done = inbox.post("court_cases", {"REC_ID": "R1"})
    waiting = inbox.post("court_cases", {"REC_ID": "R2"})
    (tmp_path / JOURNAL_FILE).write_text(json.dumps({"event_id": done, "record": "court_cases|R1"}) + "\n")
    started = FileInbox(tmp_path)
    started.take_done([done])  # as a worker's replay of the journal gives them

    def no_second_read(*_: object) -> None:
        raise AssertionError("the journal was parsed again for the done ids")

    monkeypatch.setattr(change_inbox, "event_lines", no_second_read)
    assert [e.event_id for e in started.pending()] == [waiting]


def _processed(event_id: str) -> Processed:
    return Processed(event_id, "court_cases|R1", "S-1", "new", (), (), 1.0, "2026-12-07T00:00:00+00:00")
