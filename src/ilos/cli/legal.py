"""`ilos legal`: record, list and revoke the legal authorities that unlock TAX data about one taxpayer, and
record and list the gate reviews that can lift the citizenship and identity gates. The local operator acts
under their own name; every record, read and refusal is audited."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import date
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from ilos.cli.errors import reports_errors
from ilos.config import load_settings
from ilos.services import legal_records
from ilos.services.access import Purpose, local_operator, parse_purpose
from ilos.services.legal_store import RecordedInputs
from ilos.services.store_access import Store, open_store

app = typer.Typer(help="Legal records: authorities for TAX data, and gate reviews.", no_args_is_help=True)
authority_app = typer.Typer(
    help="Legal authorities: the taxpayer, tax periods, statute and reason that unlock TAX data.",
    no_args_is_help=True,
)
review_app = typer.Typer(
    help="Gate reviews: a supervisor's recorded review of a citizenship or identity gate.",
    no_args_is_help=True,
)
app.add_typer(authority_app, name="authority")
app.add_typer(review_app, name="review")
console = Console()
OPERATOR = local_operator(Purpose.case_investigation)
T = TypeVar("T")
FORMAT = typer.Option("table", "--format", help="table or json.")


def with_store(work: Callable[[Store], T]) -> T:
    store = open_store(load_settings())
    try:
        return work(store)
    finally:
        store.close()


def recorded_inputs(purpose: str, authority_ids: Sequence[str]) -> RecordedInputs:
    """The recorded reviews and cited authorities a worklist or policy diff decides with (audited)."""
    operator = local_operator(parse_purpose(purpose))
    return with_store(lambda s: legal_records.decision_inputs(s, operator, authority_ids))


def _day(value: str, option: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise typer.BadParameter(f"{option} {value!r} is not a date; use YYYY-MM-DD") from None


def _print(rows: Sequence[Any], fmt: str, columns: Sequence[str]) -> None:
    if fmt == "json":
        typer.echo(json.dumps([asdict(r) for r in rows], indent=1, default=str))
        return
    table = Table(*columns)
    for r in rows:
        values = asdict(r)
        table.add_row(
            *(
                ", ".join(map(str, v)) if isinstance(v, tuple | list) else str(v)
                for v in map(values.get, columns)
            )
        )
    console.print(table)


AUTHORITY_COLUMNS = (
    "authority_id",
    "subject_id",
    "taxpayer_name",
    "tax_periods",
    "statute",
    "state",
    "expires_on",
)
REVIEW_COLUMNS = ("review_id", "subject_id", "gate", "decision", "finding", "reviewer", "at")


@authority_app.command("record", help="Record a complete legal authority (every missing part is named).")
@reports_errors
def record_authority(
    subject: str = typer.Option("", "--subject", help="The taxpayer's subject id, e.g. S-3267c1c2ffa3."),
    name: str = typer.Option("", "--name", help="The taxpayer's name."),
    period: list[int] = typer.Option([], "--period", help="A tax year covered (repeatable)."),
    statute: str = typer.Option(
        "", "--statute", help="The statutory authority, e.g. '26 U.S.C. 6103(i)(1)'."
    ),
    reason: str = typer.Option("", "--reason", help="Why the data is needed."),
    granted_by: str = typer.Option("", "--granted-by", help="Who granted it (court and order number)."),
    granted_on: str = typer.Option("", "--granted-on", help="YYYY-MM-DD."),
    expires_on: str = typer.Option("", "--expires-on", help="YYYY-MM-DD."),
) -> None:
    request = legal_records.AuthorityRequest(
        subject, name, tuple(period), statute, reason, granted_by,
        _day(granted_on, "--granted-on"), _day(expires_on, "--expires-on"),
    )  # fmt: skip
    a = with_store(lambda s: legal_records.record_authority(s, OPERATOR, request))
    console.print(f"recorded authority {a.authority_id} for {a.subject_id} ({a.state} until {a.expires_on})")


@authority_app.command("list", help="Recorded authorities with their state today.")
@reports_errors
def list_authorities(
    subject: str | None = typer.Option(None, "--subject", help="Only this subject's."), fmt: str = FORMAT
) -> None:
    _print(with_store(lambda s: legal_records.list_authorities(s, OPERATOR, subject)), fmt, AUTHORITY_COLUMNS)


@authority_app.command("revoke", help="Revoke an authority from now (recorded apart; nothing is erased).")
@reports_errors
def revoke_authority(authority_id: str, reason: str = typer.Option("", "--reason", help="Why.")) -> None:
    a = with_store(lambda s: legal_records.revoke_authority(s, OPERATOR, authority_id, reason))
    console.print(f"revoked authority {a.authority_id} for {a.subject_id} at {a.revoked_at:%Y-%m-%d %H:%M}")


@review_app.command("record", help="Record a supervisor's review of a blocking citizenship or identity gate.")
@reports_errors
def record_review(
    subject: str = typer.Option(..., "--subject", help="The subject id."),
    gate: str = typer.Option(..., "--gate", help="us_citizenship_signal or identity_needs_verification."),
    decision: str = typer.Option(..., "--decision", help="cleared or upheld."),
    finding: str = typer.Option(
        "",
        "--finding",
        help="cleared: not_this_person, not_citizenship, identity_verified; upheld: citizen, unresolved.",
    ),
    reason: str = typer.Option("", "--reason", help="What the review found."),
    evidence: list[str] = typer.Option([], "--evidence", help="What was checked (repeatable)."),
) -> None:
    request = legal_records.ReviewRequest(subject, gate, decision, finding, reason, tuple(evidence))
    r = with_store(lambda s: legal_records.record_review(s, OPERATOR, request))
    console.print(
        f"recorded review {r.review_id}: {r.gate} {r.decision} ({r.finding}) on {r.subject_id}, "
        f"covering {len(r.covers)} evidence item(s) under policy v{r.policy_version} {r.policy_hash[:12]}"
    )


@review_app.command("list", help="Recorded gate reviews, oldest first.")
@reports_errors
def list_reviews(
    subject: str | None = typer.Option(None, "--subject", help="Only this subject's."), fmt: str = FORMAT
) -> None:
    _print(with_store(lambda s: legal_records.list_reviews(s, OPERATOR, subject)), fmt, REVIEW_COLUMNS)
