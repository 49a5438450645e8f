"""How a long use case reports its steps: a callback taking one line of text (the CLI shows it beside a
spinner); `silent` when nobody listens."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str], None]


def silent(_: str) -> None:
    return None
