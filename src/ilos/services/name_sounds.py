"""The sound of a name, for fuzzy search: each word's phonetic code after nickname resolution and
transliteration folding, so BILL and WILLIAM, SMYTH and SMITH, MOHAMED and MUHAMMAD, GARCIA and GARSIA share
codes. Publishing stores a subject's codes; a search matches the subjects whose name has every code of the
query's words."""

from __future__ import annotations

import functools

from ilos.standardize.names import normalize_name, phonetic_key, token_key, token_set


@functools.lru_cache(maxsize=1 << 16)
def word_sound(word: str) -> str | None:
    """One normalised name word's code (names repeat their words: a million names hold few distinct ones)."""
    return phonetic_key(token_key(word))


def name_sounds(name: str) -> tuple[str, ...]:
    """Sorted unique codes of the name's words; particles (DE, LA, Y) and words with digits have none."""
    codes = {word_sound(w) for w in token_set(normalize_name(name)) if w.isalpha()}
    return tuple(sorted(c for c in codes if c))
