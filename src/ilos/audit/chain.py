"""The audit hash chain as plain functions: canonical serialisation, hashing and verification of a sequence.

No database here: the store reads and writes rows, the services turn them into `AuditRecord`s."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64

JsonValue = Any


@dataclass(frozen=True, slots=True)
class AuditFields:
    """What happened, as recorded; everything but the chain position and hashes."""

    event_id: str
    at: datetime
    actor: str
    client: str
    purpose: str
    action: str
    object_type: str
    object_ids: tuple[str, ...] = ()
    query: Mapping[str, JsonValue] | None = None
    result_count: int | None = None
    outcome: str = "ok"
    detail: str = ""


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One link of the chain: the event, its position, the previous link's hash and its own."""

    seq: int
    fields: AuditFields
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The last link the store says it holds; a chain checked against it also catches a cut-off tail."""

    seq: int = 0
    hash: str = GENESIS_HASH


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of checking a chain: ok, or the first position where it breaks and why."""

    checked: int
    head: ChainHead
    first_bad_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


def canonical_timestamp(at: datetime) -> str:
    """UTC, microseconds, always with offset: the same text whichever database stored it."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_json(seq: int, fields: AuditFields, prev_hash: str) -> bytes:
    """Sorted keys, no whitespace, UTF-8: one byte string per event whatever the column order."""
    document = {
        "seq": seq,
        "event_id": fields.event_id,
        "at": canonical_timestamp(fields.at),
        "actor": fields.actor,
        "client": fields.client,
        "purpose": fields.purpose,
        "action": fields.action,
        "object_type": fields.object_type,
        "object_ids": list(fields.object_ids),
        "query": fields.query,
        "result_count": fields.result_count,
        "outcome": fields.outcome,
        "detail": fields.detail,
        "prev_hash": prev_hash,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(seq: int, fields: AuditFields, prev_hash: str) -> str:
    """sha256 over the canonical JSON of the event and the previous link's hash."""
    return hashlib.sha256(canonical_json(seq, fields, prev_hash)).hexdigest()


def next_record(head: ChainHead, fields: AuditFields) -> AuditRecord:
    """The link that follows `head`."""
    seq = head.seq + 1
    return AuditRecord(seq=seq, fields=fields, prev_hash=head.hash, hash=compute_hash(seq, fields, head.hash))


def build_chain(events: Sequence[AuditFields], start: ChainHead = ChainHead()) -> list[AuditRecord]:
    """Chain events in order after `start` (used by tests and by anyone re-deriving a chain)."""
    records: list[AuditRecord] = []
    head = start
    for fields in events:
        record = next_record(head, fields)
        records.append(record)
        head = ChainHead(record.seq, record.hash)
    return records


def _link_problem(record: AuditRecord, expected_seq: int, prev_hash: str) -> str | None:
    if record.seq != expected_seq:
        return f"expected event {expected_seq} but found event {record.seq} (deleted, inserted or reordered)"
    if record.prev_hash != prev_hash:
        return f"event {record.seq} does not follow event {expected_seq - 1} (its prev_hash differs)"
    if compute_hash(record.seq, record.fields, record.prev_hash) != record.hash:
        return f"event {record.seq} was modified (its content does not match its hash)"
    return None


def verify_chain(
    records: Iterable[AuditRecord], head: ChainHead, start: ChainHead = ChainHead()
) -> Verification:
    """Check records in stored order against each other and the head; name the first bad position.

    The position reported is the sequence number the chain expected where it broke, so a deleted
    event is named by its own number and a swap by the earlier position."""
    expected_seq, prev_hash, checked = start.seq + 1, start.hash, 0
    for record in records:
        problem = _link_problem(record, expected_seq, prev_hash)
        if problem is not None:
            return Verification(checked, head, expected_seq, problem)
        checked += 1
        expected_seq, prev_hash = record.seq + 1, record.hash
    last = expected_seq - 1
    if last < head.seq:
        return Verification(checked, head, last + 1, f"events {last + 1}..{head.seq} are missing")
    if last > head.seq:
        return Verification(checked, head, head.seq + 1, f"events after {head.seq} are not in the head")
    if prev_hash != head.hash:
        return Verification(checked, head, last, f"event {last} differs from the recorded chain head")
    return Verification(checked, head)
