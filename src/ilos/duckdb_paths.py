"""A path as DuckDB's file readers take it: they expand `*`, `?` and `[...]` in any path, so a file named
`x[1].csv` read `x1.csv` (and `a*.csv` every file it matched), with no error."""

from __future__ import annotations

from pathlib import Path

_GLOB_CHARACTERS = frozenset("*?[]")


def literal_path(path: str | Path) -> str:
    """The path with each glob character as a one-character class (`[` as `[[]`), which matches only
    itself: DuckDB's globber has no escape character, but it does have classes."""
    return "".join(f"[{c}]" if c in _GLOB_CHARACTERS else c for c in str(path))
