"""Placeholder values ("UNKNOWN", "NA NA", "000-00-0000", "1900-01-01"): recognised once, here, so every
standardizer treats them as missing and never as matching evidence."""

from __future__ import annotations

import re
from collections.abc import Iterable

from unidecode import unidecode

# Words that, alone or repeated ("NA NA", "UNKNOWN UNKNOWN", "FNU LNU"), mean "no value".
UNKNOWN_SPELLINGS: tuple[str, ...] = (
    "UNKNOWN",
    "UNKOWN",
    "UNKNWN",
    "UKNOWN",
    "UNKNOW",
    "UNKWN",
    "UNKN",
    "UNK",
)
"""UNKNOWN as keyed in, misspellings included: a placeholder alone, and dropped from inside a name."""
NAME_PLACEHOLDER_PHRASES: tuple[str, ...] = (
    "UNIDENTIFIED PERSON",
    "UNIDENTIFIED FEMALE",
    "UNIDENTIFIED MALE",
    "UNKNOWN PERSON",
    "UNKNOWN FEMALE",
    "UNKNOWN MALE",
    "BABY BOY",
    "BABY GIRL",
    "FIRST NAME UNKNOWN",
    "LAST NAME UNKNOWN",
    "MIDDLE NAME UNKNOWN",
    "NO FIRST NAME",
    "NO LAST NAME",
    "NO MIDDLE NAME",
    "NAME UNKNOWN",
    "UNKNOWN NAME",
    "NO NAME GIVEN",
    "NO NAME PROVIDED",
    "NAME NOT PROVIDED",
    "NAME WITHHELD",
    "NONE GIVEN",
    "NO NAME",
)
"""Phrases a form puts where a part of a name is unknown: a placeholder alone, and dropped from inside a name
("FIRST NAME UNKNOWN GARCIA" is a GARCIA whose given name is unknown). Longest first: the first that fits is
dropped."""
NAME_PLACEHOLDER_WORDS: tuple[str, ...] = (
    "UNIDENTIFIED",
    "REDACTED",
    "WITHHELD",
    "ANONYMOUS",
    "ANONIMO",
    "ANONIMA",
    "DECEASED",
    "DESCONOCIDO",
    "DESCONOCIDA",
    "DESCONHECIDO",
    "DESCONHECIDA",
    "INCONNU",
    "INCONNUE",
    "INFANT",
    "NEWBORN",
)
"""Words that stand where a name is not known or not given: a placeholder alone, and dropped from inside a name
(REDACTED GARCIA is a GARCIA, INFANT GARCIA a GARCIA not yet named)."""
PERSON_DESCRIPTORS: frozenset[str] = frozenset(
    {"MALE", "FEMALE", "BOY", "GIRL", "BABY", "CHILD", "PERSON", "MAN", "WOMAN"}
)
"""Words that describe an unnamed person beside a placeholder (UNK MALE, MALE UNKNOWN, UNIDENTIFIED BABY): dropped
from a name only with one; alone they may be names (JOSE MALE, BABY GARCIA)."""
NAME_GAP_WORDS: tuple[str, ...] = ("NONE", "NULL", "TBD", "FNU", "LNU", "MNU", "NFN", "NLN", "NMN", "NMI")
"""Words a form writes in a name's place (FNU: first name unknown, NMI: no middle initial): a placeholder alone,
and dropped from inside a name. NIL is not one of them: a given name (Turkish, Bengali) inside a name."""
PLACEHOLDER_WORDS: tuple[str, ...] = (
    *UNKNOWN_SPELLINGS,
    *NAME_PLACEHOLDER_PHRASES,
    "N/A",
    "N A",
    "NA",
    "NAN",
    *NAME_GAP_WORDS,
    "NIL",
    "NN",
    "TEST",
    "DUMMY",
    "BLANK",
    "REFUSED",
    "UNAVAILABLE",
    "UNSPECIFIED",
    "NONAME",
    "SIN NOMBRE",
    *NAME_PLACEHOLDER_WORDS,
    "UNKNOWN CITY",
    "CITY UNKNOWN",
    "UNKNOWN ADDRESS",
    "ADDRESS UNKNOWN",
    "NO ADDRESS",
    "NOT KNOWN",
    "NOT PROVIDED",
    "NOT AVAILABLE",
    "NOT GIVEN",
    "NOT APPLICABLE",
    "NO DATA",
    "JOHN DOE",
    "JANE DOE",
    "DOE JOHN",  # "DOE, JOHN"
    "DOE JANE",
    "X+",
)

# Digit strings people type when a form insists on a number.
DUMMY_DIGITS: frozenset[str] = frozenset(
    {
        "123456789", "1234567890", "0123456789", "987654321", "9876543210", "19000101", "01011900", "12345", "1234",
        "123456", "1234567", "12345678",
    }
)  # fmt: skip

