"""A-numbers compared across the store: a plan names a person by the A-number of their booking
("A200139349"), a published subject carries the standardized one ("200139349", or "A0..." as a test or an
older publish wrote it). Both sides are read through the standardizer's `normalize_a_number`."""

from __future__ import annotations

from ilos.standardize.identifiers import normalize_a_number
from ilos.store.search_keys import identifier_key


def a_number_key(value: str) -> str:
    """The one form two spellings of an A-number compare in: the standardizer's nine digits ("A-200 139 349",
    "200139349" -> "200139349"); a value that reads as no A-number is compared as typed, letters and digits
    only ("A0" -> "A0"), so it matches only itself."""
    return normalize_a_number(value) or identifier_key(value)


def a_number_forms(value: str) -> tuple[str, ...]:
    """The spellings a published subject may store `value` in (identifiers are kept as published, upper-case
    letters and digits only): the nine digits and those without leading zeros, each with and without an A,
    and as typed. Rows found by these are then matched by `a_number_key`, never by the spelling."""
    key = a_number_key(value)
    if not key.isdigit():
        return (key,)
    digits = (key, key.lstrip("0"))
    return tuple(dict.fromkeys((*digits, *(f"A{d}" for d in digits), identifier_key(value))))
