"""US addresses: street lines with USPS suffix, directional and unit abbreviations, city and state,
5-digit ZIP codes, and the household key (house number, street word, ZIP) shared by people who live
together. A street with no letters (a ZIP alone, a bare number) is treated as missing."""

from __future__ import annotations

import re

from ilos.standardize.placeholders import DUMMY_DIGITS, fold_ascii_upper, is_placeholder, without_float_tail

STREET_SUFFIXES: dict[str, str] = {
    "STREET": "ST", "STR": "ST", "AVENUE": "AVE", "AV": "AVE", "AVEN": "AVE", "AVENIDA": "AVE",
    "BOULEVARD": "BLVD", "BOUL": "BLVD", "ROAD": "RD", "DRIVE": "DR", "DRV": "DR", "LANE": "LN",
    "COURT": "CT", "PLACE": "PL", "TERRACE": "TER", "CIRCLE": "CIR", "HIGHWAY": "HWY", "PARKWAY": "PKWY",
    "PKY": "PKWY", "SQUARE": "SQ", "TRAIL": "TRL", "EXPRESSWAY": "EXPY", "FREEWAY": "FWY",
    "CROSSING": "XING", "POINT": "PT", "ALLEY": "ALY", "WAY": "WAY", "PLAZA": "PLZ", "HEIGHTS": "HTS",
    "MOUNT": "MT", "FORT": "FT", "CENTER": "CTR", "CENTRE": "CTR",
}  # fmt: skip
DIRECTIONALS: dict[str, str] = {
    "NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W",
    "NORTHEAST": "NE", "NORTHWEST": "NW", "SOUTHEAST": "SE", "SOUTHWEST": "SW",
}  # fmt: skip
UNIT_DESIGNATORS: dict[str, str] = {
    "APARTMENT": "UNIT", "APT": "UNIT", "#": "UNIT", "SUITE": "UNIT", "STE": "UNIT",
    "RM": "UNIT", "ROOM": "UNIT", "DEPT": "UNIT", "DEPARTAMENTO": "UNIT", "INTERIOR": "UNIT", "INT": "UNIT",
}  # fmt: skip
ORDINAL_STREETS: dict[str, str] = {
    "FIRST": "1ST", "SECOND": "2ND", "THIRD": "3RD", "FOURTH": "4TH", "FIFTH": "5TH", "SIXTH": "6TH",
    "SEVENTH": "7TH", "EIGHTH": "8TH", "NINTH": "9TH", "TENTH": "10TH", "ELEVENTH": "11TH", "TWELFTH": "12TH",
}  # fmt: skip
"""Street names spelt as ordinals: 123 FIRST ST is 123 1ST ST (and shares its household key)."""
STREET_TOKENS: dict[str, str] = {**STREET_SUFFIXES, **DIRECTIONALS, **UNIT_DESIGNATORS, **ORDINAL_STREETS}
"""Every word of a street line that has a standard abbreviation."""

# Street lines that say there is no address, as written or abbreviated ("1 UNKNOWN ST", "HOMELESS - NO
# ADDRESS", "STREET"): a house number before them or a street word after them does not make one.
_NO_ADDRESS = (
    r"HOMELESS(?: SHELTER)?|NO FIXED (?:ADDRESS|ABODE)|NFA|GENERAL DELIVERY|GEN DEL|TRANSIENT|NONE GIVEN"
    r"|(?:UNKNOWN|NO) ADDRESS|ADDRESS UNKNOWN|SAME AS ABOVE|SEE ABOVE|IN CUSTODY|TBD"
)
_TYPES = "|".join(sorted({*STREET_SUFFIXES, *STREET_SUFFIXES.values()}, key=lambda t: (-len(t), t)))
STREET_PLACEHOLDER_PATTERN = (
    rf"(?:(?:[0-9]+ )?(?:{_NO_ADDRESS}|UNKNOWN|UNK|NONE|NULL)(?: (?:{_NO_ADDRESS}))*(?: (?:{_TYPES}))?"
    r"|ST|STREET)"
)

STREET_PUNCT_PATTERN = r"[^A-Z0-9#]+"
PO_BOX_PATTERN = r"\b(?:P O|POST OFFICE|POB|PO BOX) BOX\b|\bPOB\b"  # PO BOX BOX: POB then BOX
REPEATED_UNIT_PATTERN = r"\bUNIT(?: UNIT)+\b"
# Street types that come before the street's name ("AVE A", "HWY 9", "CALLE LUNA", "ST JAMES"): the key keeps
# the name with them, or every avenue and highway at one number and ZIP would share one key.
_LEADING_TYPES = r"AVE|HWY|RD|ST|CALLE|RTE|ROUTE|CR|SR|US|FM|COUNTY|STATE"
ADDRESS_KEY_PATTERN = (
    r"^(?P<number>[0-9][0-9A-Z]*(?: HALF)?) (?:(?P<direction>N|S|E|W|NE|NW|SE|SW) )?"
    rf"(?P<word>(?:(?:{_LEADING_TYPES}) )*[A-Z0-9]+)"
)
# What the key's word may end with that names no street: a unit (123 N ST UNIT 4) or a quadrant (123 N ST
# NW), taken when a leading type swallowed the word after it.
ADDRESS_KEY_TAIL_PATTERN = r" (?:UNIT|N|S|E|W|NE|NW|SE|SW)$"
_ADDRESS_KEY_TAIL_RE = re.compile(ADDRESS_KEY_TAIL_PATTERN)
BARE_STREET_TYPES: frozenset[str] = frozenset(STREET_SUFFIXES.values())
"""A street type standing alone after a directional is the street's name with it: N ST is not S ST."""

