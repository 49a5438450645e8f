"""The `ilos` command tree: each command group's module, imported only when the tree is built with it. A
command run from the shell builds the tree with its own group only (`entry.run`), so it does not pay for
importing every other group's services (the whole tree took about 4 s to import; `ilos link` alone 1.7 s)."""

from __future__ import annotations

import importlib
from collections.abc import Collection

import typer

from ilos import __version__

GROUPS: dict[str, tuple[str, str]] = {
    "synth": ("ilos.cli.synth", "app"),
    "ingest": ("ilos.cli.ingest", "app"),
    "link": ("ilos.cli.link", "app"),
    "worker": ("ilos.cli.worker", "app"),
    "subjects": ("ilos.cli.subjects", "app"),
    "demo": ("ilos.cli.demo", "demo"),
    "users": ("ilos.cli.users", "app"),
    "audit": ("ilos.cli.audit", "app"),
    "serve": ("ilos.cli.serve", "serve"),
    "worklist": ("ilos.cli.worklist", "app"),
    "policy": ("ilos.cli.policy", "app"),
    "legal": ("ilos.cli.legal", "app"),
    "plan": ("ilos.cli.plan", "app"),
    "cases": ("ilos.cli.cases", "app"),
    "departures": ("ilos.cli.departures", "app"),
    "deconflict": ("ilos.cli.deconflict", "app"),
}
"""Each name under `ilos` -> (module, attribute): a Typer group, or a function registered as one command."""

COMMAND_HELP = {"serve": "Run the web UI (/) and the REST API (/api/v1) with uvicorn."}


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"ilos {__version__}")
        raise typer.Exit()


def build_app(names: Collection[str] | None = None) -> typer.Typer:
    """The `ilos` command with these groups (every one when None), in the order `GROUPS` lists them."""
    app = typer.Typer(
        name="ilos",
        help="ILOS: link records about people into accountable subject records, and run the workflows on them.",
        no_args_is_help=True,
        add_completion=False,
    )

    @app.callback()
    def main(
        version: bool = typer.Option(
            False, "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ) -> None:
        """ILOS command line."""

    for name, (module, attribute) in GROUPS.items():
        if names is not None and name not in names:
            continue
        found = getattr(importlib.import_module(module), attribute)
        if isinstance(found, typer.Typer):
            app.add_typer(found, name=name)
        else:
            app.command(name, help=COMMAND_HELP.get(name))(found)
    return app