# A number a spreadsheet read as a float and wrote back ("12345678.0", "2134.0"): its digits without the
# ".0" (a trailing 0 would make it another number). Python re and RE2 read it alike.
FLOAT_TAIL_PATTERN = r"^([ \t\n\r\f\v]*[0-9]+)\.0+[ \t\n\r\f\v]*$"
_FLOAT_TAIL_RE = re.compile(FLOAT_TAIL_PATTERN)
SCIENTIFIC_PATTERN = r"[ \t\n\r\f\v]*[0-9]+(?:\.[0-9]+)?[eE][+]?[0-9]+[ \t\n\r\f\v]*"
_SCIENTIFIC_RE = re.compile(SCIENTIFIC_PATTERN)

_SEP = r"[^A-Z0-9]"
_WORD = "(?:" + "|".join(w.replace(" ", _SEP + "+") for w in PLACEHOLDER_WORDS) + ")"
# The Arrow kernel's pattern (RE2, anchored; linear whatever the text). The pure function reads the same
# language word by word (`_only_placeholder_words`): Python's re backtracks through every way of reading a
# near-miss ("N/A N/A ... Z": N/A or N A, each time), so 22 such words took 6 s and 30 would take minutes.
PLACEHOLDER_PATTERN = f"{_SEP}*{_WORD}(?:{_SEP}+{_WORD})*{_SEP}*"
_WORD_RE = re.compile("[A-Z0-9]+")


def by_first_word(phrases: Iterable[str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Each phrase's words (its runs of A-Z and 0-9: N/A is N A), under its first word, in the order given
    (the first that fits is taken: list the longest first)."""
    grouped: dict[str, list[tuple[str, ...]]] = {}
    for words in dict.fromkeys(tuple(_WORD_RE.findall(phrase)) for phrase in phrases):
        grouped.setdefault(words[0], []).append(words)
    return {first: tuple(words) for first, words in grouped.items()}


_PHRASES_BY_FIRST_WORD = by_first_word(w for w in PLACEHOLDER_WORDS if w != "X+")
# Whether the first word could start a placeholder: most values' first word cannot, and this one C-speed look
# (no repetition inside a repetition: linear) answers them before any word is read in Python.
_FIRST_WORD_RE = re.compile(
    "[^A-Z0-9]*(?:X+|" + "|".join(sorted(_PHRASES_BY_FIRST_WORD, key=len, reverse=True)) + ")(?![A-Z0-9])"
)
BLANK_PATTERN = r"[ \t\n\r\f\v]*"
_BLANK_RE = re.compile(BLANK_PATTERN)
_ALNUM_RE = re.compile(r"[A-Z0-9]")
_NON_ALNUM_RE = re.compile(r"[^A-Z0-9]+")


def fold_ascii_upper(value: str) -> str:
    """Upper-case ASCII spelling of any text: diacritics dropped, other scripts transliterated."""
    return (value if value.isascii() else unidecode(value)).upper()


def is_blank(value: str | None) -> bool:
    """No value at all: None, empty or only whitespace. Blank is missing but not a placeholder."""
    return value is None or _BLANK_RE.fullmatch(value) is not None


def is_placeholder(value: str | None) -> bool:
    """A value that stands in for "unknown": placeholder words, punctuation only, one repeated digit,
    or a dummy number. Blank values are not placeholders (they are simply missing)."""
    if value is None or is_blank(value):
        return False
    upper = fold_ascii_upper(value)
    if _only_placeholder_words(upper) or _ALNUM_RE.search(upper) is None:
        return True
    compact = _NON_ALNUM_RE.sub("", upper)
    if compact.isdigit() and compact.isascii():
        return (len(compact) >= 2 and len(set(compact)) == 1) or compact in DUMMY_DIGITS
    return False


def _only_placeholder_words(upper: str) -> bool:
    """Whether the words of `upper` (its runs of A-Z and 0-9) are one placeholder word or phrase after
    another (`PLACEHOLDER_PATTERN`'s language: separators are any other characters); each word is looked at
    once per phrase starting there."""
    if _FIRST_WORD_RE.match(upper) is None:
        return False
    words = _WORD_RE.findall(upper)
    reached = {0}  # word positions where a run of whole placeholders ends
    for start, word in enumerate(words):
        if start not in reached:
            continue
        if word.strip("X") == "":  # X+: XXX, X
            reached.add(start + 1)
        for phrase in _PHRASES_BY_FIRST_WORD.get(word, ()):
            if tuple(words[start : start + len(phrase)]) == phrase:
                reached.add(start + len(phrase))
    return bool(words) and len(words) in reached


def without_float_tail(value: str, scientific: bool = True) -> str:
    """The value with a spreadsheet's ".0" dropped from a whole number ("12345678.0" → "12345678"); with
    `scientific` (an identifier made of digits), a number a spreadsheet wrote in scientific notation
    ("5.2345678E8") is empty: its last digits are lost, and its digits read as another number (523456788).
    Not for document numbers, where digits, an E and digits (12E45678) may be the number itself."""
    if scientific and _SCIENTIFIC_RE.fullmatch(value):
        return ""
    return _FLOAT_TAIL_RE.sub(r"\1", value)


def clean_text(value: str | None) -> str | None:
    """The value, or None when it is blank or a placeholder."""
    if value is None or is_blank(value) or is_placeholder(value):
        return None
    return value
