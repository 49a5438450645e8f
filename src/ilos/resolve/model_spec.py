"""The ILOS person-match model: comparisons and blocking built for multi-source person data.

Each comparison level states its condition twice, side by side: as SQL for Splink (batch linkage) and as a
Python predicate for the incremental linker. `tests/integration/resolve/test_levels_agree.py` checks, on
every pair Splink scored, that both give the same comparison vector. Placeholder values were nulled by
standardization, so they land in null levels and never count as evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ilos.resolve import pair_functions as f
from ilos.resolve.pair_functions import Rec

MODEL_VERSION = "ilos-person-11"

Predicate = Callable[[Rec, Rec], bool]


@dataclass(frozen=True, slots=True)
class Level:
    label: str
    sql: str
    test: Predicate
    is_null: bool = False
    tf_column: str | None = None
    tf_from_own_u: bool = False
    """Measure the tf adjustment from this level's u (its condition is more than `col_l = col_r`)."""

    def splink(self) -> dict[str, Any]:
        level: dict[str, Any] = {"sql_condition": self.sql, "label_for_charts": self.label}
        if self.is_null:
            level["is_null_level"] = True
        if self.tf_column:
            level["tf_adjustment_column"] = self.tf_column
            level["tf_adjustment_weight"] = 1.0
        if self.tf_from_own_u:
            level["disable_tf_exact_match_detection"] = True
        return level


def gamma_column(comparison: str) -> str:
    """A comparison's level in links.parquet (Splink's comparison-vector value; -1: missing)."""
    return f"gamma_{comparison}"


def weight_column(comparison: str) -> str:
    """A comparison's level weight in links.parquet (Splink's name for it)."""
    return f"mw_{comparison}"


def tf_weight_column(comparison: str) -> str:
    """A comparison's term-frequency adjustment in links.parquet, where a level has one: stored apart from the
    level's weight, as Splink scores it, so an explanation reads it rather than guessing it."""
    return f"mw_tf_adj_{comparison}"


