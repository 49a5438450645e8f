"""Person names: normalisation, compound and double surnames with particles, full-name splitting,
nickname-resolved given names, phonetic keys and order-robust token sets."""

from __future__ import annotations

import re
from dataclasses import dataclass

import jellyfish

from ilos.standardize.nicknames import CANONICAL_GIVEN_NAMES, NICKNAME_READINGS, NICKNAMES, resolve_nickname
from ilos.standardize.placeholders import (
    NAME_GAP_WORDS,
    NAME_PLACEHOLDER_PHRASES,
    NAME_PLACEHOLDER_WORDS,
    PERSON_DESCRIPTORS,
    UNKNOWN_SPELLINGS,
    by_first_word,
    fold_ascii_upper,
    is_placeholder,
)
from ilos.standardize.transliteration import canonical_spelling, transliteration_key

# Particles that start a surname (DE LA CRUZ, DOS SANTOS, VAN DER BERG) ...
LEAD_PARTICLES: frozenset[str] = frozenset({"DE", "DEL", "DA", "DO", "DOS", "DAS", "DI", "DU", "VAN", "VON"})
# ... and words that are particles only after one of those (DE LA, DE LOS, VAN DER).
FOLLOW_PARTICLES: frozenset[str] = frozenset({"LA", "LAS", "LOS", "DER", "DEN", "TER"})
# The conjunction joining paternal and maternal surnames: GARCIA Y LOPEZ.
CONJUNCTIONS: frozenset[str] = frozenset({"Y", "E"})
_NOT_NAME_WORDS = LEAD_PARTICLES | FOLLOW_PARTICLES | CONJUNCTIONS
# "Son of" before a name in Arabic and Hebrew surnames (MOHAMED BEN ALI, SARA BEN DAVID): no word of the name's
# own, so not keyed (BEN alone is BENJAMIN's nickname); not a particle when splitting a full name (BEN SMITH).
PATRONYMIC_PARTICLES: frozenset[str] = frozenset({"BEN", "BIN", "IBN"})
_NOT_TOKEN_WORDS = _NOT_NAME_WORDS | PATRONYMIC_PARTICLES
# Tokens that carry no identity and are dropped from inside a name (`placeholders.NAME_GAP_WORDS` and the
# like), and generational suffixes (a JR shares his father's name: the suffix is no evidence).
PLACEHOLDER_TOKENS: frozenset[str] = frozenset((*UNKNOWN_SPELLINGS, *NAME_PLACEHOLDER_WORDS, *NAME_GAP_WORDS))
GENERATION_SUFFIXES: frozenset[str] = frozenset({"JR", "SR", "II", "III", "IV"})
# Forms of address (MR JOHN SMITH): no part of the name, and two Mr Smiths share nothing by it.
TITLES: frozenset[str] = frozenset({"MR", "MRS", "MS", "MISS", "MX", "DR", "SRA", "SRTA"})

COMMON_GIVEN_NAMES: frozenset[str] = CANONICAL_GIVEN_NAMES | frozenset(
    {
        "CARLOS", "MIGUEL", "ANGEL", "DIEGO", "JORGE", "OSCAR", "MARIO", "SERGIO", "VICTOR", "RAUL",
        "HECTOR", "ARTURO", "JAVIER", "ANDRES", "PABLO", "MARCO", "RAMON", "CESAR", "HUGO", "JULIO",
        "ARMANDO", "ALBERTO", "ERNESTO", "FELIPE", "OMAR", "ABEL", "ELENA", "LUCIA", "SOFIA", "PAULA",
        "CLAUDIA", "LAURA", "ANDREA", "GABRIELA", "VERONICA", "ADRIANA", "MONICA", "SILVIA", "BEATRIZ",
        "ALICIA", "ELSA", "MARTA", "JULIA", "PAUL", "PETER", "MARK", "GEORGE", "MARY", "ANNE", "ANN",
        "LEE", "MAE", "LYNN", "RAY", "EDUARDO", "GABRIEL", "MARCOS", "ISMAEL", "NOEL", "RENE", "YESENIA",
        "ALEXIS", "ANTONIO", "ALEXANDRA", "CRISTINA", "DANIELA", "FERNANDA", "VALENTINA", "CAMILA",
    "ANGELES", "LOURDES", "ROSARIO", "DOLORES", "MERCEDES", "PILAR", "FATIMA", "LUZ", "SOCORRO", "CONSUELO",
    }
)  # fmt: skip

