"""The ILOS person-match model as Splink settings: comparisons and blocking built for multi-source person data.

Levels are SQL over the standardized columns (see docs/standardization.md). Placeholder values were nulled by
standardization, so they land in null levels and never count as evidence.
"""

from __future__ import annotations

from typing import Any

MODEL_VERSION = "ilos-person-2"

Level = dict[str, Any]


def _null(*columns: str) -> Level:
    cond = " OR ".join(f'"{c}_l" IS NULL OR "{c}_r" IS NULL' for c in columns)
    return {"sql_condition": cond, "label_for_charts": "missing", "is_null_level": True}


def _level(sql: str, label: str, tf_column: str | None = None) -> Level:
    level: Level = {"sql_condition": sql, "label_for_charts": label}
    if tf_column:
        level["tf_adjustment_column"] = tf_column
        level["tf_adjustment_weight"] = 1.0
    return level


_ELSE: Level = {"sql_condition": "ELSE", "label_for_charts": "different"}


def _residual(side: str, other: str) -> str:
    """The name keys of one side that the other side lacks, joined in order."""
    return f'array_to_string(list_filter("name_keys_{side}", lambda x: NOT list_contains("name_keys_{other}", x)), \' \')'


_OVERLAP = 'len(list_intersect("name_keys_l", "name_keys_r"))'
_SHORTER = 'least(len("name_keys_l"), len("name_keys_r"))'


def name_comparison() -> dict[str, Any]:
    """The whole name, order-free: sources disagree on which part is the given name, so positional and
    token-set evidence are combined in one comparison (separate ones would double count)."""
    residual_l, residual_r = _residual("l", "r"), _residual("r", "l")
    return {
        "output_column_name": "name",
        "comparison_description": "name",
        "comparison_levels": [
            {
                "sql_condition": 'len("name_keys_l") = 0 OR len("name_keys_r") = 0 '
                'OR "name_keys_l" IS NULL OR "name_keys_r" IS NULL',
                "label_for_charts": "missing",
                "is_null_level": True,
            },
            _level('"name_key_l" = "name_key_r"', "same names", "name_key"),
            _level(
                '"given_name_canonical_l" = "given_name_canonical_r" AND "family_first_l" = "family_first_r"',
                "same given name and first surname",
            ),
            _level(f"{_OVERLAP} >= 2 AND {_OVERLAP} = {_SHORTER}", "one name contains the other"),
            _level(
                f"{_OVERLAP} >= 1 AND jaro_winkler_similarity({residual_l}, {residual_r}) >= 0.88",
                "names differ by a typo",
            ),
            _level(f"{_OVERLAP} >= 2", "share two names"),
            _level(f"{_OVERLAP} = 1", "share one name"),
            _level('jaro_winkler_similarity("name_key_l", "name_key_r") >= 0.85', "similar"),
            _ELSE,
        ],
    }


NAME_AGREES_SQL = (
    f'("name_key_l" = "name_key_r" OR ("given_name_canonical_l" = "given_name_canonical_r" '
    f'AND "family_first_l" = "family_first_r") OR ({_OVERLAP} >= 2 AND {_OVERLAP} = {_SHORTER}) OR '
    f"({_OVERLAP} >= 1 AND jaro_winkler_similarity({_residual('l', 'r')}, {_residual('r', 'l')}) >= 0.88))"
)
"""Names compatible with one person (same, nickname, contained, or a typo apart): household rule input."""


def date_of_birth_comparison() -> dict[str, Any]:
    """Date of birth: exact, day/month swapped, a default 1 January in the right year, one-digit typo."""
    return {
        "output_column_name": "date_of_birth",
        "comparison_description": "date of birth",
        "comparison_levels": [
            _null("date_of_birth"),
            _level(
                '"date_of_birth_l" = "date_of_birth_r" AND NOT ("dob_is_default_l" AND "dob_is_default_r")',
                "exact",
            ),
            _level(
                'year("date_of_birth_l") = year("date_of_birth_r") '
                'AND month("date_of_birth_l") = day("date_of_birth_r") '
                'AND day("date_of_birth_l") = month("date_of_birth_r")',
                "day and month swapped",
            ),
            _level(
                'year("date_of_birth_l") = year("date_of_birth_r") AND ("dob_is_default_l" OR "dob_is_default_r")',
                "same year, one a default 1 January",
            ),
            _level(
                "levenshtein(strftime(\"date_of_birth_l\", '%Y%m%d'), strftime(\"date_of_birth_r\", '%Y%m%d')) <= 1",
                "one digit different",
            ),
            _level('abs(datediff(\'day\', "date_of_birth_l", "date_of_birth_r")) <= 366', "within a year"),
            _ELSE,
        ],
    }


def identifier_comparison(column: str, description: str, typo_level: bool = True) -> dict[str, Any]:
    """An identifier: exact, one edit apart (a mistyped digit), or different."""
    levels = [_null(column), _level(f'"{column}_l" = "{column}_r"', "exact")]
    if typo_level:
        levels.append(_level(f'damerau_levenshtein("{column}_l", "{column}_r") <= 1', "one edit apart"))
    levels.append(_ELSE)
    return {"output_column_name": column, "comparison_description": description, "comparison_levels": levels}


