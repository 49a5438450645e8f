"""Use cases of cases: open a case over subjects, assign it, note on it, add subjects, close it, read it.
Every change and read is audited in the same transaction. `recheck_subject` (the near-real-time hook)
lives with the actions it halts and is re-exported here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ilos.domain.cases import CaseState, CaseStep, next_case_state
from ilos.errors import FieldProblem, InvalidInputError, NotFoundError
from ilos.services.access import ENFORCEMENT_READING, ENFORCEMENT_WORK, Caller, Role
from ilos.services.audit_log import Action, new_id, record, require_role
from ilos.services.case_actions import recheck_subject as recheck_subject
from ilos.services.store_access import Store
from ilos.store import subjects as subject_rows
from ilos.store.operations_tables import ActionRow, CaseNoteRow, CaseRow, CaseSubjectRow

CASE_WORKERS = frozenset({Role.analyst, Role.supervisor})
CASE_READERS = CASE_WORKERS | {Role.logistics_planner, Role.oversight}


@dataclass(frozen=True, slots=True)
class CaseNote:
    author: str
    at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class CaseActionSummary:
    action_id: str
    subject_id: str
    kind: str
    state: str


@dataclass(frozen=True, slots=True)
class CaseView:
    case_id: str
    title: str
    state: str
    opened_by: str
    opened_at: datetime
    assignee: str | None
    subjects: tuple[str, ...]
    notes: tuple[CaseNote, ...]
    actions: tuple[CaseActionSummary, ...]
    closed_by: str | None
    closed_at: datetime | None
    close_reason: str | None


def open_case(store: Store, caller: Caller, title: str, subject_ids: Sequence[str]) -> CaseView:
    """A new open case grouping `subject_ids` (at least one), opened by the caller."""
    require_role(
        store, caller, CASE_WORKERS, Action("case.open", "case", tuple(subject_ids)), ENFORCEMENT_WORK
    )
    problems = [FieldProblem("title", "a case needs a title")] if not title.strip() else []
    problems += [FieldProblem("subject_ids", "a case groups at least one subject")] if not subject_ids else []
    if problems:
        raise InvalidInputError("The case cannot be opened", problems)
    now = datetime.now(UTC)
    with store.transaction() as session:
        refused = _refuse_unpublished(
            session, caller, Action("case.open", "case", tuple(subject_ids)), subject_ids
        )
        if refused is None:
            row = CaseRow(
                id=new_id(),
                title=title.strip(),
                state=CaseState.OPEN.value,
                opened_by=caller.actor,
                assignee=None,
                opened_at=now,
                closed_at=None,
                closed_by=None,
                close_reason=None,
            )
            session.add(row)
            for subject_id in dict.fromkeys(subject_ids):
                session.add(
                    CaseSubjectRow(case_id=row.id, subject_id=subject_id, added_by=caller.actor, added_at=now)
                )
            session.flush()
            record(session, caller, Action("case.open", "case", (row.id, *dict.fromkeys(subject_ids))))
            return _view(session, row)
    raise refused  # its audit event committed above


def assign_case(store: Store, caller: Caller, case_id: str, assignee: str) -> CaseView:
    if not assignee.strip():
        raise InvalidInputError("No assignee given", [FieldProblem("assignee", "name the user to assign")])
    return _change(store, caller, case_id, CaseStep.ASSIGN, assignee.strip())


def note_case(store: Store, caller: Caller, case_id: str, text: str) -> CaseView:
    if not text.strip():
        raise InvalidInputError("The note is empty", [FieldProblem("text", "write the note")])
    return _change(store, caller, case_id, CaseStep.NOTE, text.strip())


def add_case_subject(store: Store, caller: Caller, case_id: str, subject_id: str) -> CaseView:
    return _change(store, caller, case_id, CaseStep.ADD_SUBJECT, subject_id)


def close_case(store: Store, caller: Caller, case_id: str, reason: str) -> CaseView:
    if not reason.strip():
        raise InvalidInputError("A case is closed with a reason", [FieldProblem("reason", "say why")])
    return _change(store, caller, case_id, CaseStep.CLOSE, reason.strip())


def read_case(store: Store, caller: Caller, case_id: str) -> CaseView:
    require_role(store, caller, CASE_READERS, Action("case.read", "case", (case_id,)), ENFORCEMENT_READING)
    with store.transaction() as session:
        view = _view(session, _get(session, case_id))
        record(session, caller, Action("case.read", "case", (case_id, *view.subjects)))
    return view


def _change(store: Store, caller: Caller, case_id: str, step: CaseStep, value: str) -> CaseView:
    """One case step: authorised, checked against the case state machine, applied and audited together."""
    audit = Action(f"case.{step.value}", "case", (case_id,))
    require_role(store, caller, CASE_WORKERS, audit, ENFORCEMENT_WORK)
    now = datetime.now(UTC)
    with store.transaction() as session:
        row = _get(session, case_id)
        adding = (audit.name, "case", (case_id, value))
        refused = (
            _refuse_unpublished(session, caller, Action(*adding), [value])
            if step is CaseStep.ADD_SUBJECT
            else None
        )
        if refused is None:
            row.state = next_case_state(CaseState(row.state), step).value
            if step is CaseStep.ASSIGN:
                row.assignee = value
            elif step is CaseStep.NOTE:
                session.add(CaseNoteRow(id=new_id(), case_id=row.id, author=caller.actor, at=now, text=value))
            elif step is CaseStep.ADD_SUBJECT and session.get(CaseSubjectRow, (row.id, value)) is None:
                session.add(
                    CaseSubjectRow(case_id=row.id, subject_id=value, added_by=caller.actor, added_at=now)
                )
            elif step is CaseStep.CLOSE:
                row.closed_at, row.closed_by, row.close_reason = now, caller.actor, value
            session.flush()
            detail = "" if step is CaseStep.NOTE else value  # notes stay in the case, not in the audit log
            record(session, caller, Action(audit.name, "case", (case_id,), detail=detail))
            return _view(session, row)
    raise refused  # its audit event committed above


def _refuse_unpublished(
    session: Session, caller: Caller, action: Action, subject_ids: Sequence[str]
) -> InvalidInputError | None:
    """A case groups subjects the store knows: an unknown id is named, never grouped silently. The attempt
    is audited in the case's own transaction (asking which ids exist is itself a look at subject data); the
    caller commits that event and raises the returned error."""
    known = subject_rows.published_ids(session, subject_ids)
    problems = [
        FieldProblem(f"subject_ids[{i}]", f"no published subject {subject_id!r}")
        for i, subject_id in enumerate(subject_ids)
        if subject_id not in known
    ]
    if not problems:
        return None
    record(session, caller, replace(action, outcome="invalid", detail="; ".join(p.message for p in problems)))
    return InvalidInputError("The case names subjects that are not published", problems)


def _get(session: Session, case_id: str) -> CaseRow:
    row = session.get(CaseRow, case_id)
    if row is None:
        raise NotFoundError(f"No case {case_id!r}; open one with `ilos cases open` or POST /api/v1/cases")
    return row


def _view(session: Session, row: CaseRow) -> CaseView:
    subjects = session.scalars(
        select(CaseSubjectRow.subject_id)
        .where(CaseSubjectRow.case_id == row.id)
        .order_by(CaseSubjectRow.subject_id)
    ).all()
    notes = session.scalars(
        select(CaseNoteRow).where(CaseNoteRow.case_id == row.id).order_by(CaseNoteRow.at, CaseNoteRow.id)
    ).all()
    actions = session.scalars(
        select(ActionRow).where(ActionRow.case_id == row.id).order_by(ActionRow.created_at, ActionRow.id)
    ).all()
    return CaseView(
        case_id=row.id,
        title=row.title,
        state=row.state,
        opened_by=row.opened_by,
        opened_at=row.opened_at,
        assignee=row.assignee,
        subjects=tuple(subjects),
        notes=tuple(CaseNote(n.author, n.at, n.text) for n in notes),
        actions=tuple(CaseActionSummary(a.id, a.subject_id, a.kind, a.state) for a in actions),
        closed_by=row.closed_by,
        closed_at=row.closed_at,
        close_reason=row.close_reason,
    )