_MARIAN_FIRST = frozenset({"MARIA", "JOSE"})
_APOSTROPHE_RE = re.compile(r"['`]")
_NON_NAME_RE = re.compile(r"[^A-Z-]+")
_ORDINAL_RE = re.compile(r"\b[0-9]+(?:ST|ND|RD|TH)\b")  # 2ND, 3RD: generational, as II and III
_HYPHENS_RE = re.compile(r"[ -]*-[ -]*")  # "A - -B" (punctuation gone) is one hyphen, as "A-B"


@dataclass(frozen=True, slots=True)
class SurnameParts:
    """A family name split into first (paternal) and second (maternal) surname."""

    first_surname: str | None
    second_surname: str | None
    all_tokens: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NameParts:
    """A full name split into given, middle and family parts (any may be missing)."""

    given: str | None
    middle: str | None
    family: str | None


def normalize_name(value: str | None) -> str | None:
    """Upper-case ASCII name: diacritics dropped, apostrophes removed (O'BRIEN→OBRIEN), other
    punctuation and digits become spaces, hyphens kept between words, placeholder tokens (FNU, UNKNOWN) and
    generational suffixes (JR, III) and titles (MR, DR) dropped. Placeholders and empty results give None."""
    if value is None or is_placeholder(value):
        return None
    upper = _ORDINAL_RE.sub(" ", _APOSTROPHE_RE.sub("", fold_ascii_upper(value)))  # SMITH 3RD: a suffix
    text = _HYPHENS_RE.sub("-", _NON_NAME_RE.sub(" ", upper))
    tokens = _without_placeholder_phrases([t.strip("-") for t in text.split()])
    unnamed = not PLACEHOLDER_TOKENS.isdisjoint(tokens)  # then MALE, BABY and the like describe, not name
    dropped = _DROPPED_BESIDE_A_PLACEHOLDER if unnamed else _DROPPED
    kept = [t for t in tokens if t and t not in dropped]
    result = " ".join(kept)
    return result if result and not is_placeholder(result) else None


_DROPPED = PLACEHOLDER_TOKENS | GENERATION_SUFFIXES | TITLES
_DROPPED_BESIDE_A_PLACEHOLDER = _DROPPED | PERSON_DESCRIPTORS


_PHRASES_BY_FIRST_WORD = by_first_word(NAME_PLACEHOLDER_PHRASES)


def _without_placeholder_phrases(tokens: list[str]) -> list[str]:
    """The tokens without any run that spells a name placeholder phrase (NO FIRST NAME, FIRST NAME UNKNOWN).
    Most names hold no phrase's first word: they are returned as they came (this runs for every name)."""
    if _PHRASES_BY_FIRST_WORD.keys().isdisjoint(tokens):
        return tokens
    kept, at = [], 0
    while at < len(tokens):
        candidates = _PHRASES_BY_FIRST_WORD.get(tokens[at], ())
        phrase = next((p for p in candidates if tuple(tokens[at : at + len(p)]) == p), None)
        if phrase is None:
            kept.append(tokens[at])
        at += len(phrase) if phrase else 1
    return kept


def is_placeholder_pair(given: str | None, family: str | None) -> bool:
    """Whether a given and a family name, each a name alone, are together a placeholder (JOHN and DOE in
    two columns): both are then missing."""
    return given is not None and family is not None and is_placeholder(f"{given} {family}")


def _words(normalized: str) -> list[str]:
    return normalized.replace("-", " ").split()


def _name_words(normalized: str, not_names: frozenset[str] = _NOT_NAME_WORDS) -> list[str]:
    """The words of a normalised name in order, without the particles and conjunctions (DE, LA, Y) that a
    name word follows: one that ends the name is a name (DO, DU, DA: Vietnamese and Chinese surnames), and
    dropping it left THANH DO and THANH DU alike THANH, the same name. (A family name written first in one
    string, DO THANH, still reads as THANH.)"""
    words = _words(normalized)
    kept: list[str] = []
    name_after = False  # a name word comes later
    for word in reversed(words):
        if word not in not_names or not name_after:
            kept.append(word)
        name_after = name_after or word not in not_names
    return kept[::-1]


