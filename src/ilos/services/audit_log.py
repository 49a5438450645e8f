"""Writing and reading the audit log: append in the caller's transaction, list and verify (both audited)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ilos.audit.anchors import PRUNE_ACTION, Anchor, PruneEvidence, anchor_problem
from ilos.audit.archive import DEFAULT_DIR, ArchiveHeader, parse_header
from ilos.audit.chain import AuditFields, AuditRecord, ChainHead, Verification, next_record, verify_chain
from ilos.errors import PermissionDeniedError
from ilos.services.access import AUDIT_READERS, Caller, Purpose, Role
from ilos.services.store_access import Store
from ilos.store import audit_events
from ilos.store.audit_events import EventFilter
from ilos.store.tables import AuditEventRow


def new_id() -> str:
    """An opaque identifier: random, so nothing can be enumerated or counted from it."""
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class Action:
    """What a caller did, as the audit log describes it."""

    name: str
    object_type: str
    object_ids: tuple[str, ...] = ()
    query: Mapping[str, Any] | None = None
    result_count: int | None = None
    outcome: str = "ok"
    detail: str = ""


def record(session: Session, caller: Caller, action: Action) -> AuditRecord:
    """Append one event in the caller's transaction: it commits or rolls back with the change it records.

    The head is locked here, at the end of the work, so the lock is held only for the append and the
    commit; the time is taken under the lock, so `at` never goes backwards along the chain."""
    head = ChainHead(*audit_events.lock_chain_head(session))
    fields = AuditFields(
        event_id=new_id(),
        at=datetime.now(UTC),
        actor=caller.actor,
        client=caller.client,
        purpose=caller.purpose.value,
        action=action.name,
        object_type=action.object_type,
        object_ids=action.object_ids,
        query=dict(action.query) if action.query is not None else None,
        result_count=action.result_count,
        outcome=action.outcome,
        detail=action.detail,
    )
    link = next_record(head, fields)
    audit_events.append_event(session, _to_values(link))
    return link


def record_alone(store: Store, caller: Caller, action: Action) -> None:
    """Append an event in its own transaction (denials: nothing else happened to commit with it)."""
    with store.transaction() as session:
        record(session, caller, action)


def require_role(
    store: Store,
    caller: Caller,
    allowed: Iterable[Role],
    action: Action,
    purposes: frozenset[Purpose] | None = None,
) -> None:
    """Refuse (and audit the refusal) unless the caller holds one of `allowed` and, when `purposes` is
    given, works for one of them: a role's own purposes are not all ones a piece of work serves (a
    supervisor signed in for data quality does not open enforcement cases)."""
    allowed = frozenset(allowed)
    if not caller.has_any(allowed):
        denied, error = role_refusal(caller, allowed, action)
    elif purposes is not None and caller.purpose not in purposes:
        denied, error = purpose_refusal(caller, purposes, action)
    else:
        return
    record_alone(store, caller, denied)
    raise error


def purpose_refusal(
    caller: Caller, purposes: frozenset[Purpose], action: Action
) -> tuple[Action, PermissionDeniedError]:
    """The audit event and the error of refusing `action` to a caller working for another purpose."""
    needed = ", ".join(sorted(p.value for p in purposes))
    return _refusal(caller, action, f"{action.name} serves the purposes {needed}, not {caller.purpose.value}")


def _refusal(caller: Caller, action: Action, detail: str) -> tuple[Action, PermissionDeniedError]:
    denied = Action(
        action.name, action.object_type, action.object_ids, action.query, outcome="denied", detail=detail
    )
    return denied, PermissionDeniedError(f"{caller.actor} may not {action.name}: {detail}")


def role_refusal(
    caller: Caller, allowed: frozenset[Role], action: Action
) -> tuple[Action, PermissionDeniedError]:
    """The audit event and the error of refusing `action` to a caller without one of `allowed`."""
    needed = ", ".join(sorted(r.value for r in allowed))
    acting = f" (acting as {next(iter(caller.roles)).value})" if len(caller.roles) == 1 else ""
    return _refusal(caller, action, f"{action.name} needs one of the roles {needed}{acting}")


@dataclass(frozen=True, slots=True)
class AuditEventView:
    seq: int
    event_id: str
    at: datetime
    actor: str
    client: str
    purpose: str
    action: str
    object_type: str
    object_ids: list[str]
    query: dict[str, Any] | None
    result_count: int | None
    outcome: str
    detail: str
    prev_hash: str
    hash: str


def list_events(store: Store, caller: Caller, where: EventFilter) -> list[AuditEventView]:
    """Audit events in chain order for oversight; reading the log is itself recorded."""
    query = {"after": where.after_seq, "limit": where.limit, "actor": where.actor, "action": where.action}
    action = Action("audit.read", "audit_event", query=query)
    require_role(store, caller, AUDIT_READERS, action)
    with store.transaction() as session:
        rows = audit_events.find_events(session, where)
        views = [_to_view(row) for row in rows]
        record(session, caller, Action("audit.read", "audit_event", query=query, result_count=len(views)))
    return views


def verify(store: Store, caller: Caller) -> Verification:
    """Check the whole chain against the head; the check and its result are then recorded."""
    require_role(store, caller, AUDIT_READERS, Action("audit.verify", "audit_event"))
    with store.transaction() as session:
        result = verify_stored_chain(session, store.settings.home / DEFAULT_DIR)
        outcome = "ok" if result.ok else "chain_broken"
        detail = result.reason or f"{result.checked} events verified"
        record(
            session,
            caller,
            Action(
                "audit.verify", "audit_event", result_count=result.checked, outcome=outcome, detail=detail
            ),
        )
    return result


def verify_stored_chain(session: Session, archive_dir: Path | None = None) -> Verification:
    """The pure chain check over the stored events and head (no audit event of its own), starting
    from the newest anchor when older events were pruned to an archive.

    An anchor is trusted only if a prune shows behind it (`ilos.audit.anchors`); one that does not is
    reported as the first bad position, since starting from it would skip the history before it. The
    archives are looked for in `archive_dir` (when given); one not found there is not checked."""
    head_row = audit_events.read_chain_head(session)
    head = ChainHead(head_row.last_seq, head_row.last_hash)
    anchors = [Anchor(r.seq, r.hash, r.events, r.archive) for r in audit_events.list_anchors(session)]
    start = ChainHead()
    if anchors:
        problem = anchor_problem(anchors, _prune_evidence(session, anchors, archive_dir))
        if problem is not None:
            return Verification(0, head, problem.seq, problem.reason)
        start = ChainHead(anchors[-1].seq, anchors[-1].hash)
    return verify_chain(_records(audit_events.iter_events(session, after_seq=start.seq)), head, start)


def _prune_evidence(session: Session, anchors: list[Anchor], archive_dir: Path | None) -> PruneEvidence:
    prunes = audit_events.events_of_action_after(session, PRUNE_ACTION, anchors[-1].seq)
    archives = _archive_headers(archive_dir, anchors) if archive_dir is not None else {}
    return PruneEvidence(audit_events.lowest_seq(session), [to_record(row) for row in prunes], archives)


def _archive_headers(archive_dir: Path, anchors: list[Anchor]) -> dict[str, ArchiveHeader | None]:
    """The header of each anchor's archive found in `archive_dir`; None for one that cannot be read (or
    whose recorded name is not a plain file name, which `prune` never writes)."""
    headers: dict[str, ArchiveHeader | None] = {}
    for anchor in anchors:
        if Path(anchor.archive).name != anchor.archive or anchor.archive in ("", ".", ".."):
            headers[anchor.archive] = None
            continue
        path = archive_dir / anchor.archive
        if not path.is_file():
            continue
        try:
            with path.open(encoding="utf-8") as lines:
                headers[anchor.archive] = parse_header(lines.readline())
        except (OSError, ValueError, KeyError):
            headers[anchor.archive] = None
    return headers


def _records(rows: Iterator[AuditEventRow]) -> Iterator[AuditRecord]:
    for row in rows:
        yield to_record(row)


def to_record(row: AuditEventRow) -> AuditRecord:
    fields = AuditFields(
        event_id=row.event_id,
        at=row.at,
        actor=row.actor,
        client=row.client,
        purpose=row.purpose,
        action=row.action,
        object_type=row.object_type,
        object_ids=tuple(row.object_ids),
        query=row.query,
        result_count=row.result_count,
        outcome=row.outcome,
        detail=row.detail,
    )
    return AuditRecord(seq=row.seq, fields=fields, prev_hash=row.prev_hash, hash=row.hash)


def _to_values(link: AuditRecord) -> dict[str, Any]:
    f = link.fields
    return {
        "seq": link.seq,
        "event_id": f.event_id,
        "at": f.at,
        "actor": f.actor,
        "client": f.client,
        "purpose": f.purpose,
        "action": f.action,
        "object_type": f.object_type,
        "object_ids": list(f.object_ids),
        "query": dict(f.query) if f.query is not None else None,
        "result_count": f.result_count,
        "outcome": f.outcome,
        "detail": f.detail,
        "prev_hash": link.prev_hash,
        "hash": link.hash,
    }


def _to_view(row: AuditEventRow) -> AuditEventView:
    return AuditEventView(**_to_values(to_record(row)))