@dataclass(frozen=True, slots=True)
class Comparison:
    """A null level first, then levels from most to least alike; the last is the ELSE level."""

    name: str
    description: str
    levels: tuple[Level, ...]
    _tests: tuple[Predicate, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The non-null levels' predicates, most alike first: read once per pair, so looked up once here.
        object.__setattr__(self, "_tests", tuple(level.test for level in self.levels[1:]))

    def splink(self) -> dict[str, Any]:
        return {
            "output_column_name": self.name,
            "comparison_description": self.description,
            "comparison_levels": [level.splink() for level in self.levels],
        }

    @property
    def tf_adjusted(self) -> bool:
        """Some level adds a term-frequency adjustment (Splink then scores it in a column of its own)."""
        return any(level.tf_column for level in self.levels)

    @property
    def gamma_column(self) -> str:
        return gamma_column(self.name)

    @property
    def weight_column(self) -> str:
        return weight_column(self.name)

    @property
    def tf_weight_column(self) -> str | None:
        return tf_weight_column(self.name) if self.tf_adjusted else None

    def gamma(self, left: Rec, right: Rec) -> int:
        """Splink's comparison vector value: -1 for the null level, then n-1 .. 0 down the levels."""
        if self.levels[0].test(left, right):
            return -1
        gamma = len(self._tests) - 1
        for test in self._tests:
            if test(left, right):
                return gamma
            gamma -= 1
        return 0


def _null(*columns: str) -> Level:
    sql = " OR ".join(f'"{c}_l" IS NULL OR "{c}_r" IS NULL' for c in columns)
    if len(columns) == 1:
        (column,) = columns
        return Level("missing", sql, lambda l, r: l[column] is None or r[column] is None, is_null=True)
    return Level(
        "missing", sql, lambda l, r: any(l[c] is None or r[c] is None for c in columns), is_null=True
    )


def _exact(column: str, label: str = "exact", tf_column: str | None = None) -> Level:
    return Level(
        label, f'"{column}_l" = "{column}_r"', lambda l, r: f.eq(l[column], r[column]), tf_column=tf_column
    )


_ELSE = Level("different", "ELSE", lambda l, r: True)

_OVERLAP = 'len(list_intersect("name_keys_l", "name_keys_r"))'
_SHORTER = 'least(len("name_keys_l"), len("name_keys_r"))'


def _residual_sql(side: str, other: str) -> str:
    return f'array_to_string(list_filter("name_keys_{side}", lambda x: NOT list_contains("name_keys_{other}", x)), \' \')'


_TYPO_SQL = f"{_OVERLAP} >= 1 AND jaro_winkler_similarity({_residual_sql('l', 'r')}, {_residual_sql('r', 'l')}) >= 0.88"
_CONTAINS_SQL = f"{_OVERLAP} >= 2 AND {_OVERLAP} = {_SHORTER}"


def _shorter(l: Rec, r: Rec) -> int:
    return min(len(f.keys(l["name_keys"])), len(f.keys(r["name_keys"])))


def _contains(l: Rec, r: Rec) -> bool:
    n = f.overlap(l["name_keys"], r["name_keys"])
    return n >= 2 and n == _shorter(l, r)


def _typo(l: Rec, r: Rec) -> bool:
    if f.overlap(l["name_keys"], r["name_keys"]) < 1:
        return False
    rl, rr = f.residual(l["name_keys"], r["name_keys"]), f.residual(r["name_keys"], l["name_keys"])
    return f.jw_at_least(rl, rr, 0.88)


def _same_names(l: Rec, r: Rec) -> bool:
    """The same whole name, a given name in it on both sides: a surname alone ("FIRST NAME UNKNOWN GARCIA")
    agreeing with a surname alone is one name's evidence (the "share" levels below), not a whole name's (its
    term frequency among whole names is low, so it weighed as a rare full name)."""
    return f.eq(l["name_key"], r["name_key"]) and l["given_name"] is not None and r["given_name"] is not None


def _given_and_first_surname(l: Rec, r: Rec) -> bool:
    return f.eq(l["given_name_canonical"], r["given_name_canonical"]) and f.eq(
        l["family_first"], r["family_first"]
    )


def name_comparison() -> Comparison:
    """The whole name, order-free: sources disagree on which part is the given name, so positional and
    token-set evidence are combined in one comparison (separate ones would double count)."""
    return Comparison(
        "name",
        "name",
        (
            Level(
                "missing",
                'len("name_keys_l") = 0 OR len("name_keys_r") = 0 OR "name_keys_l" IS NULL OR "name_keys_r" IS NULL',
                lambda l, r: not f.keys(l["name_keys"]) or not f.keys(r["name_keys"]),
                is_null=True,
            ),
            Level(
                "same names",
                '"name_key_l" = "name_key_r" AND "given_name_l" IS NOT NULL AND "given_name_r" IS NOT NULL',
                _same_names,
                tf_column="name_key",
                tf_from_own_u=True,
            ),
            Level(
                "same given name and first surname",
                '"given_name_canonical_l" = "given_name_canonical_r" AND "family_first_l" = "family_first_r"',
                _given_and_first_surname,
            ),
            Level("one name contains the other", _CONTAINS_SQL, _contains),
            Level("names differ by a typo", _TYPO_SQL, _typo),
            Level(
                "share two names",
                f"{_OVERLAP} >= 2",
                lambda l, r: f.overlap(l["name_keys"], r["name_keys"]) >= 2,
            ),
            Level(
                "share one name",
                f"{_OVERLAP} = 1",
                lambda l, r: f.overlap(l["name_keys"], r["name_keys"]) == 1,
            ),
            Level(
                "similar",
                'jaro_winkler_similarity("name_key_l", "name_key_r") >= 0.85',
                lambda l, r: f.jw_at_least(l["name_key"], r["name_key"], 0.85),
            ),
            _ELSE,
        ),
    )


NAME_AGREES_SQL = (
    f'("name_key_l" = "name_key_r" OR ("given_name_canonical_l" = "given_name_canonical_r" '
    f'AND "family_first_l" = "family_first_r") OR ({_CONTAINS_SQL}) OR ({_TYPO_SQL}))'
)
"""Names compatible with one person (same, nickname, contained, or a typo apart): household rule input."""


def _given_and_first_surname_sql_truth(l: Rec, r: Rec) -> bool | None:
    """Three-valued, as SQL evaluates `a = b AND c = d` when a value is NULL."""
    parts = [
        None if l[c] is None or r[c] is None else l[c] == r[c]
        for c in ("given_name_canonical", "family_first")
    ]
    if False in parts:
        return False
    return None if None in parts else True


SAME_GIVEN_NAME_JW = 0.85
GIVEN_NAMES_COMPATIBLE_SQL = (
    '(COALESCE(jaro_winkler_similarity("given_name_canonical_l", "given_name_canonical_r") '
    f">= {SAME_GIVEN_NAME_JW}, TRUE) "
    'OR COALESCE(list_has_any("given_keys_l", "name_keys_r") AND list_has_any("given_keys_r", "name_keys_l"), FALSE))'
)
"""One given name, spelled two ways (LESLIE/LESLY, BRIAN/BRYAN), or unknown on a side; or each side's first
given word among the other's names: a nickname of several names keys as each reading (ALEX as ALEJANDRO) while
its canonical form is one of them, or given and family name swapped on one record. Both ways, so a father
JUAN CARLOS and his son CARLOS stay apart. Exact keys only: a fuzzy test would let given names that prefix a
surname (MARTIN/MARTINEZ, HERNAN/HERNANDEZ) release a father and son."""

HOUSEHOLD_CONFLICT_SQL = (
    'COALESCE(("address_key_l" IS NOT NULL AND "address_key_l" = "address_key_r" '
    f"AND ((NOT COALESCE({NAME_AGREES_SQL}, TRUE) AND NOT {GIVEN_NAMES_COMPATIBLE_SQL}) "
    "OR gamma_date_of_birth = 0)), FALSE)"
)
"""Same address and a clearly different given name or date of birth: parents, children, siblings, twins.
Household members share surnames, so only the given name (or the date of birth) tells them apart; one
person's records differ in middle names, initials and second surnames, which must not count against them."""


def _given_names_compatible(l: Rec, r: Rec) -> bool:
    a, b = l["given_name_canonical"], r["given_name_canonical"]
    return (
        a is None
        or b is None
        or f.jw_at_least(a, b, SAME_GIVEN_NAME_JW)
        or (_given_among_names(l, r) and _given_among_names(r, l))
    )


def _given_among_names(side: Rec, other: Rec) -> bool:
    return f.overlap(side["given_keys"], other["name_keys"]) > 0


def is_household_conflict(l: Rec, r: Rec, dob_gamma: int) -> bool:
    """Python twin of HOUSEHOLD_CONFLICT_SQL: names must *definitely* disagree (an unknown is no conflict)."""
    if not f.eq(l["address_key"], r["address_key"]):
        return False
    if dob_gamma == 0:
        return True
    if f.eq(l["name_key"], r["name_key"]) or _contains(l, r) or _typo(l, r) or _given_names_compatible(l, r):
        return False
    return _given_and_first_surname_sql_truth(l, r) is False


def _dob_exact(l: Rec, r: Rec) -> bool:
    return f.eq(l["date_of_birth"], r["date_of_birth"]) and not (l["dob_is_default"] and r["dob_is_default"])


def _dob_default_year(l: Rec, r: Rec) -> bool:
    a, b = l["date_of_birth"], r["date_of_birth"]
    return (
        a is not None
        and b is not None
        and a.year == b.year
        and bool(l["dob_is_default"] or r["dob_is_default"])
    )


def date_of_birth_comparison() -> Comparison:
    """Date of birth: exact, day/month swapped, a default 1 January in the right year, one-digit typo."""
    dob = "date_of_birth"
    return Comparison(
        dob,
        "date of birth",
        (
            _null(dob),
            # Term-frequency adjusted: a date many people share (an age clamped to 90, a data-entry default)
            # is weak evidence; at 1M persons thousands share 1936-11-01 and merged on it with a common name.
            Level(
                "exact",
                f'"{dob}_l" = "{dob}_r" AND NOT ("dob_is_default_l" AND "dob_is_default_r")',
                _dob_exact,
                tf_column=dob,
                tf_from_own_u=True,
            ),
            Level(
                "day and month swapped",
                f'year("{dob}_l") = year("{dob}_r") AND month("{dob}_l") = day("{dob}_r") '
                f'AND day("{dob}_l") = month("{dob}_r") AND day("{dob}_l") <> month("{dob}_l")',
                lambda l, r: f.day_month_swapped(l[dob], r[dob]),
            ),
            Level(
                "same year, one a default 1 January",
                f'year("{dob}_l") = year("{dob}_r") AND ("dob_is_default_l" OR "dob_is_default_r")',
                _dob_default_year,
            ),
            Level(
                "one digit different",
                f"levenshtein(strftime(\"{dob}_l\", '%Y%m%d'), strftime(\"{dob}_r\", '%Y%m%d')) <= 1",
                lambda l, r: f.date_digits_at_most(l[dob], r[dob], 1),
            ),
            Level(
                "within a year",
                f'abs(datediff(\'day\', "{dob}_l", "{dob}_r")) <= 366',
                lambda l, r: f.days_apart_at_most(l[dob], r[dob], 366),
            ),
            _ELSE,
        ),
    )


def identifier_comparison(column: str, description: str, typo_level: bool = True) -> Comparison:
    """An identifier: exact, one edit apart (a mistyped digit), or different."""
    levels = [_null(column), _exact(column)]
    if typo_level:
        levels.append(
            Level(
                "one edit apart",
                f'damerau_levenshtein("{column}_l", "{column}_r") <= 1',
                lambda l, r: f.damerau_at_most(l[column], r[column], 1),
            )
        )
    levels.append(_ELSE)
    return Comparison(column, description, tuple(levels))


def address_comparison() -> Comparison:
    """Where the person was seen: same address, same street in the same postal code, same postal code, city."""
    return Comparison(
        "address",
        "address",
        (
            Level(
                "missing",
                '("postal_code_l" IS NULL AND "city_l" IS NULL) OR ("postal_code_r" IS NULL AND "city_r" IS NULL)',
                lambda l, r: (
                    (l["postal_code"] is None and l["city"] is None)
                    or (r["postal_code"] is None and r["city"] is None)
                ),
                is_null=True,
            ),
            _exact("address_key", "same address", tf_column="address_key"),
            Level(
                "similar street, same postal code",
                '"postal_code_l" = "postal_code_r" AND jaro_winkler_similarity("street_l", "street_r") >= 0.9',
                lambda l, r: (
                    f.eq(l["postal_code"], r["postal_code"]) and f.jw_at_least(l["street"], r["street"], 0.9)
                ),
            ),
            _exact("postal_code", "same postal code"),
            Level(
                "same city",
                '"city_l" = "city_r" AND "state_l" = "state_r"',
                lambda l, r: f.eq(l["city"], r["city"]) and f.eq(l["state"], r["state"]),
            ),
            _ELSE,
        ),
    )


def _country(rec: Rec) -> object:
    return f.coalesce(rec["country_of_birth"], rec["nationality"])


def country_comparison() -> Comparison:
    """Country of birth or nationality, either way round (sources record one or the other)."""
    return Comparison(
        "country",
        "country of birth / nationality",
        (
            Level(
                "missing",
                '(COALESCE("country_of_birth_l", "nationality_l") IS NULL) '
                'OR (COALESCE("country_of_birth_r", "nationality_r") IS NULL)',
                lambda l, r: _country(l) is None or _country(r) is None,
                is_null=True,
            ),
            Level(
                "same country",
                'COALESCE("country_of_birth_l", "nationality_l") = COALESCE("country_of_birth_r", "nationality_r") '
                'OR "nationality_l" = "nationality_r" OR "country_of_birth_l" = "country_of_birth_r"',
                lambda l, r: (
                    f.eq(_country(l), _country(r))
                    or f.eq(l["nationality"], r["nationality"])
                    or f.eq(l["country_of_birth"], r["country_of_birth"])
                ),
            ),
            _ELSE,
        ),
    )


def sex_comparison() -> Comparison:
    return Comparison("sex", "sex", (_null("sex"), _exact("sex", "same"), _ELSE))


def comparisons() -> tuple[Comparison, ...]:
    """Every comparison of the model, in display order."""
    return (
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
    )


BlockingRule = tuple[tuple[str, str], ...]
"""Column equalities (left column, right column) that must all hold for a pair to be compared."""


def _same(*columns: str) -> BlockingRule:
    return tuple((c, c) for c in columns)


# Each rule admits true pairs that survive a different kind of error; together they cover typos in any one
# field, dropped maternal surnames, swapped names and records that lack a date of birth.
PREDICTION_BLOCKING: tuple[BlockingRule, ...] = (
    _same("a_number"),
    _same("ssn"),
    _same("passport_number"),
    _same("fbi_number"),
    _same("state_id"),
    _same("family_phonetic", "date_of_birth"),
    _same("given_name_canonical", "date_of_birth"),
    _same("family_first", "given_name_canonical", "dob_year"),
    _same("family_first", "given_name_canonical", "postal_code"),
    _same("name_key", "dob_year"),
    _same("name_key", "postal_code"),
    _same("address_key", "given_phonetic"),
    (("address_key", "address_key"), ("family_phonetic", "given_phonetic")),
    (("given_name", "family_first"), ("family_first", "given_name"), ("dob_year", "dob_year")),
)


def blocking_sql(rule: BlockingRule) -> str:
    return " AND ".join(f'l."{a}" = r."{b}"' for a, b in rule)


PREDICTION_BLOCKING_SQL: tuple[str, ...] = tuple(blocking_sql(rule) for rule in PREDICTION_BLOCKING)

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
        "comparisons": [c.splink() for c in comparisons()],
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": sql, "sql_dialect": "duckdb"} for sql in PREDICTION_BLOCKING_SQL
        ],
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": ["dob_is_default", "source", "given_keys"],
        "max_iterations": 20,
        "em_convergence": 0.001,
    }