def _surname_units(words: list[str]) -> list[str]:
    """Group particles with the word they introduce and drop the joining Y: each unit is one surname."""
    units: list[str] = []
    prefix: list[str] = []
    for i, word in enumerate(words):
        is_particle = word in LEAD_PARTICLES or (word in FOLLOW_PARTICLES and bool(prefix))
        if is_particle and i < len(words) - 1:
            prefix.append(word)
        elif word in CONJUNCTIONS and units and not prefix and i < len(words) - 1:
            continue
        else:
            units.append(" ".join([*prefix, word]))
            prefix = []
    return units


def split_surnames(family: str | None) -> SurnameParts:
    """First and second surname of a family name. Particles stay with their surname ("DE LA CRUZ" is
    one surname); "GARCIA LOPEZ", "GARCIA-LOPEZ" and "GARCIA Y LOPEZ" all give GARCIA + LOPEZ. A third
    or later surname is kept with the second."""
    normalized = normalize_name(family)
    if normalized is None:
        return SurnameParts(None, None, ())
    words = _words(normalized)
    units = _surname_units(words)
    second = " ".join(units[1:]) or None
    return SurnameParts(units[0], second, tuple(token_set(normalized)))


def split_full_name(value: str | None, family_first: bool = False) -> NameParts:
    """Given, middle and family parts of a full name (`_split_full_name`); none when the given and family
    name together are a placeholder ("DOE, JOHN JR")."""
    parts = _split_full_name(value, family_first)
    return NameParts(None, None, None) if is_placeholder_pair(parts.given, parts.family) else parts


def _split_full_name(value: str | None, family_first: bool = False) -> NameParts:
    """Given, middle and family parts of a full name. "FAMILY, GIVEN MIDDLE" is read in comma form;
    otherwise the first word is the given name, following words that are common given names or initials are
    middle names, and the rest (at least one surname, particles attached) is the family name. A source that
    writes "FAMILY GIVEN" without a comma (`name_order: family_first`) is read from the other end."""
    if value is None or is_placeholder(value):
        return NameParts(None, None, None)
    family_part, comma, given_part = value.partition(",")
    given_words = _words(normalize_name(given_part) or "")
    if comma and (given_words or not _only_suffixes(given_part)):  # "SMITH, JOHN"; "GARCIA, FNU": no given
        return NameParts(
            given_words[0] if given_words else None,
            " ".join(given_words[1:]) or None,
            normalize_name(family_part),
        )
    normalized = normalize_name(family_part if comma else value)
    if normalized is None:
        return NameParts(None, None, None)
    units = _surname_units(normalized.split())
    if len(units) == 1:
        return NameParts(None, None, units[0])
    if family_first:
        return _split_family_first(units)
    middle_end = 1
    while middle_end < len(units) - 1 and _is_middle_unit(units[middle_end], units[middle_end - 1]):
        middle_end += 1
    return NameParts(units[0], " ".join(units[1:middle_end]) or None, " ".join(units[middle_end:]))


def _only_suffixes(text: str) -> bool:
    """Text of generational suffixes only ("JR", "III"): after a comma, the end of "JOHN SMITH, JR"."""
    words = _NON_NAME_RE.sub(" ", fold_ascii_upper(text)).split()
    return bool(words) and all(w in GENERATION_SUFFIXES for w in words)


def _split_family_first(units: list[str]) -> NameParts:
    """In "GARCIA LOPEZ MARIA JOSE" the trailing run of common given names (at least the last word, and at
    least one surname kept) is the given name and its middle names."""
    start = len(units) - 1
    while start > 1 and _is_given_name(units[start - 1]):
        start -= 1
    return NameParts(units[start], " ".join(units[start + 1 :]) or None, " ".join(units[:start]))


def _is_given_name(unit: str) -> bool:
    return unit in COMMON_GIVEN_NAMES or unit in NICKNAMES or unit in NICKNAME_READINGS


