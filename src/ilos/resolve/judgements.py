"""Reviewers' judgements on pairs: stored beside the linkage and honoured by every later run."""

from __future__ import annotations

import fcntl
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.parquet as pq

from ilos.errors import InvalidInputError
from ilos.file_version import FileVersion, file_version

JUDGEMENTS_FILE = "judgements.parquet"
_LOCK_FILE = "judgements.lock"
Verdict = Literal["match", "no_match", "unsure"]
VERDICTS: tuple[Verdict, ...] = ("match", "no_match", "unsure")
VERDICTS_ACCEPTED = "match, no_match (also written no-match) or unsure"
SETTLING: tuple[Verdict, ...] = ("match", "no_match")
"""The verdicts that settle a pair; "unsure" holds it out of the review queue without deciding it."""
JUDGED_PAIRS_SCHEMA = pa.schema([("left", pa.string()), ("right", pa.string()), ("verdict", pa.string())])


@dataclass(frozen=True, slots=True)
class Judgement:
    left: str
    right: str
    verdict: Verdict
    judged_by: str
    judged_at: datetime


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def read_judgements(linkage_dir: Path) -> list[Judgement]:
    """Every judgement recorded in the directory, latest per pair winning."""
    return list(_latest_judgements(linkage_dir).values())


# Per file: its version (inode, modification time, size), its rows oldest first and the latest judgement
# per pair. A request may ask several times (an action re-checks each subject's gates), and every look at the
# review queue asks; the file is only ever replaced whole, one row longer (`record_judgement`), so a new
# version is a new key. One version per file is kept: a file of many judgements held once per version
# written would grow without need.
_Parsed = tuple[tuple[Judgement, ...], dict[tuple[str, str], Judgement]]
_READ: dict[Path, tuple[FileVersion, _Parsed]] = {}


def judgement_history(linkage_dir: Path) -> list[Judgement]:
    """Every judgement row, oldest first: the file is only appended to, so a row's position orders it
    without trusting clocks (the worker journals how many rows it had taken in)."""
    return list(_parsed(linkage_dir)[0])


def latest_rows(history: Sequence[Judgement], upto: int | None = None) -> dict[tuple[str, str], int]:
    """Per pair (left <= right), the position of its latest row among the first `upto` rows of `history`
    (every judgement row, oldest first; all of them when None): the verdict a run that read those rows
    honours. The pairs keep the order of their first row."""
    return {_pair(j.left, j.right): row for row, j in enumerate(history[:upto])}


def recorded_since(linkage_dir: Path, applied: int) -> frozenset[tuple[str, str]]:
    """The pairs (left <= right) whose latest judgement is not among the first `applied` rows: recorded since
    the files that reflect those rows were written, so what those files say of the pair predates it."""
    return frozenset(
        pair for pair, row in latest_rows(judgement_history(linkage_dir)).items() if row >= applied
    )


def _latest_judgements(linkage_dir: Path) -> dict[tuple[str, str], Judgement]:
    """The latest judgement per pair (left <= right)."""
    return _parsed(linkage_dir)[1]


def _parsed(linkage_dir: Path) -> _Parsed:
    """The file's rows and the latest per pair, parsed again only when the file is rewritten. The file is
    stat'ed before it is read, so what is kept is never older than the version it is kept under."""
    path = linkage_dir / JUDGEMENTS_FILE
    version = file_version(path)
    if version is None:
        return (), {}
    kept = _READ.get(path)
    if kept is not None and kept[0] == version:
        return kept[1]
    rows = tuple(
        Judgement(row["left"], row["right"], row["verdict"], row["judged_by"], row["judged_at"])
        for row in pq.read_table(path).to_pylist()
    )
    parsed = (rows, {_pair(j.left, j.right): j for j in rows})
    _READ[path] = (version, parsed)
    return parsed


def judged_pairs(judged: Iterable[Judgement], verdicts: Collection[Verdict] = VERDICTS) -> pa.Table:
    """The pairs judged with one of `verdicts` (left <= right, verdict; `JUDGED_PAIRS_SCHEMA`), for SQL to
    join scored pairs against: the review queue holds out every judged pair, gate inputs the settled ones."""
    kept = [j for j in judged if j.verdict in verdicts]
    return pa.table(
        {
            "left": [j.left for j in kept],
            "right": [j.right for j in kept],
            "verdict": [j.verdict for j in kept],
        },
        schema=JUDGED_PAIRS_SCHEMA,
    )


def settled_pairs(linkage_dir: Path) -> pa.Table:
    """The pairs a person settled (latest verdict "match" or "no_match"), as `judged_pairs`."""
    return judged_pairs(read_judgements(linkage_dir), SETTLING)


def parse_verdict(text: str) -> Verdict:
    """The stored spelling of a typed verdict: people write `no-match`, the file holds `no_match`."""
    for verdict in VERDICTS:
        if text.replace("-", "_") == verdict:
            return verdict
    raise InvalidInputError(f"Verdict {text!r} is not one of {VERDICTS_ACCEPTED}")


def judgement_on(linkage_dir: Path, a: str, b: str) -> Judgement | None:
    """The judgement honoured for a pair, if anyone judged it."""
    return _latest_judgements(linkage_dir).get(_pair(a, b))


def record_judgement(linkage_dir: Path, left: str, right: str, verdict: str, judged_by: str) -> Judgement:
    """Append one judgement (history is kept; the latest per pair is the one honoured)."""
    stored = parse_verdict(verdict)
    if not judged_by.strip():
        raise InvalidInputError("A judgement needs the name of who made it (--by)")
    a, b = _pair(left, right)
    path = linkage_dir / JUDGEMENTS_FILE
    with _writing(linkage_dir):  # stamped inside: the file's order is the order of the stamps
        judgement = Judgement(a, b, stored, judged_by, datetime.now(UTC))
        row = {
            "left": a,
            "right": b,
            "verdict": stored,
            "judged_by": judged_by,
            "judged_at": judgement.judged_at,
        }
        rows = pq.read_table(path).to_pylist() if path.exists() else []
        tmp = path.with_suffix(".tmp")
        pq.write_table(pa.Table.from_pylist([*rows, row], schema=_SCHEMA), tmp)
        tmp.replace(path)
    return judgement


_SCHEMA = pa.schema(
    [
        ("left", pa.string()),
        ("right", pa.string()),
        ("verdict", pa.string()),
        ("judged_by", pa.string()),
        ("judged_at", pa.timestamp("us", tz="UTC")),
    ]
)


@contextmanager
def _writing(linkage_dir: Path) -> Iterator[None]:
    """One writer at a time, across threads and processes (the API serves several reviewers): two writes at
    once would each replace the file with their own row added, losing the other's, and the worker takes rows
    in by position."""
    with (linkage_dir / _LOCK_FILE).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
