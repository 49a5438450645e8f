"""Python twins of the DuckDB functions the comparison levels use, with SQL's NULL semantics.

The incremental linker scores one record against its candidates in Python; these functions let each level
state its condition once for SQL (Splink, batch) and once for Python (incremental), and a test checks that
both give Splink's own comparison vectors on real pairs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import jellyfish

Rec = Mapping[str, Any]


def eq(a: object, b: object) -> bool:
    """SQL `a = b` in a WHEN: NULL on either side is not a match."""
    return a is not None and b is not None and a == b


def jw(a: str | None, b: str | None) -> float | None:
    if a is None or b is None:
        return None
    return float(jellyfish.jaro_winkler_similarity(a, b))


def jw_at_least(a: str | None, b: str | None, threshold: float) -> bool:
    score = jw(a, b)
    return score is not None and score >= threshold


def damerau_at_most(a: str | None, b: str | None, edits: int) -> bool:
    return a is not None and b is not None and jellyfish.damerau_levenshtein_distance(a, b) <= edits


def date_digits_at_most(a: date | None, b: date | None, edits: int) -> bool:
    """levenshtein(strftime(a, '%Y%m%d'), strftime(b, '%Y%m%d')) <= edits."""
    if a is None or b is None:
        return False
    return jellyfish.levenshtein_distance(a.strftime("%Y%m%d"), b.strftime("%Y%m%d")) <= edits


def days_apart_at_most(a: date | None, b: date | None, days: int) -> bool:
    return a is not None and b is not None and abs((a - b).days) <= days


def day_month_swapped(a: date | None, b: date | None) -> bool:
    """The same day with day and month exchanged, and so another date (two 1 Januaries are not swapped)."""
    return (
        a is not None
        and b is not None
        and a.year == b.year
        and a.month == b.day
        and a.day == b.month
        and a.day != a.month
    )


def keys(value: Sequence[str] | None) -> Sequence[str]:
    return value if value is not None else ()


def overlap(left: Sequence[str] | None, right: Sequence[str] | None) -> int:
    """len(list_intersect(l, r)) over name keys, which are sorted and unique."""
    return len(set(keys(left)) & set(keys(right)))


def residual(side: Sequence[str] | None, other: Sequence[str] | None) -> str:
    """array_to_string(list_filter(side, x -> NOT list_contains(other, x)), ' ')."""
    others = set(keys(other))
    return " ".join(k for k in keys(side) if k not in others)


def coalesce(*values: object) -> object:
    for value in values:
        if value is not None:
            return value
    return None