_APOSTROPHE_RE = re.compile(r"['`]")
_JOINED_NUMBER_RE = re.compile(r"\b([0-9]+)-([0-9]+|[A-Z])\b")
_HALF_RE = re.compile(r"\b1/2\b")
_PUNCT_RE = re.compile(STREET_PUNCT_PATTERN)
_HASH_RE = re.compile("#")
_PO_BOX_RE = re.compile(PO_BOX_PATTERN)
_REPEATED_UNIT_RE = re.compile(REPEATED_UNIT_PATTERN)
_STREET_PLACEHOLDER_RE = re.compile(STREET_PLACEHOLDER_PATTERN)
_ADDRESS_KEY_RE = re.compile(ADDRESS_KEY_PATTERN)
_LETTER_RE = re.compile("[A-Z]")
HOUSE_NUMBER_PATTERN = "^[0-9][0-9A-Z]*(?: HALF)? "  # as the household key reads a number (10A, 1 HALF)
"""A house number before a placeholder (1 N/A, 1 NOT PROVIDED) makes no address of it."""
_HOUSE_NUMBER_RE = re.compile(HOUSE_NUMBER_PATTERN)
_NON_ALNUM_RE = re.compile(r"[^A-Z0-9]+")
_NON_LETTER_RE = re.compile(r"[^A-Z]+")

US_STATES: dict[str, str] = {
    "ALABAMA": "AL", "ALASKA": "AK", "ARIZONA": "AZ", "ARKANSAS": "AR", "CALIFORNIA": "CA", "COLORADO": "CO",
    "CONNECTICUT": "CT", "DELAWARE": "DE", "FLORIDA": "FL", "GEORGIA": "GA", "HAWAII": "HI", "IDAHO": "ID",
    "ILLINOIS": "IL", "INDIANA": "IN", "IOWA": "IA", "KANSAS": "KS", "KENTUCKY": "KY", "LOUISIANA": "LA",
    "MAINE": "ME", "MARYLAND": "MD", "MASSACHUSETTS": "MA", "MICHIGAN": "MI", "MINNESOTA": "MN",
    "MISSISSIPPI": "MS", "MISSOURI": "MO", "MONTANA": "MT", "NEBRASKA": "NE", "NEVADA": "NV",
    "NEW HAMPSHIRE": "NH", "NEW JERSEY": "NJ", "NEW MEXICO": "NM", "NEW YORK": "NY", "NORTH CAROLINA": "NC",
    "NORTH DAKOTA": "ND", "OHIO": "OH", "OKLAHOMA": "OK", "OREGON": "OR", "PENNSYLVANIA": "PA",
    "RHODE ISLAND": "RI", "SOUTH CAROLINA": "SC", "SOUTH DAKOTA": "SD", "TENNESSEE": "TN", "TEXAS": "TX",
    "UTAH": "UT", "VERMONT": "VT", "VIRGINIA": "VA", "WASHINGTON": "WA", "WEST VIRGINIA": "WV",
    "WISCONSIN": "WI", "WYOMING": "WY", "DISTRICT OF COLUMBIA": "DC", "PUERTO RICO": "PR", "GUAM": "GU",
    "VIRGIN ISLANDS": "VI", "AMERICAN SAMOA": "AS", "NORTHERN MARIANA ISLANDS": "MP",
}  # fmt: skip
_STATE_CODES = frozenset(US_STATES.values())
CITY_WORDS: dict[str, str] = {"SAINT": "ST", "FORT": "FT", "MOUNT": "MT"}


def normalize_street_token(token: str) -> str:
    """The standard abbreviation of one upper-case street word (AVENUE→AVE, NORTH→N, APT→UNIT)."""
    return STREET_TOKENS.get(token, token)


def prepare_street(value: str) -> str:
    """Upper ASCII street text with apostrophes dropped, punctuation as single spaces, '#' as a word
    and PO boxes spelled one way; words not yet abbreviated. A hyphenated house number (Queens' 35-20, 123-A)
    is one number and a half address (123 1/2) says HALF: split at the hyphen or slash, the second part was
    read as the street's first word, and 35-20 75TH ST and 35-20 76TH ST shared one household key."""
    text = _APOSTROPHE_RE.sub("", fold_ascii_upper(value))
    if "-" in text:  # a look costs less than the regex, and few lines hold one
        text = _JOINED_NUMBER_RE.sub(r"\1\2", text)
    if "1/2" in text:
        text = _HALF_RE.sub(" HALF", text)
    text = _PUNCT_RE.sub(" ", text)
    text = " ".join(_HASH_RE.sub(" # ", text).split())
    return _PO_BOX_RE.sub("PO BOX", text)


