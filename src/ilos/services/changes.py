"""Use cases of the store inbox: post a change event (checked against the linkage's sources config) and
read its processing state. Both are audited in the transaction that does the work.

Who may post: data stewards (they run the feeds) and supervisors (they record court stays as they learn of
them), as on the web's change form. The state read shows where the event went (its record and subject, both
named in the read's audit event) and how many affirmative and derogatory changes it made, never what they
are: the posted values may carry markings (TAX, HEALTH), and the classified changes are legal facts derived
from them (a stay, an appeal's case number, protection, citizenship evidence). What the reader's purpose and
markings allow of them is read through the subject API, which withholds the rest with the reason.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ilos.errors import NotFoundError
from ilos.services.access import Caller, Role
from ilos.services.action_gates import gate_source_for
from ilos.services.api_context import admitted
from ilos.services.audit_log import Action, record
from ilos.services.case_actions import recheck_subject
from ilos.services.change_inbox import (
    ChangeEvent,
    OnComplete,
    Processed,
    add_event_row,
    checked_new_record,
    is_waiting,
    waiting_conflict,
)
from ilos.services.shared_cases import COURT_CHANGES, subjects_sharing_cases
from ilos.services.store_access import Store
from ilos.services.subject_record import linkage_dir
from ilos.store.inbox_tables import ChangeEventRow

CHANGE_POSTERS = frozenset({Role.data_steward, Role.supervisor})
CHANGE_READERS = CHANGE_POSTERS | {Role.oversight}


@dataclass(frozen=True, slots=True)
class ChangeEventView:
    """An event's processing state. Its processing position (the table's sequential id) is not shown: ids
    the API exposes are opaque, so nobody can count or enumerate events from them."""

    event_id: str
    source: str
    posted_at: datetime
    posted_by: str
    state: str  # pending, held (the last attempt failed; it stays first in line) or processed
    processed_at: datetime | None
    outcome: str | None
    record: str | None
    subject_id: str | None
    link_action: str | None
    change_counts: dict[str, int]  # classification (affirmative, derogatory) -> how many; never the detail
    error: str | None


def post_change_event(
    store: Store,
    caller: Caller,
    source: str,
    values: Mapping[str, Any],
    linkage: Path | None = None,
    about: Sequence[str] = (),
    detail: str = "",
) -> ChangeEventView:
    """Put one source row in the store inbox; 422 with every problem if the source or its columns are wrong
    for the linkage (default: the one under ILOS_HOME). `about` (e.g. the subject a stay was posted for)
    and `detail` go into the audit event beside the event id.

    The audit event is appended before the insert: appending locks the chain head, so ids are handed out in
    commit order and the worker never sees a lower id commit after a higher one."""
    audit = Action("change.post", "change_event", query={"source": source})
    with admitted(store, caller, CHANGE_POSTERS, audit) as (session, who):
        spec, row_values = checked_new_record(linkage or linkage_dir(store.settings.home), source, values)
        if is_waiting(session, source, spec.record_id, row_values[spec.record_id]):
            raise waiting_conflict(source, row_values[spec.record_id])
        event = ChangeEvent(uuid.uuid4().hex, source, row_values)
        ids = (event.event_id, *about)
        record(session, who, Action(audit.name, "change_event", ids, audit.query, detail=detail))
        row = add_event_row(event, who.actor, datetime.now(UTC))
        session.add(row)
        session.flush()
        return _view(row)


def read_change_event(store: Store, caller: Caller, event_id: str) -> ChangeEventView:
    """One event's processing state (not its values, nor what its changes are); audited with the record and
    subject it was linked to."""
    audit = Action("change.read", "change_event", (event_id,))
    with admitted(store, caller, CHANGE_READERS, audit) as (session, who):
        row = session.scalar(select(ChangeEventRow).where(ChangeEventRow.event_id == event_id))
        if row is None:
            raise NotFoundError(f"No change event {event_id!r}; post one with POST /api/v1/changes")
        linked = tuple(i for i in (row.subject_id, row.record) if i is not None)
        record(session, who, Action(audit.name, audit.object_type, (event_id, *linked)))
        return _view(row)


def recheck_on_change(store: Store) -> OnComplete:
    """A change to a subject re-checks the gates of its open actions at once (a stay halts them now, not at
    their next step), in the transaction that completes the event; a court record's change re-checks too the
    subjects holding a record of its case (`case_record_elsewhere`: a stay linked to no one holds them)."""

    def recheck(session: Session, done: Processed) -> None:
        if not done.changes:
            return
        reason, gates = f"change event {done.event_id}", gate_source_for(store)
        recheck_subject(session, done.subject_id, reason, gates)
        if any(
            c["kind"] in COURT_CHANGES for c in done.changes
        ):  # a stay may bar action in its case's subjects
            for other in sorted(subjects_sharing_cases(linkage_dir(store.settings.home), done.subject_id)):
                recheck_subject(session, other, f"{reason}, a record of a court case it shares", gates)

    return recheck


def _view(row: ChangeEventRow) -> ChangeEventView:
    state = "processed" if row.processed_at is not None else "held" if row.error else "pending"
    return ChangeEventView(
        row.event_id, row.source, row.posted_at, row.posted_by, state, row.processed_at, row.outcome,
        row.record, row.subject_id, row.link_action, _counts(row.changes or ()), row.error,
    )  # fmt: skip


def _counts(changes: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    return dict(sorted(Counter(str(c["classification"]) for c in changes).items()))
