"""The `ilos` command: a thin Typer front end over the services."""

from __future__ import annotations

import typer

from ilos import __version__

app = typer.Typer(
    name="ilos",
    help="ILOS: link records about people into accountable subject records, and run the workflows on them.",
    no_args_is_help=True,
    add_completion=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"ilos {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """ILOS command line."""


def _register() -> None:
    """Attach each command group; kept in one place so the CLI tree is easy to read."""
    from ilos.cli import demo, ingest, link, synth, worker
    from ilos.cli import subjects as subjects_cli

    app.add_typer(synth.app, name="synth")
    app.add_typer(ingest.app, name="ingest")
    app.add_typer(link.app, name="link")
    app.add_typer(worker.app, name="worker")
    app.add_typer(subjects_cli.app, name="subjects")
    app.command("demo")(demo.demo)

    from ilos.cli import audit, serve, users

    app.add_typer(users.app, name="users")
    app.add_typer(audit.app, name="audit")
    app.command("serve", help="Run the web UI (/) and the REST API (/api/v1) with uvicorn.")(serve.serve)

    from ilos.cli import policy as policy_cli
    from ilos.cli import worklist as worklist_cli

    app.add_typer(worklist_cli.app, name="worklist")
    app.add_typer(policy_cli.app, name="policy")

    from ilos.cli import legal as legal_cli

    app.add_typer(legal_cli.app, name="legal")

    from ilos.cli import plan as plan_cli

    app.add_typer(plan_cli.app, name="plan")

    from ilos.cli import cases as cases_cli
    from ilos.cli import deconflict as deconflict_cli
    from ilos.cli import departures as departures_cli

    app.add_typer(cases_cli.app, name="cases")
    app.add_typer(departures_cli.app, name="departures")
    app.add_typer(deconflict_cli.app, name="deconflict")


_register()
