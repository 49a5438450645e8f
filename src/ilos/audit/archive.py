"""Audit archives as plain functions: events pruned from the store, one JSON object a line, with hashes.

The first line is a header naming where the archived stretch of chain starts (the previous anchor, or
genesis) and ends (the new anchor); every other line is one event with its seq, prev_hash and hash, so
the archive verifies on its own with the same chain check as the store."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ilos.audit.chain import (
    AuditFields,
    AuditRecord,
    ChainHead,
    Verification,
    canonical_timestamp,
    verify_chain,
)

FORMAT = "ilos-audit-archive/1"
DEFAULT_DIR = "audit-archive"  # under ILOS_HOME, unless `ilos audit prune --archive-dir` says otherwise


@dataclass(frozen=True, slots=True)
class ArchiveHeader:
    start: ChainHead
    end: ChainHead
    events: int


def header_line(header: ArchiveHeader) -> str:
    document = {
        "format": FORMAT,
        "start_seq": header.start.seq,
        "start_hash": header.start.hash,
        "end_seq": header.end.seq,
        "end_hash": header.end.hash,
        "events": header.events,
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False)


def event_line(record: AuditRecord) -> str:
    f = record.fields
    document = {
        "seq": record.seq,
        "event_id": f.event_id,
        "at": canonical_timestamp(f.at),
        "actor": f.actor,
        "client": f.client,
        "purpose": f.purpose,
        "action": f.action,
        "object_type": f.object_type,
        "object_ids": list(f.object_ids),
        "query": f.query,
        "result_count": f.result_count,
        "outcome": f.outcome,
        "detail": f.detail,
        "prev_hash": record.prev_hash,
        "hash": record.hash,
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False)


def archive_lines(header: ArchiveHeader, records: Iterable[AuditRecord]) -> Iterator[str]:
    yield header_line(header)
    for record in records:
        yield event_line(record)


def parse_header(line: str) -> ArchiveHeader:
    document = json.loads(line)
    if document.get("format") != FORMAT:
        raise ValueError(
            f"not an ILOS audit archive (format {document.get('format')!r}, expected {FORMAT!r})"
        )
    return ArchiveHeader(
        ChainHead(int(document["start_seq"]), str(document["start_hash"])),
        ChainHead(int(document["end_seq"]), str(document["end_hash"])),
        int(document["events"]),
    )


def parse_event(line: str) -> AuditRecord:
    d: dict[str, Any] = json.loads(line)
    fields = AuditFields(
        event_id=d["event_id"],
        at=datetime.fromisoformat(d["at"]),
        actor=d["actor"],
        client=d["client"],
        purpose=d["purpose"],
        action=d["action"],
        object_type=d["object_type"],
        object_ids=tuple(d["object_ids"]),
        query=d["query"],
        result_count=d["result_count"],
        outcome=d["outcome"],
        detail=d["detail"],
    )
    return AuditRecord(seq=int(d["seq"]), fields=fields, prev_hash=d["prev_hash"], hash=d["hash"])


def verify_archive_lines(lines: Iterable[str]) -> tuple[ArchiveHeader, Verification]:
    """Check the events chain from the header's start to its end; a missing or extra line is named."""
    iterator = iter(lines)
    header = parse_header(next(iterator))
    records = (parse_event(line) for line in iterator if line.strip())
    return header, verify_chain(records, header.end, header.start)
