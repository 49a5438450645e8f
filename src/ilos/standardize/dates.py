"""Dates of birth: parsing with a declared format, default and placeholder dates, and the day/month
swapped variant used when comparing."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

# Dates systems write when the real one is unknown; never evidence of anything.
# 1899-12-30 and -31 are day zero of spreadsheets (an empty date cell formatted as a date).
PLACEHOLDER_DATES: frozenset[date] = frozenset(
    {date(1900, 1, 1), date(1901, 1, 1), date(1800, 1, 1), date(1111, 11, 11), date(9999, 12, 31),
     date(1899, 12, 30), date(1899, 12, 31)}
)  # fmt: skip
EARLIEST_PLAUSIBLE = date(1880, 1, 1)
LATEST_PLAUSIBLE = date(2100, 12, 31)


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A parsed date of birth with the facts comparisons need."""

    value: date
    is_default_day_month: bool
    swapped: date | None


def parse_date(value: str | None, fmt: str = "%Y-%m-%d") -> date | None:
    """The date written in `value` using a strptime format; None when blank, unparseable, implausible
    (before 1880 or after 2100) or a placeholder date such as 1900-01-01."""
    return clean_date(_strptime(value, fmt))


def parse_birth_date(value: str | None, fmt: str = "%Y-%m-%d", today: date | None = None) -> date | None:
    """A date of birth (`parse_date`) that has already happened: a two-digit year that strptime reads as
    still to come is read a century earlier ("01/02/55" is 1955, not 2055), and any other date after
    `today` (default: the machine's) is None, never evidence."""
    born = parse_date(value, fmt)
    latest = today or date.today()
    if born is not None and born > latest and "%y" in fmt:
        born = clean_date(years_before(born, 100))
    return born if born is None or born <= latest else None


_FAST_FIELDS = {"%Y": r"(?P<Y>[0-9]{4})", "%m": r"(?P<m>[0-9]{1,2})", "%d": r"(?P<d>[0-9]{1,2})"}
_TWO_DIGITS = {"%m": r"(?P<m>[0-9]{2})", "%d": r"(?P<d>[0-9]{2})"}


@lru_cache(maxsize=64)
def _fast_pattern(fmt: str) -> re.Pattern[str] | None:
    """A plain regex for formats made only of %Y, %m, %d and punctuation (the usual ones), so parsing
    skips strptime's per-call overhead; it alone decides for them. A month or day with no separator beside
    it takes two digits: strptime read `199012` under %Y%m%d as 1990-01-02 and `1990111` as 1990-11-01,
    a year and month or a digit short read as an exact date of birth."""
    parts = [p for p in re.split(r"(%.)", fmt) if p]
    if any(p.startswith("%") and p not in _FAST_FIELDS for p in parts) or any(c.isspace() for c in fmt):
        return None
    if sorted(p for p in parts if p in _FAST_FIELDS) != ["%Y", "%d", "%m"]:
        return None
    fields = []
    for i, part in enumerate(parts):
        beside = parts[max(i - 1, 0) : i] + parts[i + 1 : i + 2]
        joined = part in _TWO_DIGITS and any(p in _FAST_FIELDS for p in beside)
        fields.append(_TWO_DIGITS[part] if joined else _FAST_FIELDS.get(part, re.escape(part)))
    return re.compile("".join(fields))


def _strptime(value: str | None, fmt: str) -> date | None:
    if value is None or not value.strip():
        return None
    text = (
        value.strip() if value.isascii() else unicodedata.normalize("NFKC", value).strip()
    )  # full-width digits
    pattern = _fast_pattern(fmt)
    if pattern is not None:
        match = pattern.fullmatch(text)
        try:
            return date(int(match["Y"]), int(match["m"]), int(match["d"])) if match else None
        except ValueError:
            return None
    try:
        return datetime.strptime(text, fmt).date()
    except ValueError:
        return None


def unparseable(value: str | None, fmt: str) -> bool:
    """A written value the format cannot read (a blank one is missing, not unparseable)."""
    return bool(value and value.strip()) and _strptime(value, fmt) is None


def clean_date(value: date | None) -> date | None:
    """The date, or None when it is a placeholder or outside the plausible range."""
    if value is None or value in PLACEHOLDER_DATES:
        return None
    if not EARLIEST_PLAUSIBLE <= value <= LATEST_PLAUSIBLE:
        return None
    return value


def years_before(value: date, years: int) -> date:
    """The same day `years` earlier (29 February becomes the 28th in a common year): the latest date of birth
    of someone at least `years` old on `value`."""
    year = value.year - years
    try:
        return value.replace(year=year)
    except ValueError:
        return value.replace(year=year, day=28)


def born_by(value: str | None, fmt: str, minimum_age: int) -> date | None:
    """The latest date of birth a record dated `value` allows when its source's people are at least
    `minimum_age` years old; None when the record date is missing or a placeholder."""
    record_date = parse_date(value, fmt)
    return years_before(record_date, minimum_age) if record_date is not None else None


def is_placeholder_date(value: str | None, fmt: str = "%Y-%m-%d") -> bool:
    """True when the text parses to a known placeholder date (1900-01-01 and friends)."""
    return _strptime(value, fmt) in PLACEHOLDER_DATES


def is_default_day_month(value: date) -> bool:
    """January 1st: what many systems record when only the year is known. Such a day and month are
    weak evidence, so comparisons should rely on the year alone."""
    return value.month == 1 and value.day == 1


def swap_day_month(value: date) -> date | None:
    """The date with day and month exchanged (2001-03-04 → 2001-04-03), when that is a different valid
    date; a DD/MM vs MM/DD confusion produces exactly this."""
    if value.day > 12 or value.day == value.month:
        return None
    return value.replace(month=value.day, day=value.month)


def describe_date(value: date | None) -> ParsedDate | None:
    """The parsed-date facts for one date."""
    if value is None:
        return None
    return ParsedDate(value, is_default_day_month(value), swap_day_month(value))