def finish_street(abbreviated: str) -> str | None:
    """The last step of street normalisation: repeated unit words merged (APT #5 → UNIT 5), and None
    when nothing street-like is left (no letters, or a placeholder, after a house number too)."""
    text = _REPEATED_UNIT_RE.sub("UNIT", abbreviated)
    if not _LETTER_RE.search(text) or is_placeholder(text) or _STREET_PLACEHOLDER_RE.fullmatch(text):
        return None
    number = _HOUSE_NUMBER_RE.match(text)
    return None if number is not None and is_placeholder(text[number.end() :]) else text


def normalize_street(value: str | None) -> str | None:
    """A street line in USPS style: "123 North Main Street, Apt #4" → "123 N MAIN ST UNIT 4".
    Placeholders, "HOMELESS"-like values and ZIP-only or number-only lines give None."""
    if value is None or is_placeholder(value):
        return None
    words = prepare_street(value).split()
    return finish_street(" ".join(normalize_street_token(w) for w in words))


def is_placeholder_street(value: str | None) -> bool:
    """A street field that is a placeholder, says there is no address, or holds only a ZIP/number."""
    if value is None or is_placeholder(value) or is_zip_only(value):
        return value is not None
    return _STREET_PLACEHOLDER_RE.fullmatch(prepare_street(value)) is not None


def is_zip_only(value: str | None) -> bool:
    """A street field holding only a ZIP code or digits: an address that locates no household."""
    if value is None:
        return False
    text = fold_ascii_upper(value)
    return bool(_NON_ALNUM_RE.sub("", text)) and not _LETTER_RE.search(text)


def normalize_postal_code(value: str | None) -> str | None:
    """A 5-digit ZIP code: ZIP+4 truncated, leading zeros lost in a spreadsheet restored ("2134" →
    "02134", "2134.0" → "02134"); letters (foreign postal codes), other lengths and one repeated digit give
    None."""
    if value is None:
        return None
    compact = _NON_ALNUM_RE.sub("", fold_ascii_upper(without_float_tail(value)))
    if not compact.isdigit() or not compact.isascii() or compact in DUMMY_DIGITS:
        return None
    if len(compact) in (3, 4, 5):
        zip5 = compact.zfill(5)
    elif len(compact) in (8, 9):
        zip5 = compact.zfill(9)[:5]
    else:
        return None
    return None if len(set(zip5)) == 1 else zip5


def normalize_city(value: str | None) -> str | None:
    """A city name in upper ASCII words, SAINT/FORT/MOUNT abbreviated as USPS does."""
    if value is None or is_placeholder(value):
        return None
    words = _NON_LETTER_RE.sub(" ", _APOSTROPHE_RE.sub("", fold_ascii_upper(value))).split()
    text = " ".join(CITY_WORDS.get(w, w) for w in words)
    return text if text and not is_placeholder(text) else None


def normalize_state(value: str | None) -> str | None:
    """A US state or territory as its 2-letter USPS code ("California", "CA", "N.Y."; "Calif." is not guessed);
    other text (a foreign province) is kept as upper ASCII words."""
    if value is None or is_placeholder(value):
        return None
    text = " ".join(_NON_LETTER_RE.sub(" ", fold_ascii_upper(value)).split())
    if not text or is_placeholder(text):  # what is left may be one ("0×" leaves "X")
        return None
    if all(len(word) == 1 for word in text.split()) and text.replace(" ", "") in _STATE_CODES:  # N.Y., D.C.
        text = text.replace(" ", "")
    if text in _STATE_CODES:
        return text
    return US_STATES.get(text, text)


def address_key(street: str | None, postal_code: str | None) -> str | None:
    """House number, first street word and ZIP ("123 MAIN 02134"): the same for everyone at one
    building whatever the unit, directional or suffix spelling; a street type before the name stays with it
    ("123 AVE A 10009"), as does a directional before a bare type ("123 N ST 20001"); None without a house
    number or ZIP."""
    normalized = normalize_street(street)
    zip5 = normalize_postal_code(postal_code)
    return key_from_normalized(normalized, zip5)


def key_from_normalized(street: str | None, zip5: str | None) -> str | None:
    """`address_key` over already normalised street and ZIP."""
    if street is None or zip5 is None:
        return None
    match = _ADDRESS_KEY_RE.match(street)
    if match is None:
        return None
    word, direction = _ADDRESS_KEY_TAIL_RE.sub("", match["word"]), match["direction"]
    named = f"{direction} {word}" if direction and word in BARE_STREET_TYPES else word
    return f"{match['number']} {named} {zip5}"
