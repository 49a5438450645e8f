"""The near-real-time path: change events (new or corrected source records) posted to an inbox are linked
one at a time into the linkage, the subject's legal situation is re-derived, and what changed is classified
and recorded as alerts.

Events come from an `Inbox` (`ilos.services.change_inbox`): the store's `change_events` table, or the file
feed beside a linkage that has no store. Exactly once, across restarts, in two commit points:

1. The journal (`journal.jsonl` beside the linkage) is the commit point of the linkage. The worker's only
   output there is this one fsynced line per event (it rewrites no clusters or subject files); its
   linkage lives in memory, rebuilt on start from the batch files plus the journaled records (linking is
   deterministic). An event whose id is journaled is never linked again; a crash before its line is
   written simply re-does that one event.
2. The inbox's `complete` is the commit point of the event's state and of everything written with it in
   the store (the subject's re-checked actions, halts and alerts): one transaction, guarded by
   `processed_at IS NULL`. A crash between 1 and 2 leaves the event pending and journaled; the next pass
   completes it from the journaled outcome without linking it again. Completing twice changes nothing.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from ilos.definitions.sources import SourcesConfig, load_sources_config
from ilos.domain.events import Event
from ilos.domain.legal_derivation import derive_legal_situation
from ilos.errors import IlosError
from ilos.resolve.incremental import IncrementalLinker
from ilos.services.change_inbox import JOURNAL_FILE as JOURNAL_FILE  # the web reads the journal by name
from ilos.services.change_inbox import (
    ChangeEvent,
    FileInbox,
    Inbox,
    Processed,
    checked_values,
    journal_line,
    journal_lines,
)
from ilos.services.linking import linkage_config_path
from ilos.services.subjects import TIMELINE_FILE
from ilos.standardize.record import standardize_record
from ilos.subjects.assemble import event_from_row, rows_of
from ilos.subjects.changes import classify_changes
from ilos.subjects.row_events import row_events

_PROCESSED_FIELDS = tuple(f.name for f in fields(Processed))


def post_change(linkage_dir: Path, source: str, values: dict[str, Any], event_id: str | None = None) -> str:
    """Put one change event (a source row, all values as text) in the linkage's file inbox; returns its id."""
    config = load_sources_config(linkage_config_path(linkage_dir))
    return FileInbox(linkage_dir).post(source, checked_values(config, source, values), event_id)


def read_alerts(linkage_dir: Path, after: int = 0) -> list[dict[str, Any]]:
    """Every classified change the worker journaled, oldest first, from position `after`."""
    alerts = []
    for entry in journal_lines(linkage_dir / JOURNAL_FILE):
        for change in entry.get("changes", []):
            alerts.append({"event_id": entry["event_id"], "subject_id": entry["subject_id"], **change})
    return alerts[after:]


class Worker:
    """Processes the inbox (the linkage's file inbox unless another is given) in order, each event once."""

    def __init__(self, linkage_dir: Path, as_of: date | None = None, inbox: Inbox | None = None) -> None:
        self.dir = linkage_dir
        self.inbox: Inbox = inbox if inbox is not None else FileInbox(linkage_dir)
        self.config: SourcesConfig = load_sources_config(linkage_config_path(linkage_dir))
        self.as_of = as_of or date.today()
        self.linker = IncrementalLinker(linkage_dir)
        self.con = duckdb.connect()
        self._load_timeline()
        self.journaled: dict[str, Processed] = {}
        for entry in journal_lines(linkage_dir / JOURNAL_FILE):
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
        kept = {k: entry[k] for k in _PROCESSED_FIELDS}
        self.journaled[entry["event_id"]] = Processed(
            **{**kept, "absorbed": tuple(kept["absorbed"]), "changes": tuple(kept["changes"])}
        )

    def pending(self) -> list[ChangeEvent]:
        return self.inbox.pending()

    def run_once(self, limit: int | None = None) -> list[Processed]:
        """Process what is waiting in the inbox (up to `limit` events), in order. An event already journaled
        (a crash came between the journal and the inbox) is completed from its journaled outcome."""
        out = []
        for event in self.inbox.pending(limit):
            done = self.journaled.get(event.event_id)
            if done is None:
                try:
                    done = self.process(event)
                except IlosError as exc:
                    self.inbox.hold(event, exc.message)
                    raise
            self.inbox.complete(event, done)
            out.append(done)
        return out

    def process(self, event: ChangeEvent) -> Processed:
        """Link one event and journal its outcome (the inbox is completed by `run_once`)."""
        started = datetime.now(UTC)
        rec, events = self._standardize_and_events(event.source, event.values)
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
            event.event_id, key, outcome.subject_id, outcome.action, outcome.absorbed_subjects, changes,
            elapsed, datetime.now(UTC).isoformat(),
        )  # fmt: skip
        journal_line(
            self.dir / JOURNAL_FILE, {**asdict(processed), "source": event.source, "values": event.values}
        )
        self.journaled[event.event_id] = processed
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
        rec = standardize_record({c: values.get(c) for c in spec.declared_schema()}, spec)
        return rec, row_events(spec, values)

    def _remember_events(self, events: list[Event]) -> None:
        for e in events:
            self.con.execute(
                "INSERT INTO timeline (record_key, source, record_id, kind, occurred_on, recorded_on, attributes, markings) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [f"{e.source}|{e.record_id}", e.source, e.record_id, e.kind, e.on, e.recorded_on,
                 [{"k": k, "v": v} for k, v in e.attributes], list(e.markings)],
            )  # fmt: skip
