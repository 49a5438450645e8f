"""Pruning the audit log past its retention: archive the old events (JSON Lines, with their hashes),
anchor the chain at the last archived event, delete them; and verifying such an archive."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from ilos.audit.anchors import prune_detail
from ilos.audit.archive import ArchiveHeader, archive_lines, verify_archive_lines
from ilos.audit.chain import ChainHead, Verification
from ilos.errors import ConflictError, FieldProblem, InvalidInputError
from ilos.services.access import AUDIT_READERS, USER_ADMINS, Caller
from ilos.services.audit_log import Action, record, require_role, to_record
from ilos.services.store_access import Store
from ilos.store import audit_events
from ilos.store.tables import AuditAnchorRow


@dataclass(frozen=True, slots=True)
class PruneResult:
    events: int
    anchor: ChainHead
    archive: Path | None


@dataclass(frozen=True, slots=True)
class ArchiveCheck:
    header: ArchiveHeader
    verification: Verification
    anchored: bool  # the archive's end (and start) match anchors recorded in this store

    @property
    def ok(self) -> bool:
        return self.verification.ok and self.anchored


def latest_allowed(today: date, retention_days: int) -> date:
    return today - timedelta(days=retention_days)


def prune(
    store: Store, caller: Caller, before: date, archive_dir: Path, today: date | None = None
) -> PruneResult:
    """Archive and delete events recorded before `before` (which must be at least the retention ago).

    The archive is written, synced and verified before anything is deleted; the anchor, the deletion
    and the `audit.prune` event then commit together."""
    asked = {"before": before.isoformat()}
    require_role(store, caller, USER_ADMINS, Action("audit.prune", "audit_event", query=asked))
    limit = latest_allowed(today or datetime.now(UTC).date(), store.settings.audit_retention_days)
    if before > limit:
        message = (
            f"--before {before.isoformat()} is inside the retention of {store.settings.audit_retention_days} "
            f"days (ILOS_AUDIT_RETENTION_DAYS); give {limit.isoformat()} or earlier"
        )
        raise InvalidInputError("Cannot prune the audit log", [FieldProblem("before", message)])
    with store.transaction() as session:
        header = _stretch(session, datetime.combine(before, time.min, UTC))
        path = _write_archive(session, header, archive_dir) if header is not None else None
    if header is None or path is None:
        with store.transaction() as session:
            record(session, caller, Action("audit.prune", "audit_event", query=asked, result_count=0))
        return PruneResult(0, ChainHead(), None)
    with store.transaction() as session:
        anchor = AuditAnchorRow(
            seq=header.end.seq,
            hash=header.end.hash,
            events=header.events,
            archive=path.name,
            pruned_at=datetime.now(UTC),
        )
        audit_events.add_anchor(session, anchor)
        deleted = audit_events.delete_events_through(session, header.end.seq)
        detail = prune_detail(header.start, header.end, path.name)
        record(
            session,
            caller,
            Action("audit.prune", "audit_event", query=asked, result_count=deleted, detail=detail),
        )
    return PruneResult(deleted, header.end, path)


def _stretch(session: Session, cutoff: datetime) -> ArchiveHeader | None:
    """From the newest anchor to the last event before `cutoff`; None when there is nothing to prune."""
    anchor = audit_events.latest_anchor(session)
    start = ChainHead(*anchor) if anchor is not None else ChainHead()
    first_kept = audit_events.first_seq_at_or_after(session, cutoff)
    through = first_kept - 1 if first_kept is not None else audit_events.read_chain_head(session).last_seq
    if through <= start.seq:
        return None
    end_hash = audit_events.event_hash(session, through)
    if end_hash is None:
        raise ConflictError(f"Audit event {through} is missing; run `ilos audit verify` before pruning")
    return ArchiveHeader(start, ChainHead(through, end_hash), through - start.seq)


def _write_archive(session: Session, header: ArchiveHeader, archive_dir: Path) -> Path:
    """Write, sync and re-read the archive; a chain that does not verify is never pruned."""
    archive_dir.mkdir(parents=True, exist_ok=True)
    path = archive_dir / f"audit-{header.start.seq + 1:012d}-{header.end.seq:012d}.jsonl"
    partial = path.with_suffix(".partial")
    records = (
        to_record(row)
        for row in audit_events.iter_events(session, after_seq=header.start.seq, through_seq=header.end.seq)
    )
    with partial.open("w", encoding="utf-8") as out:
        for line in archive_lines(header, records):
            out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())
    _, verification = verify_archive_lines(_read_lines(partial))
    if not verification.ok:
        partial.unlink()
        raise ConflictError(
            f"The audit chain is broken at event {verification.first_bad_seq} ({verification.reason}); "
            "nothing was pruned - investigate with `ilos audit verify`"
        )
    partial.replace(path)
    return path


def verify_archive(store: Store, caller: Caller, path: Path) -> ArchiveCheck:
    """Verify an archive's own chain, and that it starts and ends at anchors this store recorded."""
    asked = {"archive": path.name}
    require_role(store, caller, AUDIT_READERS, Action("audit.verify_archive", "audit_event", query=asked))
    try:
        header, verification = verify_archive_lines(_read_lines(path))
    except (OSError, ValueError, KeyError, StopIteration) as exc:
        problem = FieldProblem("archive", f"{path} cannot be read as an audit archive ({exc!r})")
        raise InvalidInputError("Cannot verify the audit archive", [problem]) from None
    with store.transaction() as session:
        anchored = _is_anchored(session, header)
        outcome = "ok" if verification.ok and anchored else "chain_broken"
        detail = verification.reason or (
            "" if anchored else "the archive does not match this store's anchors"
        )
        record(
            session,
            caller,
            Action(
                "audit.verify_archive",
                "audit_event",
                query=asked,
                result_count=verification.checked,
                outcome=outcome,
                detail=detail,
            ),
        )
    return ArchiveCheck(header, verification, anchored)


def _is_anchored(session: Session, header: ArchiveHeader) -> bool:
    end = audit_events.get_anchor(session, header.end.seq)
    if end is None or end.hash != header.end.hash:
        return False
    if header.start == ChainHead():
        return True
    start = audit_events.get_anchor(session, header.start.seq)
    return start is not None and start.hash == header.start.hash


def _read_lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as lines:
        yield from lines
