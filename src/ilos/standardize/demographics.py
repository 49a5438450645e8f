"""Sex and country codes: free-text spellings (English, Spanish, French, Portuguese) reduced to 'M'/'F'
and ISO 3166-1 alpha-3 codes."""

from __future__ import annotations

import re

from ilos.domain import countries
from ilos.standardize.placeholders import fold_ascii_upper, is_placeholder

SEX_CODES: dict[str, str] = {
    "M": "M", "MALE": "M", "MAN": "M", "H": "M", "HOMBRE": "M", "MASCULINO": "M", "MASC": "M",
    "MASCULIN": "M", "HOMME": "M", "BOY": "M", "1": "M",
    "F": "F", "FEMALE": "F", "WOMAN": "F", "MUJER": "F", "FEMENINO": "F", "FEM": "F", "FEMININ": "F",
    "FEMME": "F", "FEMININO": "F", "GIRL": "F", "2": "F",
}  # fmt: skip

_NON_ALNUM_RE = re.compile(r"[^A-Z0-9]+")


def normalize_sex(value: str | None) -> str | None:
    """'M' or 'F' from M/MALE/HOMBRE/MASCULINO/H/1 and F/FEMALE/MUJER/FEMENINO/2 (ISO 5218 digits);
    anything else (U, X, UNKNOWN) is None: not evidence either way."""
    if value is None:
        return None
    return SEX_CODES.get(_NON_ALNUM_RE.sub("", fold_ascii_upper(value)))


def normalize_country(value: str | None) -> str | None:
    """ISO 3166-1 alpha-3 code from a code or an English/Spanish/French/Portuguese spelling
    ("México", "MX", "Estados Unidos" → MEX, MEX, USA). Unknown countries give None rather than an
    uncoded string, so the column holds codes only, except that a value mentioning the United States ("US
    CITIZEN", "USA-born", "Mexican-American") is USA: it fails safe to a citizenship signal rather than
    vanishing (`countries.origin_of_spelling`). The spellings are `ilos.domain.countries`' table, the one
    the gates and the services read a destination country with."""
    if value is None or is_placeholder(value):
        return None
    return countries.origin_of_spelling(fold_ascii_upper(value))
