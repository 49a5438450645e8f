"""Which name level a pair falls in, by the Python twin and by the SQL Splink runs: the same whole name counts
as "same names" (a rare whole name's weight) only with a given name on both sides; a surname alone agreeing
with a surname alone is one shared name (four unidentified GARCIAs at one jail once merged at p 0.976)."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from ilos.resolve.model_spec import name_comparison
from ilos.resolve.records import name_key_of

COMPARISON = name_comparison()
_COLUMNS = ("name_keys", "name_key", "given_name", "given_name_canonical", "family_first")


def _record(given: str | None, family: str) -> dict[str, Any]:
    keys = sorted({*(given.split() if given else ()), *family.split()})
    return {"name_keys": keys, "name_key": name_key_of(keys), "given_name": given,
            "given_name_canonical": given, "family_first": family.split()[0]}  # fmt: skip


def _level_in_python(left: dict[str, Any], right: dict[str, Any]) -> str:
    gamma = COMPARISON.gamma(left, right)
    return COMPARISON.levels[len(COMPARISON.levels) - 1 - gamma].label


def _level_in_sql(left: dict[str, Any], right: dict[str, Any]) -> str:
    names = [f"{c}_{side}" for side in "lr" for c in _COLUMNS]
    values = [rec[c] for rec in (left, right) for c in _COLUMNS]
    selected = ", ".join(
        f"?{'::VARCHAR[]' if n.startswith('name_keys') else '::VARCHAR'} AS {n}" for n in names
    )
    with duckdb.connect() as con:
        for level in COMPARISON.levels:
            sql = f"SELECT count(*) FROM (SELECT {selected}) WHERE {level.sql}"
            if con.execute(sql, values).fetchall()[0][0]:
                return level.label
    raise AssertionError("no level matched")


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        (_record("ANA", "GARCIA"), _record("ANA", "GARCIA"), "same names"),
        (_record(None, "GARCIA"), _record(None, "GARCIA"), "share one name"),
        (_record(None, "GARCIA LOPEZ"), _record(None, "GARCIA LOPEZ"), "one name contains the other"),
        (_record("ANA", "GARCIA"), _record(None, "GARCIA"), "share one name"),
    ],
)
def test_the_same_whole_name_needs_a_given_name_on_both_sides(
    left: dict[str, Any], right: dict[str, Any], level: str
) -> None:
    assert _level_in_python(left, right) == level
    assert _level_in_sql(left, right) == level
