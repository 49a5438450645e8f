"""The registry of standardizers: each pure function by name, the canonical fields it applies to, and
(where one exists) its vectorised twin. `standardize_table` reads this table rather than naming
functions itself."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ilos.standardize import addresses, dates, demographics, identifiers, kernels, names, placeholders


@dataclass(frozen=True, slots=True)
class Standardizer:
    """One pure standardizing function and where it applies."""

    name: str
    fields: tuple[str, ...]
    function: Callable[[Any], Any]  # str | None -> value; a few take one already-normalised word
    kernel: kernels.Kernel | None = None
    description: str = ""


_ENTRIES = (
    Standardizer("placeholder", ("*",), placeholders.is_placeholder, kernels.is_placeholder_kernel,
                 "raw value is a placeholder (UNKNOWN, NA NA, 000-00-0000)"),
    Standardizer("name", ("given_name", "middle_name", "family_name", "full_name"), names.normalize_name,
                 None, "upper ASCII name, punctuation and placeholder words removed"),
    Standardizer("given_canonical", ("given_name",), names.canonical_given, None,
                 "nickname and transliteration variants resolved"),
    Standardizer("given_phonetic", ("given_name",), names.given_phonetic, None,
                 "metaphone of the canonical first given name"),
    Standardizer("name_keys", ("given_name", "middle_name", "family_name"), names.token_keys, None,
                 "one name word's matching keys: nickname (every reading) and spelling variants resolved"),
    Standardizer("given_keys", ("given_name",), names.given_keys, None,
                 "the matching keys of the first given name word (household rule)"),
    Standardizer("surnames", ("family_name",), names.split_surnames, None, "first and second surname"),
    Standardizer("family_phonetic", ("family_name",), names.phonetic_key, None,
                 "metaphone of the transliteration-folded surname"),
    Standardizer("birth_date", ("date_of_birth",), dates.parse_birth_date, None,
                 "ISO date; placeholder and future dates missing, two-digit years in the past"),
    Standardizer("date", ("record_date",), dates.parse_date, None, "ISO date; placeholder dates missing"),
    Standardizer("sex", ("sex",), demographics.normalize_sex, None, "M, F or missing"),
    Standardizer("country", ("country_of_birth", "nationality"), demographics.normalize_country, None,
                 "ISO 3166-1 alpha-3"),
    Standardizer("street", ("street",), addresses.normalize_street, kernels.street_kernel,
                 "USPS abbreviations; ZIP-only lines missing"),
    Standardizer("city", ("city",), addresses.normalize_city, None, "upper ASCII, SAINT→ST"),
    Standardizer("state", ("state",), addresses.normalize_state, None, "USPS 2-letter code"),
    Standardizer("postal_code", ("postal_code",), addresses.normalize_postal_code, kernels.postal_code_kernel,
                 "5-digit ZIP"),
    Standardizer("phone", ("phone",), identifiers.normalize_phone, kernels.phone_kernel, "10 digits"),
    Standardizer("a_number", ("a_number",), identifiers.normalize_a_number, kernels.a_number_kernel,
                 "9 digits, zero-padded"),
    Standardizer("ssn", ("ssn",), identifiers.normalize_ssn, kernels.ssn_kernel, "9 valid digits"),
    Standardizer("document_number", ("passport_number", "fbi_number", "state_id"),
                 identifiers.normalize_document_number, kernels.document_number_kernel, "upper alphanumeric"),
)  # fmt: skip

STANDARDIZERS: Mapping[str, Standardizer] = MappingProxyType({s.name: s for s in _ENTRIES})
"""Every standardizer by name."""

COLUMN_STANDARDIZERS: Mapping[str, str] = MappingProxyType(
    {field: s.name for s in _ENTRIES if s.name in {"sex", "country", "street", "city", "state", "postal_code",
                                                   "phone", "a_number", "ssn", "document_number"}
     for field in s.fields}
)  # fmt: skip
"""Canonical output column -> the standardizer that makes it from the one raw field of the same name."""


def standardizer_for(field: str) -> Standardizer:
    """The one-column standardizer of a canonical field."""
    return STANDARDIZERS[COLUMN_STANDARDIZERS[field]]
