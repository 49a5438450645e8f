"""`ilos policy`: show what a policy change would do to a linkage's worklist before it applies, apply one
with who and why recorded, and list what was applied."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from ilos.cli import legal as legal_cli
from ilos.cli import worklist as worklist_cli
from ilos.cli.errors import reports_errors
from ilos.config import load_settings
from ilos.policy import access
from ilos.services import policy_admin, worklists

app = typer.Typer(
    help="Policy versions: diff their effect, apply with a recorded reason, history.", no_args_is_help=True
)
console = Console()


@app.command("diff", help="Subjects whose status or priority changes if NEW replaces OLD, on LINKAGE_DIR.")
@reports_errors
def diff(
    old: str = typer.Argument(..., help="Current policy name or YAML path."),
    new: str = typer.Argument(..., help="Proposed policy name or YAML path."),
    linkage_dir: Path = typer.Argument(..., help="A directory with a subjects build."),
    purpose: str = typer.Option(worklists.DEFAULT_PURPOSE, "--purpose", help="Purpose of use."),
    limit: int = typer.Option(20, "--limit", help="Show at most this many changed subjects."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Decide as of this date (default: the subjects build's)."
    ),
) -> None:
    when = worklist_cli.parse_date(as_of)
    inputs = legal_cli.recorded_inputs(purpose, ())
    d = worklists.diff_policies(old, new, linkage_dir, when, purpose, load_settings().home, inputs)
    console.print(
        f"{d.old_label} -> {d.new_label} as of {d.as_of}: {len(d.changes):,} of {d.subjects:,} subjects change "
        f"({d.status_changes:,} status, {d.priority_changes:,} priority)"
    )
    table = Table("subject", "status", "priority", "score")
    for c in d.changes[:limit]:
        table.add_row(
            c.subject_id, f"{c.old_status} -> {c.new_status}", f"{c.old_priority} -> {c.new_priority}",
            f"{c.old_score} -> {c.new_score}",
        )  # fmt: skip
    console.print(table)


@app.command("apply", help="Make NEW the policy in force; who, when and why are appended to the applied log.")
@reports_errors
def apply(
    new: str = typer.Argument(..., help="Policy name or YAML path."),
    by: str = typer.Option(..., "--by", help="Who applies it."),
    reason: str = typer.Option(..., "--reason", help="Why."),
) -> None:
    home = load_settings().home
    record = policy_admin.apply_policy(new, by, reason, home)
    console.print(
        f"applied {record.policy_id} v{record.version} ({record.content_hash[:12]}) by {record.by} at {record.at}; "
        f"recorded in {policy_admin.applied_log(home)}"
    )


@app.command("show", help="A policy's id, version, hash, gate parameters and access matrix.")
@reports_errors
def show(name: str = typer.Argument("default", help="Policy name or YAML path.")) -> None:
    policy = policy_admin.resolve_policy(name, load_settings().home)
    console.print(
        f"{policy.label} from {policy.source}; priority rules {policy.rules.id} v{policy.rules.version}"
    )
    console.print(f"gates: {policy.spec.gates.model_dump()}")
    markings = sorted({m for rule in policy.spec.access for m in rule.markings if m != "*"})
    matrix = access.access_matrix(policy, markings)
    table = Table("role", "purpose", *markings)
    for role, purposes in policy.spec.role_purposes.items():
        for purpose in purposes:
            table.add_row(role, purpose, *(matrix[(role, purpose, m)] for m in markings))
    _print_whole(table)


def _print_whole(table: Table) -> None:
    """Print the table at the width its cells need: on a narrow terminal (80 columns) the access matrix had
    every cell cut to one letter; a wide line wraps on screen and stays whole in a pipe or file."""
    needed = Measurement.get(console, console.options.update(width=10_000), table).maximum
    Console(width=max(console.width, needed)).print(table)


@app.command("history", help="Every policy applied, oldest first.")
@reports_errors
def history() -> None:
    table = Table("at", "by", "policy", "hash", "reason")
    for r in policy_admin.applied_history(load_settings().home):
        table.add_row(r.at, r.by, f"{r.policy_id} v{r.version}", r.content_hash[:12], r.reason)
    console.print(table)
