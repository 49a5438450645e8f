"""Reviewers' judgements on pairs: stored beside the linkage and honoured by every later run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.parquet as pq

from ilos.errors import InvalidInputError

JUDGEMENTS_FILE = "judgements.parquet"
Verdict = Literal["match", "no_match", "unsure"]
VERDICTS: tuple[Verdict, ...] = ("match", "no_match", "unsure")
VERDICTS_ACCEPTED = "match, no_match (also written no-match) or unsure"


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
    latest = {_pair(j.left, j.right): j for j in judgement_history(linkage_dir)}
    return list(latest.values())


def judgement_history(linkage_dir: Path) -> list[Judgement]:
    """Every judgement row, oldest first: the file is only appended to, so a row's position orders it
    without trusting clocks (the worker journals how many rows it had taken in)."""
    path = linkage_dir / JUDGEMENTS_FILE
    if not path.exists():
        return []
    return [
        Judgement(row["left"], row["right"], row["verdict"], row["judged_by"], row["judged_at"])
        for row in pq.read_table(path).to_pylist()
    ]


def parse_verdict(text: str) -> Verdict:
    """The stored spelling of a typed verdict: people write `no-match`, the file holds `no_match`."""
    for verdict in VERDICTS:
        if text.replace("-", "_") == verdict:
            return verdict
    raise InvalidInputError(f"Verdict {text!r} is not one of {VERDICTS_ACCEPTED}")


def judgement_on(linkage_dir: Path, a: str, b: str) -> Judgement | None:
    """The judgement honoured for a pair, if anyone judged it."""
    wanted = _pair(a, b)
    return next((j for j in read_judgements(linkage_dir) if _pair(j.left, j.right) == wanted), None)


def record_judgement(linkage_dir: Path, left: str, right: str, verdict: str, judged_by: str) -> Judgement:
    """Append one judgement (history is kept; the latest per pair is the one honoured)."""
    stored = parse_verdict(verdict)
    if not judged_by.strip():
        raise InvalidInputError("A judgement needs the name of who made it (--by)")
    a, b = _pair(left, right)
    judgement = Judgement(a, b, stored, judged_by, datetime.now(UTC))
    path = linkage_dir / JUDGEMENTS_FILE
    rows = pq.read_table(path).to_pylist() if path.exists() else []
    rows.append(
        {"left": a, "right": b, "verdict": stored, "judged_by": judged_by, "judged_at": judgement.judged_at}
    )
    schema = pa.schema(
        [
            ("left", pa.string()),
            ("right", pa.string()),
            ("verdict", pa.string()),
            ("judged_by", pa.string()),
            ("judged_at", pa.timestamp("us", tz="UTC")),
        ]
    )
    tmp = path.with_suffix(".tmp")
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), tmp)
    tmp.replace(path)
    return judgement
