"""Reading a file of JSON lines that is only ever appended to (the worker's journal, a file inbox) without
parsing it whole at each look: each read starts where the last stopped. Parsing is most of a whole read, and
such files grow with every event the worker links."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_TAIL_BYTES = 64  # the bytes before the offset compared at each read: a file written anew is read anew


@dataclass
class AppendedLines:
    """Where a reader of `path` stopped: the file's inode, the byte offset after the last complete line read
    and the bytes just before it. A torn last line (a writer mid-write, or a crash) is not read until it is
    complete."""

    path: Path
    inode: int | None = None
    offset: int = 0
    tail: bytes = b""

    def new(self) -> tuple[list[dict[str, Any]], bool]:
        """The complete lines appended since the last call, parsed, and whether they are read from the file's
        start: the file was replaced (another inode), rewritten (the bytes before the offset differ) or
        removed (no lines), so whatever the caller built from earlier lines no longer holds."""
        placed, anew = self.new_placed()
        return [line for _, _, line in placed], anew

    def new_placed(self) -> tuple[list[tuple[int, int, dict[str, Any]]], bool]:
        """`new`, each line with the byte offset it starts at and its length (newline included): where to read
        it again (`read_placed`) rather than keep it."""
        try:
            inode = self.path.stat().st_ino
        except FileNotFoundError:
            anew = self.inode is not None or self.offset > 0
            self.inode, self.offset, self.tail = None, 0, b""
            return [], anew
        anew = inode != self.inode
        if anew:
            self.inode, self.offset, self.tail = inode, 0, b""
        data = self._after_offset()
        if data is None:  # written anew in place
            anew, self.offset, self.tail = True, 0, b""
            data = self._after_offset()
            assert data is not None  # nothing to compare from the start
        end = data.rfind(b"\n") + 1
        if end == 0:
            return [], anew
        placed, start = [], self.offset
        for raw in data[:end].split(b"\n")[:-1]:
            placed.append((start, len(raw) + 1, json.loads(raw)))
            start += len(raw) + 1
        self.offset += end
        self.tail = (self.tail + data[:end])[-_TAIL_BYTES:]
        return placed, anew

    def read_placed(self, places: list[tuple[int, int]]) -> list[dict[str, Any]]:
        """The lines at these (offset, length) places, parsed, as `new_placed` gave them (none when the file
        is gone: the next `new_placed` starts over)."""
        if not places:
            return []
        try:
            with self.path.open("rb") as f:
                lines = []
                for offset, length in places:
                    f.seek(offset)
                    lines.append(json.loads(f.read(length)))
                return lines
        except FileNotFoundError:
            return []

    def _after_offset(self) -> bytes | None:
        """The bytes after the offset; None when the ones before it are not those read there."""
        start = self.offset - len(self.tail)
        with self.path.open("rb") as f:
            f.seek(start)
            data = f.read()
        if not data.startswith(self.tail):
            return None
        return data[len(self.tail) :]
