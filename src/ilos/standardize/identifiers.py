"""Identifiers: A-numbers, SSN-like numbers, passports, FBI numbers, state ids and phone numbers, each
reduced to one canonical spelling so that any formatting of the same identifier compares equal.

Every function here has a vectorised twin in `kernels.py` that must agree with it on ASCII input; a
property test holds them together."""

from __future__ import annotations

import re

from ilos.standardize.placeholders import DUMMY_DIGITS, fold_ascii_upper, is_placeholder, without_float_tail

_NON_ALNUM_RE = re.compile(r"[^A-Z0-9]+")
_NON_DIGIT_RE = re.compile(r"[^0-9]+")
_DIGIT_RE = re.compile(r"[0-9]")
_A_NUMBER_DIGITS_RE = re.compile(r"[0-9]{7,9}")
MASK_PATTERN = r"\*|^[^A-Z0-9]*XX|XXX"
"""Characters a system prints in place of hidden digits (***-**-1234, **5678, XX-XX-5678, XXXXX5678)."""
_MASK_RE = re.compile(MASK_PATTERN)
EXTENSION_PATTERN = r"(?:X|EXT|EXTENSION)[ .:#]*[0-9]{1,6}[ \t\n\r\f\v]*$"
"""An extension after a phone number (212-555-7123 x12): not part of the number."""
_EXTENSION_RE = re.compile(EXTENSION_PATTERN)
# Letters keyed in for look-alike digits in numeric identifiers.
A_NUMBER_TYPOS: dict[str, str] = {"O": "0", "Q": "0", "I": "1", "L": "1"}
_TYPO_TABLE = str.maketrans(A_NUMBER_TYPOS)
DOCUMENT_MIN_LENGTH = 4
DOCUMENT_MAX_LENGTH = 20
FICTIONAL_EXCHANGE = "55501"
"""555-0100 to 555-0199: reserved for fiction, never a subscriber's."""
# Valid in form but never a person's own: the Woolworth wallet card's and the SSA's advertising sample.
SHARED_SSNS: frozenset[str] = frozenset({"078051120", "219099999"})


def compact_alnum(value: str) -> str:
    """Upper-case ASCII letters and digits only: "a-12 3" → "A123"."""
    return _NON_ALNUM_RE.sub("", fold_ascii_upper(value))


def _is_one_repeated(text: str) -> bool:
    return len(set(text)) == 1


def normalize_a_number(value: str | None) -> str | None:
    """The 9-digit A-number ("A022345678", "A-022-345-678", "22345678", "A 22345678" → "022345678").
    A leading A is dropped, look-alike letters (O, Q → 0; I, L → 1) are read as digits, and 7 or 8 digit
    numbers (older A-numbers, or a leading zero lost in a spreadsheet) are zero-padded, and a spreadsheet's
    ".0" is dropped. Anything else, one digit repeated (000000000) and dummy numbers (123456789, 12345678,
    with leading zeros too: 012345678) give None."""
    if value is None:
        return None
    compact = compact_alnum(without_float_tail(value))
    digits = compact.removeprefix("A").translate(_TYPO_TABLE)
    if not _A_NUMBER_DIGITS_RE.fullmatch(digits) or digits.lstrip("0") in DUMMY_DIGITS:
        return None
    padded = digits.zfill(9)
    return None if _is_one_repeated(padded) else padded


def is_valid_ssn(digits: str) -> bool:
    """Nine digits the SSA could have issued to one person: not area 000, 666 or 9xx, not group 00, not
    serial 0000, not one repeated digit, not 123456789, not a number printed on sample cards."""
    if len(digits) != 9 or not digits.isdigit() or not digits.isascii():
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area.startswith("9") or group == "00" or serial == "0000":
        return False
    return not _is_one_repeated(digits) and digits != "123456789" and digits not in SHARED_SSNS


def normalize_ssn(value: str | None) -> str | None:
    """An SSN-like number as 9 digits ("123-45-6789" → "123456789", a spreadsheet's ".0" dropped); invalid
    or placeholder → None."""
    if value is None:
        return None
    digits = _NON_DIGIT_RE.sub("", fold_ascii_upper(without_float_tail(value)))
    return digits if is_valid_ssn(digits) else None


def normalize_document_number(value: str | None) -> str | None:
    """A passport, FBI or state id number as upper-case letters and digits ("ab 12-34" → "AB1234"), a
    spreadsheet's ".0" dropped; placeholders, one repeated character, no digit ("PENDING", "NOT ISSUED"),
    lengths outside 4-20, a masked number (XXXXX5678, *****5678: everyone with those last digits would
    agree) and a letter before one repeated digit (A0000000) give None."""
    if value is None or is_placeholder(value := without_float_tail(value, scientific=False)):
        return None
    if _MASK_RE.search(fold_ascii_upper(value)):
        return None
    compact = compact_alnum(value)
    if not DOCUMENT_MIN_LENGTH <= len(compact) <= DOCUMENT_MAX_LENGTH or _is_one_repeated(compact):
        return None
    if compact[0].isalpha() and _is_one_repeated(compact[1:]):
        return None
    return compact if _DIGIT_RE.search(compact) else None


def normalize_passport(value: str | None) -> str | None:
    """Passport number: see `normalize_document_number`."""
    return normalize_document_number(value)


def normalize_fbi_number(value: str | None) -> str | None:
    """FBI number: see `normalize_document_number`."""
    return normalize_document_number(value)


def normalize_state_id(value: str | None) -> str | None:
    """State id (driver licence or ID card) number: see `normalize_document_number`."""
    return normalize_document_number(value)


def normalize_phone(value: str | None) -> str | None:
    """A North American phone number as 10 digits ("+1 (212) 555-7123" → "2125557123"; an extension
    after it is dropped: "212-555-7123 x12"): a leading country code 1 is dropped; the area code cannot start
    with 0 or 1, nor be a service code (211 to 911) or 555, which name no area; a local number of one
    repeated digit ("212-000-0000"), the fictional 555-01XX numbers and dummy digits (987-654-3210) → None."""
    if value is None:
        return None
    digits = _NON_DIGIT_RE.sub("", _EXTENSION_RE.sub("", fold_ascii_upper(without_float_tail(value))))
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01" or _is_one_repeated(digits[3:]):
        return None
    if digits[1:3] == "11" or digits[:3] == "555" or digits in DUMMY_DIGITS:
        return None
    return None if digits[3:8] == FICTIONAL_EXCHANGE else digits
