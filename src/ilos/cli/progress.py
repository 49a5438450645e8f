"""Rich progress displays for long work, driven by callbacks the services accept."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

console = Console(stderr=True)


@contextmanager
def spinner(title: str) -> Iterator[Callable[[str], None]]:
    """A spinner whose text follows the step the service reports."""
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
    ) as bar:
        task = bar.add_task(title, total=None)

        def step(message: str) -> None:
            bar.update(task, description=f"{title}: {message}")

        yield step


@contextmanager
def counted(title: str) -> Iterator[Callable[[str, int, int], None]]:
    """A bar for work the service reports as (step, done, total)."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(title, total=None)

        def step(message: str, done: int, total: int) -> None:
            bar.update(task, description=f"{title}: {message}", completed=done, total=total)

        yield step
