"""Which date-of-birth level a pair of dates falls in, by the Python twin and by the SQL Splink runs: two
1 Januaries of one year are a default date twice, not a day and month swapped (they once scored as one)."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from ilos.resolve.model_spec import date_of_birth_comparison

COMPARISON = date_of_birth_comparison()


def _first_level_in_sql(left: date, right: date) -> str:
    con = duckdb.connect()
    try:
        for level in COMPARISON.levels:
            found = con.execute(
                f"SELECT count(*) FROM (SELECT ?::DATE AS date_of_birth_l, ?::DATE AS date_of_birth_r, "
                f"? AS dob_is_default_l, ? AS dob_is_default_r) WHERE {level.sql}",
                [left, right, _is_default(left), _is_default(right)],
            ).fetchall()[0][0]
            if found:
                return level.label
    finally:
        con.close()
    raise AssertionError("no level matched")


def _is_default(day: date) -> bool:
    return day.month == 1 and day.day == 1


def _first_level_in_python(left: date, right: date) -> str:
    rec_l = {"date_of_birth": left, "dob_is_default": _is_default(left)}
    rec_r = {"date_of_birth": right, "dob_is_default": _is_default(right)}
    gamma = COMPARISON.gamma(rec_l, rec_r)
    return COMPARISON.levels[len(COMPARISON.levels) - 1 - gamma].label


@pytest.mark.parametrize(
    ("left", "right", "label"),
    [
        (date(1973, 1, 1), date(1973, 1, 1), "same year, one a default 1 January"),
        (date(1980, 3, 4), date(1980, 4, 3), "day and month swapped"),
        (date(1980, 5, 5), date(1980, 5, 5), "exact"),
        (date(1973, 1, 1), date(1973, 6, 9), "same year, one a default 1 January"),
    ],
)
def test_each_pair_falls_in_one_level_in_both_engines(left: date, right: date, label: str) -> None:
    assert _first_level_in_python(left, right) == label
    assert _first_level_in_sql(left, right) == label
