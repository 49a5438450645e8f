"""File locks on a linkage directory: the change worker's (one worker per directory, `worker_claim`) and the
writers' (one `ilos link` or `ilos link add` at a time).

Why writers take one: a run reads the linkage it replaces (clusters for stable ids, records, the journal)
and writes it whole at the end, so two at once would each write what they read: a second add's
`clusters.parquet` would drop the first's records (held in `records.parquet`, in no subject), a re-run
landing under an add would pair the add's old clusters with the run's new records. The worker does not take
it: it reloads what a run publishes (`Worker.reload_if_batch_changed`), and a run takes in what it journaled."""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ilos.errors import ConflictError

WRITER_LOCK = ".linkage-writer.lock"  # in the linkage directory


@contextmanager
def file_lock(path: Path) -> Iterator[bool]:
    """True while this process holds the exclusive lock on `path` (released when the process ends, however
    it ends); False when another holder has it. Never waits. A lock taken on a file its holder removed
    meanwhile (`writing_linkage`'s clean-up) is no lock: the path is opened again."""
    for _ in range(3):
        path.parent.mkdir(parents=True, exist_ok=True)  # a writer's clean-up may have just removed it
        with path.open("a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                if not _is_the_file_at(path, handle.fileno()):
                    continue
                yield True
                return
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    yield False


def _is_the_file_at(path: Path, descriptor: int) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(descriptor).st_ino
    except FileNotFoundError:
        return False


@contextmanager
def writing_linkage(linkage_dir: Path, command: str) -> Iterator[None]:
    """Hold the linkage's writer lock while `command` (`ilos link`, `ilos link add`) reads and rewrites it; a
    409 naming the holder when another writer has it. A directory created for the lock is removed again if
    the writer leaves nothing else in it (a run that failed leaves no directory behind)."""
    created = not linkage_dir.exists()
    linkage_dir.mkdir(parents=True, exist_ok=True)
    path = linkage_dir / WRITER_LOCK
    with file_lock(path) as held:
        if not held:
            holder = _holder(path)
            raise ConflictError(
                f"{holder} is writing the linkage in {linkage_dir} (it holds {path}); `{command}` would overwrite "
                "what it writes. Wait for it to finish, then run again"
            )
        since = datetime.now(UTC).isoformat(timespec="seconds")
        path.write_text(
            f"`{command}` (pid {os.getpid()} on {socket.gethostname()}, since {since})\n", encoding="utf-8"
        )
        try:
            yield
        finally:
            path.write_text("", encoding="utf-8")
            if created and [p.name for p in linkage_dir.iterdir()] == [WRITER_LOCK]:
                _remove_quietly(path, linkage_dir)  # still held: a writer waiting on it finds it gone


def _holder(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip() or "another process"
    except FileNotFoundError:  # its holder has just finished and removed it
        return "another process"


def _remove_quietly(path: Path, directory: Path) -> None:
    """Remove the lock file and the directory made for it; a failure here must not hide the run's own error."""
    with contextlib.suppress(OSError):
        path.unlink()
        directory.rmdir()
