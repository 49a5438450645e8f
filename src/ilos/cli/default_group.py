"""A command group that runs a default subcommand when the first argument is not a command name,
so `ilos link CONFIG` and `ilos link explain ...` can live side by side."""

from __future__ import annotations

from typing import Any

from typer.core import TyperGroup


class DefaultCommandGroup(TyperGroup):
    """Route `group ARG ...` to the subcommand named `run` unless ARG names another subcommand."""

    default_command = "run"

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # ctx is Typer's vendored click Context; Any keeps this independent of Typer's internals.
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)