def _is_middle_unit(unit: str, before: str) -> bool:
    """A unit after the given name read as a middle name: a given name, an initial (JOHN A SMITH), or a given
    name with particles after MARIA or JOSE (MARIA DEL CARMEN, JOSE DE JESUS: a Marian name, not a surname)."""
    if _is_given_name(unit) or len(unit) == 1:
        return True
    words = unit.split()
    return len(words) > 1 and before.split()[-1] in _MARIAN_FIRST and _is_given_name(words[-1])


def canonical_given(name: str | None) -> str | None:
    """The given name with each word's nickname resolved (PEPE→JOSE, BILL→WILLIAM) and known
    transliteration variants spelled one way (MOHAMED→MUHAMMAD, YOSEF→JOSEPH)."""
    normalized = normalize_name(name)
    if normalized is None:
        return None
    return " ".join(canonical_spelling(resolve_nickname(token)) for token in normalized.split())


def token_key(token: str) -> str:
    """One name word as a matching key: nickname resolved, spelling variants and transliteration folded
    (CHUY→JESUS, MOHAMED→MUHAMMAD), so order-free name comparison survives both."""
    key = token
    for _ in range(4):  # folding can reveal a nickname (BOBB -> BOB -> ROBERT): repeat until settled
        folded = transliteration_key(canonical_spelling(resolve_nickname(key)))
        if folded == key:
            break
        key = folded
    return key


def token_keys(token: str) -> tuple[str, ...]:
    """The matching keys of one name word, as `name_keys` holds them: an initial (or a word that folds to one
    letter) has none, so R and ROSA do not disagree; a nickname of several names has each reading's key
    (BETO: ALBERTO, HUMBERTO, ROBERTO); a nickname of a compound name each word's (MAJO: JOSE, MARIA); any
    other word its `token_key`."""
    key = token_key(token)  # folded first: BETTO is BETO, MAJJO is MARIA JOSE
    readings = NICKNAME_READINGS.get(token) or NICKNAME_READINGS.get(key) or (key,)
    keys = {token_key(word) for reading in readings for word in reading.split()}
    return tuple(sorted(key for key in keys if len(key) > 1))


def given_keys(given: str | None) -> tuple[str, ...]:
    """The matching keys of the first word of a given name (`token_keys`): ALEX keys as ALEJANDRO among its
    readings, so it meets ALEJANDRO, while a father's middle name never meets his son's given name."""
    words = _name_words(normalize_name(given) or "")
    return token_keys(words[0]) if words else ()


def token_set(normalized: str | None) -> list[str]:
    """Sorted unique words of an already normalised name, without the particles and conjunctions a name word
    follows (`_name_words`), BEN, BIN and IBN among them (BEN ALI: BEN would key as BENJAMIN)."""
    if not normalized:
        return []
    return sorted(set(_name_words(normalized, _NOT_TOKEN_WORDS)))


def name_tokens(*names: str | None) -> tuple[str, ...]:
    """Sorted unique words across several names: robust to given/family order swaps."""
    words: set[str] = set()
    for name in names:
        words.update(token_set(normalize_name(name)))
    return tuple(sorted(words))


def _phonetic_source(name: str | None) -> str | None:
    normalized = normalize_name(name)
    if normalized is None:
        return None
    words = [transliteration_key(w) for w in _name_words(normalized)]
    return "".join(words) or None


def phonetic_key(name: str | None) -> str | None:
    """Metaphone of the transliteration-folded name, particles dropped (DE LA CRUZ and CRUZ agree;
    CHANG and ZHANG agree)."""
    source = _phonetic_source(name)
    return (jellyfish.metaphone(source) or None) if source else None


def nysiis_key(name: str | None) -> str | None:
    """NYSIIS of the transliteration-folded name, particles dropped."""
    source = _phonetic_source(name)
    return (jellyfish.nysiis(source) or None) if source else None


def full_name(given: str | None, family: str | None) -> str | None:
    """The normalised "GIVEN FAMILY" string, or whichever part is present."""
    parts = [p for p in (normalize_name(given), normalize_name(family)) if p]
    return " ".join(parts) or None


def given_phonetic(given: str | None) -> str | None:
    """Phonetic key of the first word of the nickname-resolved given name (PEPE and JOSE agree)."""
    canonical = canonical_given(given)
    return phonetic_key(canonical.split()[0]) if canonical else None
