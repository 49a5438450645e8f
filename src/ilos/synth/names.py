"""Name vocabularies as index arrays: sampling given names and surnames per naming region, and the
per-name maps (ASCII form, nickname, transliteration variant) the error model renders through."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ilos.synth import names_data as nd

IntArray = npt.NDArray[np.int64]

REGIONS: tuple[str, ...] = ("hispanic", "haitian", "brazilian", "chinese", "indian", "anglo", "other")
# region -> (male given names, female given names, surnames)
_LISTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "hispanic": (nd.HISPANIC_MALE, nd.HISPANIC_FEMALE, nd.HISPANIC_SURNAMES),
    "haitian": (nd.HAITIAN_MALE, nd.HAITIAN_FEMALE, nd.HAITIAN_SURNAMES),
    "brazilian": (nd.BRAZILIAN_MALE, nd.BRAZILIAN_FEMALE, nd.BRAZILIAN_SURNAMES),
    "chinese": (nd.CHINESE_MALE, nd.CHINESE_FEMALE, nd.CHINESE_SURNAMES),
    "indian": (nd.INDIAN_MALE, nd.INDIAN_FEMALE, nd.INDIAN_SURNAMES),
    "anglo": (nd.ANGLO_MALE, nd.ANGLO_FEMALE, nd.ANGLO_SURNAMES),
    "other": (nd.OTHER_MALE, nd.OTHER_FEMALE, nd.OTHER_SURNAMES),
}
# Regions whose people carry two surnames (Hispanic: paternal maternal; Brazilian: maternal paternal).
TWO_SURNAME_REGIONS: frozenset[str] = frozenset({"hispanic", "brazilian"})
# Share of people with a middle (second given) name, by region.
MIDDLE_NAME_SHARE: dict[str, float] = {
    "hispanic": 0.35,
    "haitian": 0.3,
    "brazilian": 0.3,
    "chinese": 0.02,
    "indian": 0.15,
    "anglo": 0.7,
    "other": 0.15,
}


def strip_diacritics(text: str) -> str:
    """'JOSÉ PEÑA' -> 'JOSE PENA' as ASCII-only systems store it."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _zipf(n: int) -> npt.NDArray[np.float64]:
    weights = 1.0 / (np.arange(n, dtype=np.float64) + 2.0) ** 0.9
    out: npt.NDArray[np.float64] = weights / weights.sum()
    return out


class _Interner:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.index: dict[str, int] = {}

    def add(self, text: str) -> int:
        if text not in self.index:
            self.index[text] = len(self.items)
            self.items.append(text)
        return self.index[text]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """One list of names with the maps the error model needs, all as index arrays into `values`."""

    values: pa.StringArray
    ascii_of: IntArray
    nickname_of: IntArray
    variant_of: IntArray
    has_nickname: npt.NDArray[np.bool_]
    has_variant: npt.NDArray[np.bool_]

    def text(self, index: int) -> str:
        return str(self.values[index].as_py())


def _build_vocabulary(base: list[str], nicknames: dict[str, str]) -> tuple[Vocabulary, dict[str, int]]:
    interner = _Interner()
    for name in base:
        interner.add(name)
    for name in base:
        if name in nicknames:
            interner.add(nicknames[name])
        variant = nd.VARIANTS.get(name) or nd.VARIANTS.get(strip_diacritics(name))
        if variant:
            interner.add(variant)
    for text in list(interner.items):  # every name, nicknames and variants included, has an ASCII form
        interner.add(strip_diacritics(text))
    size = len(interner.items)
    index = interner.index
    ascii_of = np.array([index[strip_diacritics(t)] for t in interner.items], dtype=np.int64)
    nickname_of = np.arange(size, dtype=np.int64)
    variant_of = np.arange(size, dtype=np.int64)
    for i, text in enumerate(interner.items):
        if text in nicknames:
            nickname_of[i] = index[nicknames[text]]
        variant = nd.VARIANTS.get(text) or nd.VARIANTS.get(strip_diacritics(text))
        if variant and variant in index:
            variant_of[i] = index[variant]
    vocab = Vocabulary(
        values=pa.array(interner.items, pa.string()),
        ascii_of=ascii_of,
        nickname_of=nickname_of,
        variant_of=variant_of,
        has_nickname=nickname_of != np.arange(size),
        has_variant=variant_of != np.arange(size),
    )
    return vocab, index


@dataclass(frozen=True, slots=True)
class NameTables:
    """Given-name and surname vocabularies with per-region sampling tables."""

    given: Vocabulary
    surnames: Vocabulary
    male: dict[str, tuple[IntArray, npt.NDArray[np.float64]]]
    female: dict[str, tuple[IntArray, npt.NDArray[np.float64]]]
    family: dict[str, tuple[IntArray, npt.NDArray[np.float64]]]


def build_name_tables() -> NameTables:
    """The vocabularies and sampling tables; pure and deterministic (no randomness here)."""
    given_base: list[str] = []
    surname_base: list[str] = []
    for male, female, family in _LISTS.values():
        given_base += [n for n in (*male, *female) if n not in given_base]
        surname_base += [n for n in family if n not in surname_base]
    given, given_index = _build_vocabulary(given_base, nd.NICKNAMES)
    surnames, surname_index = _build_vocabulary(surname_base, {})

    def table(names: tuple[str, ...], index: dict[str, int]) -> tuple[IntArray, npt.NDArray[np.float64]]:
        unique = list(dict.fromkeys(names))
        return np.array([index[n] for n in unique], dtype=np.int64), _zipf(len(unique))

    return NameTables(
        given=given,
        surnames=surnames,
        male={r: table(m, given_index) for r, (m, _, _) in _LISTS.items()},
        female={r: table(f, given_index) for r, (_, f, _) in _LISTS.items()},
        family={r: table(s, surname_index) for r, (_, _, s) in _LISTS.items()},
    )


def sample_names(
    rng: np.random.Generator, tables: dict[str, tuple[IntArray, npt.NDArray[np.float64]]], region: IntArray
) -> IntArray:
    """One name index per row, drawn from the row's region table (region is an index into REGIONS)."""
    out = np.zeros(len(region), dtype=np.int64)
    for r, name in enumerate(REGIONS):
        rows = np.flatnonzero(region == r)
        if rows.size:
            idx, p = tables[name]
            out[rows] = idx[rng.choice(len(idx), size=rows.size, p=p)]
    return out
