"""A subject's page history reads the batch runs' merges and splits (`subject_events.jsonl`) on from where the
last view stopped, keeping only where each subject's lines are: a later run's lines show at the next view, a
torn last line waits until it is whole, and a history written anew is read from its start."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ilos.resolve.linkage import SUBJECT_EVENTS_FILE
from ilos.services.web_history import history_in


def _shown(record: str) -> bool:
    return True


def _event(kind: str, subject: str, others: list[str], day: int, records: list[str]) -> dict[str, Any]:
    return {"kind": kind, "subject_id": subject, "others": others, "records_moved": len(records),
            "records": records, "at": f"2026-12-{day:02d}T10:00:00+00:00", "config_hash": "abc"}  # fmt: skip


def _append(path: Path, *events: dict[str, Any]) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write("".join(json.dumps(e) + "\n" for e in events))


def _changes(directory: Path, subject: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(h.change, h.subjects) for h in history_in(directory, subject, _shown)]


def test_a_later_runs_merges_and_splits_show_at_the_next_view(tmp_path: Path) -> None:
    history = tmp_path / SUBJECT_EVENTS_FILE
    _append(
        history, _event("merge", "S-1", ["S-2"], 1, ["src|A"]), _event("split", "S-7", ["S-8"], 1, ["src|B"])
    )
    assert _changes(tmp_path, "S-1") == [("joined", ("S-2",))]
    assert _changes(tmp_path, "S-2") == [("merged into another subject", ("S-1",))]

    _append(history, _event("split", "S-1", ["S-3"], 2, ["src|A"]))
    assert _changes(tmp_path, "S-1") == [("joined", ("S-2",)), ("left", ("S-3",))]
    assert _changes(tmp_path, "S-3") == [("joined", ("S-1",))]
    assert _changes(tmp_path, "S-8") == [("joined", ("S-7",))]
    assert _changes(tmp_path, "S-9") == []


def test_a_torn_last_line_waits_and_a_history_written_anew_is_read_from_its_start(tmp_path: Path) -> None:
    history = tmp_path / SUBJECT_EVENTS_FILE
    _append(history, _event("merge", "S-1", ["S-2"], 1, ["src|A"]))
    assert len(_changes(tmp_path, "S-1")) == 1
    line = json.dumps(_event("merge", "S-1", ["S-4"], 2, ["src|C"])) + "\n"
    with history.open("a", encoding="utf-8") as f:
        f.write(line[:30])  # a run mid-write
    assert len(_changes(tmp_path, "S-1")) == 1
    with history.open("a", encoding="utf-8") as f:
        f.write(line[30:])
    assert _changes(tmp_path, "S-1") == [("joined", ("S-2",)), ("joined", ("S-4",))]

    replacement = tmp_path / "replacement.jsonl"
    _append(replacement, _event("split", "S-5", ["S-1"], 3, ["src|D"]))
    os.replace(replacement, history)
    assert _changes(tmp_path, "S-1") == [("joined", ("S-5",))]
    assert _changes(tmp_path, "S-2") == []


def test_a_linkage_without_a_batch_history_has_none(tmp_path: Path) -> None:
    assert _changes(tmp_path, "S-1") == []  # written before the history file existed, or a copy without it
    history = tmp_path / SUBJECT_EVENTS_FILE
    _append(history, _event("merge", "S-1", ["S-2"], 1, ["src|A"]))
    assert len(_changes(tmp_path, "S-1")) == 1
    history.unlink()
    assert _changes(tmp_path, "S-1") == []
