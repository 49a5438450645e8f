"""Transliteration variants: spellings of one name that differ only by the romanisation used (Arabic,
Hebrew, Haitian Creole/French, Chinese pinyin/Wade-Giles, Slavic) folded to one comparison key.

Two layers: an explicit table of known variant groups (each mapped to one canonical spelling), and a
generic, idempotent spelling fold (PH→F, Y→I between consonants, double letters→single) applied after."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

_GROUPS: dict[str, tuple[str, ...]] = {
    # Arabic
    "MUHAMMAD": ("MOHAMMED", "MOHAMED", "MOHAMMAD", "MUHAMMED", "MOHAMAD", "MUHAMAD", "MOHAMMAD", "MOHD"),
    "AHMED": ("AHMAD", "AHMET", "AHMEED"),
    "HUSSEIN": ("HUSSAIN", "HUSAYN", "HOSSEIN", "HUSEIN", "HUSSEN"),
    "OMAR": ("UMAR", "OMER"),
    "YUSUF": ("YOUSSEF", "YOUSEF", "YOUSOUF", "YUSEF", "YOUSSOUF"),
    "ABDUL": ("ABDOUL", "ABDEL", "ABDOU"),
    "MUSTAFA": ("MUSTAPHA", "MOSTAFA", "MOUSTAFA"),
    "IBRAHIM": ("EBRAHIM", "IBRAHEEM", "IBRAHIMA"),
    "KHALID": ("KHALED", "KALID", "KHALEED"),
    "FATIMA": ("FATMA", "FATOUMATA", "FATIMAH"),
    "AISHA": ("AICHA", "AYESHA", "AISHAH"),
    # Hebrew / Biblical and Haitian Creole forms of French names
    "JOSEPH": ("YOSEF", "YOSSEF", "JOSEF", "JOZEF"),
    "JEAN": ("JAN",),
    "PIERRE": ("PYE", "PYER"),
    "LOUIS": ("LWI",),
    "JACQUES": ("JAK", "JAKES"),
    "FRANCOIS": ("FRANSWA",),
    "EMMANUEL": ("EMANYEL", "MANWEL"),
    "CLAUDE": ("KLOD",),
    "MICHEL": ("MISHEL",),
    "JOSUE": ("JOZYE",),
    # Chinese: Wade-Giles (and common Cantonese) spellings of pinyin surnames
    "ZHANG": ("CHANG", "CHEUNG"),
    "ZHOU": ("CHOU", "CHOW"),
    "ZHAO": ("CHAO", "CHIU"),
    "ZHENG": ("CHENG",),
    "ZHU": ("CHU",),
    "XU": ("HSU", "HUI"),
    "XIE": ("HSIEH", "TSE"),
    "QIAN": ("CHIEN",),
    "JIANG": ("CHIANG",),
    "HUANG": ("HWANG", "WONG"),
    "LIU": ("LAU", "LAO"),
    "WU": ("NG",),
    "CHEN": ("CHAN",),
    # Slavic
    "ALEXANDER": ("ALEKSANDR", "ALEXANDR", "ALEKSANDER", "OLEKSANDR"),
    "SERGEI": ("SERGEY", "SERGIY", "SERHIY"),
    "DMITRI": ("DMITRIY", "DMITRY", "DMYTRO"),
    "YURI": ("YURIY", "IURII", "YURIJ"),
    "ANDREI": ("ANDREY", "ANDRIY"),
    "NATALIA": ("NATALYA", "NATALIYA"),
    "OLGA": ("OLHA",),
}

_CONSONANT = "[B-DF-HJ-NP-TV-XZ]"
_PH_RE = re.compile("PH")
_Y_RE = re.compile(f"(?<={_CONSONANT})Y(?={_CONSONANT})")
_DOUBLE_RE = re.compile(r"([A-Z])\1+")


def fold_spelling(token: str) -> str:
    """A generic spelling fold of one upper-ASCII token, applied until nothing changes (so it is
    idempotent): PH→F (JOSEPH/JOSEF), Y→I between consonants (LYNN/LINN), double letters→single
    (MOHAMMED/MOHAMED)."""
    previous = None
    while previous != token:
        previous = token
        token = _DOUBLE_RE.sub(r"\1", _Y_RE.sub("I", _PH_RE.sub("F", token)))
    return token


def _index(groups: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, variants in groups.items():
        for spelling in (canonical, *variants):
            key = fold_spelling(spelling)
            if table.setdefault(key, canonical) != canonical:
                raise ValueError(f"spelling {spelling!r} folds into both {table[key]!r} and {canonical!r}")
    return table


VARIANTS: Mapping[str, str] = MappingProxyType(_index(_GROUPS))
"""Folded spelling of a known variant -> canonical spelling of its group."""


def canonical_spelling(token: str) -> str:
    """The canonical spelling of a known variant (MOHAMED→MUHAMMAD, HSU→XU), or the token itself."""
    return VARIANTS.get(fold_spelling(token), token)


def transliteration_key(token: str) -> str:
    """One comparison key for every spelling of a name: canonical spelling, then the generic fold."""
    return fold_spelling(canonical_spelling(token))
