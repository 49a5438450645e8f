"""Why two records were (or were not) linked: each comparison's level, values and match weight."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ilos.errors import NotFoundError
from ilos.resolve import model_spec


@dataclass(frozen=True, slots=True)
class ComparisonExplanation:
    comparison: str
    level: str
    match_weight: float


@dataclass(frozen=True, slots=True)
class PairExplanation:
    left: str
    right: str
    match_probability: float
    match_weight: float
    decision: str
    same_subject: bool
    comparisons: tuple[ComparisonExplanation, ...]


def level_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """Each comparison's levels by comparison-vector value (-1: missing), as the trained model labels them."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in model.get("comparisons", []):
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        name = comparison["output_column_name"]
        labels[name] = {len(levels) - 1 - i: lv.get("label_for_charts", "") for i, lv in enumerate(levels)}
        labels[name][-1] = "missing"
    return labels


def explain_pair(linkage_dir: Path, left: str, right: str) -> PairExplanation:
    """Read the stored link between two records (ids as `source|record_id` or `source:record_id`)."""
    a, b = (normalise_record_key(left), normalise_record_key(right))
    row = _find_link(linkage_dir, a, b)
    model = json.loads((linkage_dir / "model.json").read_text())
    labels = level_labels(model)
    parts = []
    for comparison in model_spec.comparisons():
        name = comparison.name
        gamma = int(row[f"gamma_{name}"])
        weight = float(row[f"mw_{name}"])
        parts.append(ComparisonExplanation(name, labels.get(name, {}).get(gamma, str(gamma)), weight))
    return PairExplanation(
        left=a,
        right=b,
        match_probability=float(row["match_probability"]),
        match_weight=float(row["match_weight"]),
        decision=str(row["decision"]),
        same_subject=bool(row["same_subject"]),
        comparisons=tuple(parts),
    )


def normalise_record_key(record: str) -> str:
    """Accept `source:record_id` as typed by people, store `source|record_id`."""
    return record if "|" in record else record.replace(":", "|", 1)


def _find_link(linkage_dir: Path, a: str, b: str) -> dict[str, Any]:
    if not (linkage_dir / "links.parquet").is_file():
        raise NotFoundError(f"No linkage at {linkage_dir}; run `ilos link CONFIG --out {linkage_dir}` first")
    con = duckdb.connect()
    links = str(linkage_dir / "links.parquet")
    result = con.execute(
        "SELECT * FROM read_parquet(?) WHERE (unique_id_l = ? AND unique_id_r = ?) "
        "OR (unique_id_l = ? AND unique_id_r = ?) LIMIT 1",
        [links, a, b, b, a],
    )
    row = result.fetchone()
    if row is None:
        raise NotFoundError(
            f"No scored pair between {a!r} and {b!r}: they were never compared (no blocking rule put them "
            f"together) or scored below the floor, so there is no evidence linking them"
        )
    columns = [d[0] for d in result.description]
    return dict(zip(columns, row, strict=True))


def prior_weight(model: dict[str, Any]) -> float:
    prior = float(model.get("probability_two_random_records_match", 1e-4))
    return math.log2(prior / (1 - prior))
