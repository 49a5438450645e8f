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
    path = linkage_dir / JUDGEMENTS_FILE
    if not path.exists():
        return []
    latest: dict[tuple[str, str], Judgement] = {}
    for row in pq.read_table(path).to_pylist():
        j = Judgement(row["left"], row["right"], row["verdict"], row["judged_by"], row["judged_at"])
        latest[_pair(j.left, j.right)] = j
    return list(latest.values())


def record_judgement(linkage_dir: Path, left: str, right: str, verdict: str, judged_by: str) -> Judgement:
    """Append one judgement (history is kept; the latest per pair is the one honoured)."""
    if verdict not in VERDICTS:
        raise InvalidInputError(f"Verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
    if not judged_by.strip():
        raise InvalidInputError("A judgement needs the name of who made it (--by)")
    a, b = _pair(left, right)
    judgement = Judgement(a, b, verdict, judged_by, datetime.now(UTC))
    path = linkage_dir / JUDGEMENTS_FILE
    rows = pq.read_table(path).to_pylist() if path.exists() else []
    rows.append(
        {"left": a, "right": b, "verdict": verdict, "judged_by": judged_by, "judged_at": judgement.judged_at}
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