def address_comparison() -> dict[str, Any]:
    """Where the person was seen: same address, same street in the same postal code, same postal code, same city."""
    return {
        "output_column_name": "address",
        "comparison_description": "address",
        "comparison_levels": [
            {
                "sql_condition": '("postal_code_l" IS NULL AND "city_l" IS NULL) '
                'OR ("postal_code_r" IS NULL AND "city_r" IS NULL)',
                "label_for_charts": "missing",
                "is_null_level": True,
            },
            _level('"address_key_l" = "address_key_r"', "same address", "address_key"),
            _level(
                '"postal_code_l" = "postal_code_r" AND jaro_winkler_similarity("street_l", "street_r") >= 0.9',
                "similar street, same postal code",
            ),
            _level('"postal_code_l" = "postal_code_r"', "same postal code"),
            _level('"city_l" = "city_r" AND "state_l" = "state_r"', "same city"),
            _ELSE,
        ],
    }


def country_comparison() -> dict[str, Any]:
    """Country of birth or nationality, either way round (sources record one or the other)."""
    return {
        "output_column_name": "country",
        "comparison_description": "country of birth / nationality",
        "comparison_levels": [
            {
                "sql_condition": '(COALESCE("country_of_birth_l", "nationality_l") IS NULL) '
                'OR (COALESCE("country_of_birth_r", "nationality_r") IS NULL)',
                "label_for_charts": "missing",
                "is_null_level": True,
            },
            _level(
                'COALESCE("country_of_birth_l", "nationality_l") = COALESCE("country_of_birth_r", "nationality_r") '
                'OR "nationality_l" = "nationality_r" OR "country_of_birth_l" = "country_of_birth_r"',
                "same country",
            ),
            _ELSE,
        ],
    }


def sex_comparison() -> dict[str, Any]:
    return {
        "output_column_name": "sex",
        "comparison_description": "sex",
        "comparison_levels": [_null("sex"), _level('"sex_l" = "sex_r"', "same"), _ELSE],
    }


def comparisons() -> list[dict[str, Any]]:
    """Every comparison of the model, in display order."""
    return [
        name_comparison(),
        date_of_birth_comparison(),
        sex_comparison(),
        identifier_comparison("a_number", "A-number"),
        identifier_comparison("ssn", "SSN-like number"),
        identifier_comparison("passport_number", "passport number"),
        identifier_comparison("fbi_number", "FBI number", typo_level=False),
        identifier_comparison("state_id", "state id", typo_level=False),
        identifier_comparison("phone", "phone", typo_level=False),
        address_comparison(),
        country_comparison(),
    ]


# Blocking: each rule admits true pairs that survive a different kind of error; together they cover typos in
# any one field, dropped maternal surnames, swapped names and records that lack a date of birth.
PREDICTION_BLOCKING_SQL: tuple[str, ...] = (
    'l."a_number" = r."a_number"',
    'l."ssn" = r."ssn"',
    'l."passport_number" = r."passport_number"',
    'l."fbi_number" = r."fbi_number"',
    'l."state_id" = r."state_id"',
    'l."family_phonetic" = r."family_phonetic" AND l."date_of_birth" = r."date_of_birth"',
    'l."given_name_canonical" = r."given_name_canonical" AND l."date_of_birth" = r."date_of_birth"',
    'l."family_first" = r."family_first" AND l."given_name_canonical" = r."given_name_canonical" '
    'AND l."dob_year" = r."dob_year"',
    'l."family_first" = r."family_first" AND l."given_name_canonical" = r."given_name_canonical" '
    'AND l."postal_code" = r."postal_code"',
    'l."name_key" = r."name_key" AND l."dob_year" = r."dob_year"',
    'l."name_key" = r."name_key" AND l."postal_code" = r."postal_code"',
    'l."address_key" = r."address_key" AND l."given_phonetic" = r."given_phonetic"',
    'l."address_key" = r."address_key" AND l."family_phonetic" = r."given_phonetic"',
    'l."given_name" = r."family_first" AND l."family_first" = r."given_name" AND l."dob_year" = r."dob_year"',
)

# EM runs once per rule; each rule leaves the comparisons it does not use to be estimated.
TRAINING_BLOCKING_SQL: tuple[str, ...] = (
    'l."date_of_birth" = r."date_of_birth"',
    'l."family_first" = r."family_first" AND l."given_name_canonical" = r."given_name_canonical"',
    'l."a_number" = r."a_number"',
    'l."address_key" = r."address_key"',
)

# Deterministic rules (very few false positives) used to estimate the prior match probability.
DETERMINISTIC_SQL: tuple[str, ...] = (
    'l."given_name" = r."given_name" AND l."family_name" = r."family_name" '
    'AND l."date_of_birth" = r."date_of_birth"',
    'l."a_number" = r."a_number" AND l."family_first" = r."family_first"',
)


def settings_dict() -> dict[str, Any]:
    """The untrained model: Splink settings for deduplicating the union of every source."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "comparisons": comparisons(),
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": sql, "sql_dialect": "duckdb"} for sql in PREDICTION_BLOCKING_SQL
        ],
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": ["dob_is_default", "source"],
        "max_iterations": 20,
        "em_convergence": 0.001,
    }
