"""`ilos users`: create, disable and list local users (passwords from stdin or a prompt, never an argument)."""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ilos.cli.errors import reports_errors
from ilos.config import load_settings
from ilos.services import users
from ilos.services.access import Purpose, Role, local_operator
from ilos.services.store_access import open_store

app = typer.Typer(help="Local users and their roles (see docs/users-and-purposes.md).", no_args_is_help=True)
console = Console()
ADMIN = Purpose.administration


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@app.command(
    "create", help="Create a user with one or more roles; the password is read from stdin or prompted."
)
@reports_errors
def create(
    username: Annotated[str, typer.Argument(help="Login name: 2-64 of a-z, 0-9, '_', '.', '-'.")],
    role: Annotated[list[Role], typer.Option("--role", help="A role (repeatable).")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
) -> None:
    password = _read_password(password_stdin)
    store = open_store(load_settings())
    try:
        user = users.create_user(store, local_operator(ADMIN), username, password, [r.value for r in role])
    finally:
        store.close()
    console.print(f"created user {user.username} ({', '.join(user.roles)})", highlight=False)


@app.command("disable", help="Disable a user and revoke their tokens and sessions.")
@reports_errors
def disable(username: Annotated[str, typer.Argument(help="The user to disable.")]) -> None:
    store = open_store(load_settings())
    try:
        users.disable_user(store, local_operator(ADMIN), username)
    finally:
        store.close()
    console.print(f"disabled user {username}", highlight=False)


@app.command("list", help="List users, their roles and whether they are disabled or locked.")
@reports_errors
def list_(
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    store = open_store(load_settings())
    try:
        rows = users.list_users(store, local_operator(ADMIN))
    finally:
        store.close()
    if fmt == "json":
        typer.echo(json.dumps([dataclasses.asdict(r) for r in rows], indent=2, default=str))
        return
    table = Table(title=f"Users ({len(rows)})")
    for column in ("username", "roles", "disabled", "locked_until", "created_at"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r.username, ", ".join(r.roles), str(r.disabled), str(r.locked_until or "-"), str(r.created_at)
        )
    console.print(table)
