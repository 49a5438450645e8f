"""A file's version as the caches beside a linkage key it: files there are replaced whole (written beside,
then renamed), so a rewrite gives a new inode; the modification time and size also tell apart a rewrite in
place, as a copy tool may make one."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple


class FileVersion(NamedTuple):
    inode: int
    modified_ns: int
    size: int


def file_version(path: str | Path) -> FileVersion | None:
    """The file's version now; None without the file."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return FileVersion(found.st_ino, found.st_mtime_ns, found.st_size)
