"""Normalised search keys for published subjects: plain functions shared by publishing and search."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_NOT_LETTER_OR_DIGIT = re.compile(r"[^0-9a-z]+")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")


def name_key(name: str) -> str:
    """Lower case, no diacritics, words separated by one space: 'José  DE-la Cruz' -> 'jose de la cruz'."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _NOT_LETTER_OR_DIGIT.sub(" ", ascii_only).strip()


def identifier_key(value: str) -> str:
    """Upper case letters and digits only: 'a-012 345 678' -> 'A012345678'."""
    return _NOT_ALNUM.sub("", value.upper())


def like_pattern(text: str) -> str:
    """A LIKE pattern that matches `text` literally anywhere (escape char is backslash)."""
    return f"%{_like_escaped(text)}%"


def like_prefix(text: str) -> str:
    """A LIKE pattern that matches values starting with `text` literally (escape char is backslash)."""
    return f"{_like_escaped(text)}%"


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def sounds_value(codes: Iterable[str]) -> str:
    """The stored form of a name's sound codes: unique, sorted, each with a space either side (" JS KRS ")."""
    return f" {' '.join(sorted(set(codes)))} "


def sound_pattern(code: str) -> str:
    """A LIKE pattern matching one whole code in a `sounds_value` (escape char is backslash)."""
    return f"% {_like_escaped(code)} %"
