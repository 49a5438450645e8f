"""Maps IlosError to stderr and an exit code: the CLI's one error edge."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from ilos.errors import IlosError

P = ParamSpec("P")
R = TypeVar("R")

stderr = Console(stderr=True)


def reports_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn an IlosError into a readable message on stderr and the error's exit code."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except IlosError as exc:
            stderr.print(
                f"error [{exc.code}] {exc.message}",
                style="bold red",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(exc.exit_code) from exc

    return wrapper
