"""The near-real-time path: change events (new or corrected source records) posted to an inbox are linked
one at a time into the linkage, the subject's legal situation is re-derived, and what changed is classified
and recorded as alerts.

Exactly once, across restarts: the journal (`journal.jsonl`) is the commit point. An event's outcome is
appended to it in one fsynced line, and an event whose id is journaled is never processed again. On start
the worker rebuilds its in-memory linkage from the batch files and replays the journaled records (linking
is deterministic), so a crash between linking and journaling simply re-does that one event.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ilos.definitions.sources import SourcesConfig, load_sources_config
from ilos.domain.events import Event
from ilos.domain.legal_derivation import derive_legal_situation
from ilos.errors import InvalidInputError
from ilos.resolve.incremental import IncrementalLinker
from ilos.services.linking import linkage_config_path
from ilos.services.subjects import TIMELINE_FILE
from ilos.standardize.table import standardize_table
from ilos.subjects.assemble import event_from_row, rows_of
from ilos.subjects.changes import classify_changes
from ilos.subjects.row_events import row_events

INBOX_FILE = "inbox.jsonl"
JOURNAL_FILE = "journal.jsonl"


@dataclass(frozen=True, slots=True)
class Processed:
    event_id: str
    record: str
    subject_id: str
    action: str
    absorbed: tuple[str, ...]
    changes: tuple[dict[str, Any], ...]
    milliseconds: float
    processed_at: str


def _append_line(path: Path, payload: dict[str, Any]) -> None:
    """One line, flushed and fsynced: the line is there after a crash, or it is not."""
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(payload, default=str, sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.endswith("\n"):  # a torn last line (crash mid-write) is ignored, then rewritten
                yield json.loads(line)


def post_change(linkage_dir: Path, source: str, values: dict[str, Any], event_id: str | None = None) -> str:
    """Put one change event (a source row, all values as text) in the inbox; returns its event id."""
    config = load_sources_config(linkage_config_path(linkage_dir))
    spec = config.source(source)
    missing = [c for c in spec.declared_schema() if c not in values]
    if missing:
        raise InvalidInputError(f"Change event for {source!r} lacks column(s) {', '.join(sorted(missing))}")
    event_id = event_id or uuid.uuid4().hex
    received = datetime.now(UTC).isoformat()
    row = {k: None if v is None else str(v) for k, v in values.items()}
    _append_line(
        linkage_dir / INBOX_FILE,
        {"event_id": event_id, "source": source, "values": row, "received_at": received},
    )
    return event_id


def read_alerts(linkage_dir: Path, after: int = 0) -> list[dict[str, Any]]:
    """Every classified change the worker journaled, oldest first, from position `after`."""
    alerts = []
    for entry in _lines(linkage_dir / JOURNAL_FILE):
        for change in entry.get("changes", []):
            alerts.append({"event_id": entry["event_id"], "subject_id": entry["subject_id"], **change})
    return alerts[after:]


class Worker:
    """Processes the inbox in order, each event exactly once."""

    def __init__(self, linkage_dir: Path, as_of: date | None = None) -> None:
        self.dir = linkage_dir
        self.config: SourcesConfig = load_sources_config(linkage_config_path(linkage_dir))
        self.as_of = as_of or date.today()
        self.linker = IncrementalLinker(linkage_dir)
        self.con = duckdb.connect()
        self._load_timeline()
        self.done: set[str] = set()
        for entry in _lines(linkage_dir / JOURNAL_FILE):
            self._replay(entry)

    def _load_timeline(self) -> None:
        path = self.dir / TIMELINE_FILE
        if path.exists():
            self.con.execute(
                "CREATE TABLE timeline AS SELECT source || '|' || record_id AS record_key, * FROM read_parquet(?)",
                [str(path)],
            )
        else:  # subjects not built: only events of records arriving through the worker are known
            self.con.execute(
                "CREATE TABLE timeline (record_key VARCHAR, source VARCHAR, record_id VARCHAR, kind VARCHAR, "
                "occurred_on DATE, recorded_on DATE, attributes STRUCT(k VARCHAR, v VARCHAR)[], markings VARCHAR[])"
            )
        self.con.execute("CREATE INDEX timeline_key ON timeline (record_key)")

    def _replay(self, entry: dict[str, Any]) -> None:
        values = entry["values"]
        rec, events = self._standardize_and_events(entry["source"], values)
        self.linker.link(rec)
        self._remember_events(events)
        self.done.add(entry["event_id"])

    def pending(self) -> list[dict[str, Any]]:
        return [e for e in _lines(self.dir / INBOX_FILE) if e["event_id"] not in self.done]

    def run_once(self, limit: int | None = None) -> list[Processed]:
        """Process what is waiting in the inbox (up to `limit` events), in order."""
        out = []
        for event in self.pending()[:limit]:
            out.append(self.process(event))
        return out

    def process(self, event: dict[str, Any]) -> Processed:
        started = datetime.now(UTC)
        rec, events = self._standardize_and_events(event["source"], event["values"])
        key = f"{rec['source']}|{rec['record_id']}"
        outcome = self.linker.link(rec)
        # The subject's other records (of every subject merged into it) hold its events so far.
        earlier = self._events_of_subject_holding(key)
        before = derive_legal_situation(earlier, self.as_of)
        self._remember_events(events)
        after = derive_legal_situation(earlier + events, self.as_of)
        changes = tuple(
            {
                "classification": c.classification.value,
                "kind": c.kind,
                "summary": c.summary,
                "evidence": [str(e) for e in c.evidence],
            }
            for c in classify_changes(before, after)
        )
        elapsed = (datetime.now(UTC) - started).total_seconds() * 1000
        processed = Processed(
            event["event_id"], key, outcome.subject_id, outcome.action, outcome.absorbed_subjects, changes,
            elapsed, datetime.now(UTC).isoformat(),
        )  # fmt: skip
        _append_line(
            self.dir / JOURNAL_FILE,
            {**asdict(processed), "source": event["source"], "values": event["values"]},
        )
        self.done.add(event["event_id"])
        return processed

    def _events_of_subject_holding(self, record: str) -> list[Event]:
        """Timeline events of every record in the subject that `record` belongs to (one indexed query)."""
        node = self.linker.store.find(record)
        assert node is not None
        members = self.linker.forest.members(self.linker.forest.find(node))
        keys = [self.linker.store.key(n) for n in members if n != node]
        if not keys:
            return []
        marks = ", ".join("?" for _ in keys)
        table = self.con.sql(
            f"SELECT * EXCLUDE (record_key) FROM timeline WHERE record_key IN ({marks})",  # noqa: S608 - placeholders only
            params=keys,
        ).to_arrow_table()
        return [event_from_row(row) for row in rows_of(table)]

    def _standardize_and_events(
        self, source: str, values: dict[str, Any]
    ) -> tuple[dict[str, Any], list[Event]]:
        spec = self.config.source(source)
        columns = list(spec.declared_schema())
        raw = pa.table({c: pa.array([values.get(c)], pa.string()) for c in columns})
        rec = standardize_table(raw, spec).to_pylist()[0]
        return rec, row_events(spec, values)

    def _remember_events(self, events: list[Event]) -> None:
        for e in events:
            self.con.execute(
                "INSERT INTO timeline (record_key, source, record_id, kind, occurred_on, recorded_on, attributes, markings) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [f"{e.source}|{e.record_id}", e.source, e.record_id, e.kind, e.on, e.recorded_on,
                 [{"k": k, "v": v} for k, v in e.attributes], list(e.markings)],
            )  # fmt: skip
