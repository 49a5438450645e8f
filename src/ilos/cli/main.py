"""The `ilos` command: a thin Typer front end over the services. `app` holds every command group (what the
tests and the docs walk); the shell's `ilos` builds only the group it runs (`ilos.cli.entry`)."""

from __future__ import annotations

from ilos.cli.command_tree import build_app

app = build_app()
