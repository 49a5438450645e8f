"""Scoring one pair with a trained model, in Python: the same comparison levels, m/u parameters and
term-frequency adjustments Splink applies in batch, for the incremental linker's per-record path."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ilos.resolve import model_spec
from ilos.resolve.pair_functions import Rec


@dataclass(frozen=True, slots=True)
class LevelParameters:
    weight: float
    tf_column: str | None
    log2_u_exact: float
    tf_minimum_u: float


@dataclass(frozen=True, slots=True)
class PairScore:
    gammas: tuple[int, ...]
    weights: tuple[float, ...]
    """Each comparison's level weight, log2(m/u) (0: missing)."""
    tf_weights: tuple[float, ...]
    """Each comparison's term-frequency adjustment (0 where its level has none), kept apart as Splink keeps it."""
    match_weight: float
    """The prior plus every weight and adjustment."""

    @property
    def match_probability(self) -> float:
        return 1.0 / (1.0 + 2.0 ** (-self.match_weight)) if self.match_weight > -1000 else 0.0


def term_frequencies(values: Iterable[Any]) -> dict[Any, float]:
    """Each value's share of the non-null values of a column, as Splink's tf tables compute it."""
    counts: Counter[Any] = Counter(v for v in values if v is not None)
    total = max(sum(counts.values()), 1)
    return {value: n / total for value, n in counts.items()}


def tf_columns_of(model: Mapping[str, Any]) -> set[str]:
    """The columns a trained model adjusts by term frequency (their tables must be supplied)."""
    return {
        str(level["tf_adjustment_column"])
        for comparison in model["comparisons"]
        for level in comparison["comparison_levels"]
        if level.get("tf_adjustment_column") and level.get("tf_adjustment_weight", 0)
    }


def prior_weight(model: Mapping[str, Any]) -> float:
    """log2 of the prior odds that two records match: where every pair's total starts."""
    prior = float(model["probability_two_random_records_match"])
    return math.log2(prior / (1.0 - prior))


class PairScorer:
    """The trained model (model.json) applied to Python records."""

    def __init__(self, model: Mapping[str, Any], tf_tables: Mapping[str, Mapping[Any, float]]) -> None:
        self.prior_weight = prior_weight(model)
        self.comparisons = model_spec.comparisons()
        self.tf_tables = tf_tables
        by_name = {c["output_column_name"]: c for c in model["comparisons"]}
        self.levels: list[dict[int, LevelParameters]] = [
            _level_parameters(by_name[c.name]) for c in self.comparisons
        ]

    def score(self, left: Rec, right: Rec) -> PairScore:
        gammas, weights, tf_weights = [], [], []
        for comparison, params in zip(self.comparisons, self.levels, strict=True):
            gamma = comparison.gamma(left, right)
            weight = tf_weight = 0.0
            if gamma >= 0:
                level = params[gamma]
                weight = level.weight
                if level.tf_column is not None:
                    tf_weight = self._tf_adjustment(level, level.tf_column, left, right)
            gammas.append(gamma)
            weights.append(weight)
            tf_weights.append(tf_weight)
        total = self.prior_weight + sum(weights) + sum(tf_weights)
        return PairScore(tuple(gammas), tuple(weights), tuple(tf_weights), total)

    def _tf_adjustment(self, level: LevelParameters, tf_column: str, left: Rec, right: Rec) -> float:
        table = self.tf_tables.get(tf_column, {})
        tf_l, tf_r = table.get(left.get(tf_column)), table.get(right.get(tf_column))
        if tf_l is None and tf_r is None:
            return 0.0
        tf_u = max(tf_l or tf_r or 0.0, tf_r or tf_l or 0.0, level.tf_minimum_u)
        return level.log2_u_exact - math.log2(tf_u)


def _level_parameters(comparison: Mapping[str, Any]) -> dict[int, LevelParameters]:
    """Gamma -> weight and tf settings, numbered as Splink numbers them (first non-null level highest)."""
    levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
    u_exact = _u_of_exact_levels(levels)
    out: dict[int, LevelParameters] = {}
    for i, level in enumerate(levels):
        m, u = level.get("m_probability"), level.get("u_probability")
        weight = math.log2(m / u) if m and u else 0.0
        tf_column = level.get("tf_adjustment_column") if level.get("tf_adjustment_weight", 0) else None
        if tf_column and level.get("disable_tf_exact_match_detection") and u:
            log2_u = math.log2(u)  # Splink then measures the adjustment from this level's own u
        else:
            log2_u = math.log2(u_exact[tf_column]) if tf_column and u_exact.get(tf_column) else 0.0
        out[len(levels) - 1 - i] = LevelParameters(
            weight, tf_column, log2_u, float(level.get("tf_minimum_u_value", 0.0))
        )
    return out


def _u_of_exact_levels(levels: list[Mapping[str, Any]]) -> dict[str, float]:
    """u of the level `"col_l" = "col_r"` per column: the base a tf adjustment is measured from."""
    out: dict[str, float] = {}
    for level in levels:
        sql = str(level.get("sql_condition", "")).replace(" ", "")
        if sql.count("=") == 1 and sql.startswith('"') and sql.endswith('_r"') and level.get("u_probability"):
            column = sql.split("=")[0].strip('"').removesuffix("_l")
            out[column] = float(level["u_probability"])
    return out
