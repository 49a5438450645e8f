"""`ilos cases`: open, assign, note on and close cases; plan actions and take their steps; re-check a
subject's open actions. The local operator acts under their own name, so a second person verifies."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import typer
from rich.console import Console

from ilos.cli.errors import reports_errors
from ilos.config import load_settings
from ilos.domain.cases import ActionKind, ActionStep
from ilos.services import action_gates, case_actions, cases, subject_splits
from ilos.services.access import Purpose, local_operator
from ilos.services.case_actions import ActionView
from ilos.services.cases import CaseView
from ilos.services.store_access import Store, open_store
from ilos.services.subject_splits import SplitView

app = typer.Typer(
    help="Cases and actions: verification before adverse action, gates at every step.", no_args_is_help=True
)
console = Console()
OPERATOR = local_operator(Purpose.case_investigation)
T = TypeVar("T")


def _with_store(work: Callable[[Store], T]) -> T:
    store = open_store(load_settings())
    try:
        return work(store)
    finally:
        store.close()


def _case(c: CaseView) -> None:
    console.print(
        f"case {c.case_id} ({c.state}) {c.title}; assignee {c.assignee or '-'}; subjects {', '.join(c.subjects)}"
    )
    for n in c.notes:
        console.print(f"  note {n.at:%Y-%m-%d %H:%M} {n.author}: {n.text}")
    for a in c.actions:
        console.print(f"  action {a.action_id} {a.kind} on {a.subject_id}: {a.state}")


def _action(a: ActionView) -> None:
    console.print(f"action {a.action_id} {a.kind} on {a.subject_id}: {a.state}")
    for v in a.verifications:
        console.print(
            f"  {v.kind.value} verified by {v.verified_by} at {v.at:%Y-%m-%d %H:%M}: {'; '.join(v.evidence)}"
        )
    for h in a.halts:
        console.print(f"  halted at {h.step} ({h.from_state}) by gate {h.gate}: {h.reason}")


@app.command("open", help="Open a case over one or more subjects.")
@reports_errors
def open_case(title: str, subject: list[str] = typer.Option(..., "--subject", help="Repeatable.")) -> None:
    _case(_with_store(lambda s: cases.open_case(s, OPERATOR, title, subject)))


@app.command("assign", help="Assign a case to a user.")
@reports_errors
def assign(case_id: str, assignee: str) -> None:
    _case(_with_store(lambda s: cases.assign_case(s, OPERATOR, case_id, assignee)))


@app.command("note", help="Add a note to a case.")
@reports_errors
def note(case_id: str, text: str) -> None:
    _case(_with_store(lambda s: cases.note_case(s, OPERATOR, case_id, text)))


@app.command("close", help="Close a case with a reason.")
@reports_errors
def close(case_id: str, reason: str = typer.Option(..., "--reason")) -> None:
    _case(_with_store(lambda s: cases.close_case(s, OPERATOR, case_id, reason)))


@app.command("show", help="One case with its subjects, notes and actions.")
@reports_errors
def show(case_id: str) -> None:
    _case(_with_store(lambda s: cases.read_case(s, OPERATOR, case_id)))


@app.command("plan", help="Plan an action on a subject; refused if a legal gate already blocks.")
@reports_errors
def plan(
    subject_id: str,
    kind: ActionKind = typer.Option(..., "--kind"),
    case_id: str | None = typer.Option(None, "--case"),
    destination: str | None = typer.Option(
        None, "--destination", help="Destination country (removals): ISO 3166-1 alpha-3 code or name."
    ),
) -> None:
    request = case_actions.ActionRequest(subject_id, kind, case_id, destination)
    _action(_with_store(lambda s: case_actions.create_action(s, OPERATOR, request)))


@app.command("step", help="Take one step of an action (gates re-checked now).")
@reports_errors
def step(
    action_id: str,
    name: ActionStep = typer.Argument(
        ..., help="verify_identity, verify_legal_status, approve, lock, execute, cancel, reopen"
    ),
    evidence: list[str] = typer.Option(
        [], "--evidence", help="What was checked (verifications; repeatable)."
    ),
    note_text: str = typer.Option("", "--note"),
) -> None:
    request = case_actions.StepRequest(name, tuple(evidence), note_text)
    _action(_with_store(lambda s: case_actions.step_action(s, OPERATOR, action_id, request)))


@app.command("recheck", help="Re-check gates for every open action on a subject; halt the blocked.")
@reports_errors
def recheck(subject_id: str, reason: str = typer.Option("manual re-check", "--reason")) -> None:
    def work(store: Store) -> int:
        with store.transaction() as session:
            return len(
                cases.recheck_subject(session, subject_id, reason, action_gates.gate_source_for(store))
            )

    console.print(f"{_with_store(work)} halt(s) recorded for {subject_id}")


def _split(v: SplitView) -> None:
    console.print(
        f"split {v.split_id} ({v.state}) of {v.subject_id} into {', '.join(v.parts)} at {v.split_at}"
    )
    for m in v.moved:
        console.print(f"  {m['object_type']} {m['object_id']}: {m['from']} -> {m['to']} ({m['basis']})")
    for action_id in v.halted:
        console.print(f"  halted action {action_id} until identity is verified again")


@app.command("follow-splits", help="Move work on subjects a re-run split to the right part; halt and review.")
@reports_errors
def follow_splits(linkage_dir: Path = typer.Argument(..., help="The re-run's linkage directory.")) -> None:
    for v in _with_store(lambda s: subject_splits.follow_splits(s, OPERATOR, linkage_dir)):
        _split(v)


@app.command("split-reviews", help="Splits that touched attached work, waiting for review.")
@reports_errors
def split_reviews(
    state: str = typer.Option("open", "--state", help="open, resolved or nothing_attached."),
) -> None:
    for v in _with_store(lambda s: subject_splits.split_reviews(s, OPERATOR, state)):
        _split(v)


@app.command("split-resolve", help="Close a split's review with a note (supervisor).")
@reports_errors
def split_resolve(split_id: str, note_text: str = typer.Option(..., "--note")) -> None:
    _split(_with_store(lambda s: subject_splits.resolve_split_review(s, OPERATOR, split_id, note_text)))
