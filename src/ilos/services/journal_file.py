"""The JSON-lines files the change worker keeps beside a linkage (its journal; a file inbox is written the same
way): appending lines with one fsync, and reading the complete ones. Neither the operational store nor a
linker is needed to read them, so generic linking reads the journal without importing either."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

JOURNAL_FILE = "journal.jsonl"

JUDGEMENT_KEY = "judgement"
"""Besides a line per linked event, the worker journals a judgement it took in when the judgement changed its
subjects or waits for the next batch run (`realtime.JOURNALED_RESULTS`): such a line holds the pair under this
key and names no record, source or values."""


def append_lines(path: Path, payloads: Sequence[Mapping[str, Any]]) -> None:
    """Lines appended and fsynced once: after a crash the complete ones are there (a torn last one is
    dropped on the next start: `drop_torn_tail`)."""
    with path.open("a", encoding="utf-8") as f:
        f.write("".join(json.dumps(p, default=str, sort_keys=True) + "\n" for p in payloads))
        f.flush()
        os.fsync(f.fileno())


def drop_torn_tail(path: Path) -> None:
    """Cut a torn last line (a crash mid-write) off the file, so the next line is not appended to it. Only
    the tail is read: a post runs it on an inbox of every event ever posted."""
    if not path.exists():
        return
    with path.open("rb+") as f:
        end = f.seek(0, os.SEEK_END)
        cut = reach = end
        while reach > 0:  # back from the end, a chunk at a time, to the last newline
            start = max(0, reach - _CHUNK)
            f.seek(start)
            found = f.read(reach - start).rfind(b"\n")
            if found >= 0:
                cut = start + found + 1
                break
            reach = cut = start
        if cut < end:
            f.truncate(cut)
            f.flush()
            os.fsync(f.fileno())


_CHUNK = 64 * 1024


@contextmanager
def posting_to(path: Path) -> Iterator[None]:
    """Appenders of `path` one at a time (a lock file beside it, waited for): a torn last line is then a
    dead writer's, and the holder cuts it (`drop_torn_tail`) before its own line, which was appended to it."""
    with path.with_name(path.name + ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            drop_torn_tail(path)
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def is_event_line(entry: Mapping[str, Any]) -> bool:
    """A line of a linked change event (its record, source and values), not of a judgement."""
    return JUDGEMENT_KEY not in entry


def journal_lines(path: Path, containing: Collection[str] = ()) -> Iterator[dict[str, Any]]:
    """Complete lines only: a torn last line (a crash mid-write) is ignored, and is written again. With
    `containing`, only the lines whose text holds one of those strings are parsed and given (a cheap filter
    before the JSON parse, which costs most of a read)."""
    wanted = [text.encode() for text in containing]
    for raw, _ in _complete_lines(path, 0, None):
        if not wanted or any(text in raw for text in wanted):
            yield json.loads(raw)


def journal_lines_between(
    path: Path, start: int = 0, end: int | None = None
) -> Iterator[tuple[dict[str, Any], int]]:
    """The complete lines from byte `start` up to byte `end` (to the end when None), each with the offset
    just after it (where a later read goes on from)."""
    for raw, after in _complete_lines(path, start, end):
        yield json.loads(raw), after


def _complete_lines(path: Path, start: int, end: int | None) -> Iterator[tuple[bytes, int]]:
    """Each complete line from byte `start` up to `end`, with the offset after it; a torn last line (a crash
    mid-write, or a line being written) is not one."""
    if not path.exists():
        return
    with path.open("rb") as f:
        f.seek(start)
        while end is None or start < end:
            line = f.readline()
            if not line.endswith(b"\n"):
                return
            start += len(line)
            yield line, start


def event_lines(path: Path, containing: Collection[str] = ()) -> Iterator[dict[str, Any]]:
    """`journal_lines` of linked change events only (a judgement's line names no record, source or values)."""
    return (e for e in journal_lines(path, containing) if is_event_line(e))
