"""Alerts of the operational workflows: who holds a subject in a plan, writing alerts in the caller's
transaction, and reading one's own alerts (audited), the gates a halt alert reports shown as the reader's
purpose may see them (`stored_gates`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ilos.domain.cases import OPEN_ACTION_STATES, CaseState
from ilos.services import action_gates, stored_gates
from ilos.services.access import Caller
from ilos.services.action_gates import GateSource
from ilos.services.audit_log import Action, new_id, record
from ilos.services.store_access import Store
from ilos.store.operations_tables import (
    ActionRow,
    AgencyOperationRow,
    AlertRow,
    CaseRow,
    CaseSubjectRow,
    OperationTargetRow,
)

# Operations that may still act on their targets: in planning, and under way (the one most in the field).
# Deconfliction checks a new operation against them, and their owners hold their subjects (`holders_of`).
LIVE_OPERATION_STATES = ("planned", "conflicted", "cleared", "under_way")


@dataclass(frozen=True, slots=True)
class AlertView:
    alert_id: str
    recipient: str
    kind: str
    subject_id: str | None
    object_type: str
    object_id: str
    message: str
    created_at: datetime


def holders_of(session: Session, subject_id: str) -> set[str]:
    """Everyone holding the subject in a plan: owners of its open actions, assignees and openers of open
    cases that group it, and owners of live agency operations that target it."""
    actions = session.scalars(
        select(ActionRow.planned_by).where(
            ActionRow.subject_id == subject_id, ActionRow.state.in_([s.value for s in OPEN_ACTION_STATES])
        )
    ).all()
    cases = session.execute(
        select(CaseRow.assignee, CaseRow.opened_by)
        .join(CaseSubjectRow, CaseSubjectRow.case_id == CaseRow.id)
        .where(CaseSubjectRow.subject_id == subject_id, CaseRow.state == CaseState.OPEN.value)
    ).all()
    operations = session.scalars(
        select(AgencyOperationRow.owner)
        .join(OperationTargetRow, OperationTargetRow.operation_id == AgencyOperationRow.id)
        .where(
            OperationTargetRow.kind == "subject",
            OperationTargetRow.value == subject_id,
            AgencyOperationRow.state.in_(LIVE_OPERATION_STATES),
        )
    ).all()
    people = set(actions) | set(operations)
    for assignee, opener in cases:
        people.add(assignee or opener)
    return people


def write_alerts(
    session: Session,
    recipients: Iterable[str],
    kind: str,
    about: tuple[str, str],
    subject_id: str | None,
    message: str,
    now: datetime,
    gates: Sequence[Mapping[str, Any]] | None = None,
) -> list[str]:
    """One alert per recipient (sorted, deduplicated) about `about` = (object type, object id); `gates`: the
    gates it reports (`stored_gates.alert_gates`), shown after `message` to each reader as theirs may."""
    written = []
    for recipient in sorted(set(recipients)):
        alert = AlertRow(
            id=new_id(),
            recipient=recipient,
            kind=kind,
            subject_id=subject_id,
            object_type=about[0],
            object_id=about[1],
            message=message,
            created_at=now,
            read_at=None,
            gates=None if gates is None else [dict(g) for g in gates],
        )
        session.add(alert)
        written.append(recipient)
    return written


def my_alerts(
    store: Store, caller: Caller, limit: int = 100, gates: GateSource | None = None
) -> list[AlertView]:
    """The caller's own alerts, newest first; the read is audited. An alert's gates are shown as the caller's
    purpose may see them now, which may differ from the purpose of whoever (or whatever) acted."""
    source = gates or action_gates.gate_source_for(store)
    with store.transaction() as session:
        rows = session.scalars(
            select(AlertRow)
            .where(AlertRow.recipient == caller.actor)
            .order_by(AlertRow.created_at.desc(), AlertRow.id)
            .limit(limit)
        ).all()
        rested_on: dict[str | None, list[Sequence[str] | None]] = {}
        for r in rows:
            rested_on.setdefault(r.subject_id, []).extend(stored_gates.alert_records(r.kind, r.gates))
        hidden = {s: _hidden_of(source, caller, s, records) for s, records in rested_on.items()}
        views = [
            AlertView(
                r.id, r.recipient, r.kind, r.subject_id, r.object_type, r.object_id,
                stored_gates.alert_message(r.message, r.kind, r.gates, hidden[r.subject_id]), r.created_at,
            )
            for r in rows
        ]  # fmt: skip
        record(session, caller, Action("alert.read", "alert", result_count=len(views)))
    return views


def _hidden_of(
    source: GateSource, caller: Caller, subject_id: str | None, rested_on: Sequence[Sequence[str] | None]
) -> frozenset[str]:
    """What the caller may not see of the records one subject's alerts rest on, asked once per subject (an
    alert about no subject has nothing to decide by: every record it names is withheld)."""
    hidden = (
        stored_gates.hidden_for_nobody
        if subject_id is None
        else stored_gates.hidden_for(source, caller, subject_id)
    )
    return stored_gates.hidden_among(hidden, rested_on)
