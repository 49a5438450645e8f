"""Where change events wait for the near-real-time worker: one `Inbox` interface, two backends.

`StoreInbox` is the table `change_events` in the operational store (the API and the web's stay form post
into it); `FileInbox` is `inbox.jsonl` beside a linkage, for a linkage without a store
(`ilos worker post|run DIR --inbox file`). Both hand events out in order; the
worker (`ilos.services.realtime`) decides what is done from its journal, and calls `complete` after.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ilos.definitions.sources import ColumnSpec, SourcesConfig, SourceSpec
from ilos.errors import ConflictError, FieldProblem, InvalidInputError
from ilos.resolve.records import record_key
from ilos.services.appended_lines import AppendedLines
from ilos.services.journal_file import JOURNAL_FILE, append_lines, event_lines, journal_lines, posting_to
from ilos.services.journal_records import journal_entries, refuse_a_linked_record
from ilos.services.linkage_config import load_linkage_config
from ilos.services.store_access import Store
from ilos.standardize.dates import unparseable
from ilos.standardize.placeholders import is_placeholder
from ilos.store.inbox_tables import ChangeEventRow

INBOX_FILE = "inbox.jsonl"

Values = dict[str, str | None]


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """A new or corrected source row waiting to be linked; `values` are the row's text values."""

    event_id: str
    source: str
    values: Values


@dataclass(frozen=True, slots=True)
class Processed:
    """What the worker did with one event: the record linked, its subject, and the classified changes."""

    event_id: str
    record: str
    subject_id: str
    action: str
    absorbed: tuple[str, ...]
    changes: tuple[dict[str, Any], ...]
    milliseconds: float
    processed_at: str


class Inbox(Protocol):
    def pending(self, limit: int | None = None) -> list[ChangeEvent]:
        """Events not yet completed, oldest first."""
        ...

    def complete(self, event: ChangeEvent, done: Processed) -> None:
        """Record that `event` was processed as `done` (idempotent: completing twice changes nothing)."""
        ...

    def hold(self, event: ChangeEvent, error: str) -> None:
        """Processing `event` failed: it stays first in line (never skipped), with the reason kept."""
        ...

    def take_done(self, event_ids: Iterable[str]) -> None:
        """The ids of the events the worker's journal holds, as a started worker read them (an inbox that
        tells done events by the journal need not read it again)."""
        ...


def waiting_conflict(source: str, record_id: str | None) -> ConflictError:
    """The refusal of a change event whose record an earlier event still waiting in the inbox holds: the
    worker would link the first and refuse the second, which would then hold back every event after it."""
    return ConflictError(
        f"Record {source}:{record_id} is already waiting in the inbox; a correction needs a new record id"
    )


def checked_new_record(
    linkage_dir: Path, source: str, values: Mapping[str, Any]
) -> tuple[SourceSpec, Values]:
    """A change event's row checked against the linkage, its source's spec with it: the source and its
    columns (`checked_values`), and a record the linkage does not hold (`refuse_a_linked_record`). Whether an
    earlier event of it still waits is each inbox's own look (`FileInbox.holds`, `is_waiting`)."""
    config = load_linkage_config(linkage_dir)
    row = checked_values(config, source, values)
    spec = config.source(source)
    refuse_a_linked_record(linkage_dir, spec, row)
    return spec, row


MAX_VALUE_CHARS = 4000
"""The longest value a change event may carry (the API's bound, and the CLI's)."""


def checked_values(config: SourcesConfig, source: str, values: Any) -> Values:
    """The row, refused (every problem at once) unless the source is a people source of the config, the row
    is an object with exactly its declared columns, and each value is text the linkage can hold (or null): at
    most `MAX_VALUE_CHARS` characters, no NUL, no lone surrogate (one in the journal broke every later run
    that read it), and a date its column's format reads (the worker turned an unreadable one into no event:
    a stay posted with the wrong date format was lost)."""
    known = {s.name: s for s in config.people_sources}
    if source not in known:
        reference = (
            " (a reference source: the worker links people records)"
            if any(s.name == source for s in config.sources)
            else ""
        )
        message = (
            f"No source named {source!r} among the linkage config's people sources{reference}; known: "
            f"{', '.join(known)}"
        )
        raise InvalidInputError(message, [FieldProblem("source", message)])
    if not isinstance(values, Mapping):
        raise InvalidInputError(
            f"Change event for {source!r}: the row is {type(values).__name__}, not an object"
        )
    declared = known[source].declared_schema()
    missing = sorted(c for c in declared if c not in values)
    unknown = sorted(str(c) for c in values if c not in declared)
    problems = [FieldProblem(f"values.{c}", "is a declared column of the source; give it (null allowed)")
                for c in missing]  # fmt: skip
    problems += [FieldProblem(f"values.{c}", f"is not a column of source {source!r}") for c in unknown]
    problems += [p for c, v in values.items() if c in declared for p in _value_problems(c, v, declared[c])]
    if problems:
        lacks = f" lacks column(s) {', '.join(missing)}" if missing else ""
        extra = f" has unknown column(s) {', '.join(unknown)}" if unknown else ""
        bad = "" if lacks or extra else f" has {len(problems)} unusable value(s)"
        raise InvalidInputError(f"Change event for {source!r}{lacks}{extra}{bad}", problems)
    return dict(values)


def _value_problems(column: str, value: Any, spec: ColumnSpec) -> list[FieldProblem]:
    """What keeps one value of a posted row from being a source file's value (`checked_values`)."""
    where = f"values.{column}"
    if value is None:
        return []
    if not isinstance(value, str):
        return [FieldProblem(where, f"is {type(value).__name__}; values are text (or null): quote it")]
    if len(value) > MAX_VALUE_CHARS:
        return [FieldProblem(where, f"holds {len(value):,} characters; at most {MAX_VALUE_CHARS:,}")]
    if "\x00" in value or not _encodable(value):
        return [FieldProblem(where, "holds a NUL or a lone surrogate, which no source file holds")]
    if spec.type == "date" and spec.format and unparseable(value, spec.format) and not is_placeholder(value):
        return [FieldProblem(where, f"{value!r} is not a date in the column's format {spec.format!r}")]
    return []


def _encodable(text: str) -> bool:
    """Whether the text can be written as UTF-8 (a lone surrogate, which JSON can spell, cannot)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class FileInbox:
    """`inbox.jsonl` beside the linkage; an event is done once the worker's journal names it."""

    def __init__(self, linkage_dir: Path) -> None:
        self.path = linkage_dir / INBOX_FILE
        self._journal = linkage_dir / JOURNAL_FILE
        self._done_ids: set[str] | None = None
        self._posted = AppendedLines(self.path)
        self._events: list[ChangeEvent] = []

    @property
    def _done(self) -> set[str]:
        """The ids the journal names, read at the first look that needs them: posting needs none (a read of
        the whole journal per `post_change` grew with every event the worker had linked)."""
        if self._done_ids is None:
            self._done_ids = {e["event_id"] for e in event_lines(self._journal)}
        return self._done_ids

    def take_done(self, event_ids: Iterable[str]) -> None:
        """The ids the journal names, read already by the caller (a worker's replay of the whole journal), so
        the first look does not parse it again (0.45 s of a 20,000-event journal)."""
        if self._done_ids is None:
            self._done_ids = set(event_ids)

    def post(self, source: str, values: Values, event_id: str | None = None) -> str:
        event_id = event_id or uuid.uuid4().hex
        received = datetime.now(UTC).isoformat()
        with posting_to(self.path):  # a post killed mid-line left a torn one: the next line was glued to it
            append_lines(
                self.path,
                [{"event_id": event_id, "source": source, "values": values, "received_at": received}],
            )
        return event_id

    def holds(self, source: str, column: str, value: str | None) -> bool:
        """Whether an event posted (waiting or done) has this value in this column of this source's row. Only
        the lines holding the value's text are parsed: a post asks it of an inbox of every event ever posted."""
        needle = json.dumps(value)
        return any(
            e["source"] == source and e["values"].get(column) == value
            for e in journal_lines(self.path, [needle])
        )

    def events(self) -> list[ChangeEvent]:
        """Every event posted, oldest first; each look parses only the lines posted since the last (a whole
        read per look grew with every event ever posted)."""
        posted, anew = self._posted.new()
        if anew:
            self._events = []
        self._events.extend(ChangeEvent(e["event_id"], e["source"], e["values"]) for e in posted)
        return list(self._events)

    def pending(self, limit: int | None = None) -> list[ChangeEvent]:
        return [e for e in self.events() if e.event_id not in self._done][:limit]

    def waiting_records(self, config: SourcesConfig) -> set[str]:
        """The record keys (`source|record_id`) of the events waiting, for a writer beside the worker (`ilos
        link add`): the journal's done ids are taken from its once-per-process parse (`journal_entries`)."""
        self.take_done(entry["event_id"] for entry in journal_entries(self._journal.parent))
        return {
            record_key(e.source, e.values.get(config.source(e.source).record_id) or "")
            for e in self.pending()
        }

    def complete(self, event: ChangeEvent, done: Processed) -> None:
        self._done.add(event.event_id)

    def hold(self, event: ChangeEvent, error: str) -> None:
        """Nothing to keep: the file has no state column; the worker's caller logs the error."""


# Work that commits with an event's completion, e.g. re-checking the subject's open actions.
OnComplete = Callable[[Session, Processed], object]


class StoreInbox:
    """The `change_events` table. Completion is a conditional update (`processed_at IS NULL`) committed with
    `on_complete`'s writes, so both happen once even if completion is attempted twice."""

    def __init__(self, store: Store, on_complete: OnComplete | None = None) -> None:
        self.store = store
        self.on_complete = on_complete

    def take_done(self, event_ids: Iterable[str]) -> None:
        """Nothing to take: the table marks each event it completed."""

    def pending(self, limit: int | None = None) -> list[ChangeEvent]:
        with self.store.transaction() as session:
            rows = session.execute(
                select(ChangeEventRow.event_id, ChangeEventRow.source, ChangeEventRow.payload)
                .where(ChangeEventRow.processed_at.is_(None))
                .order_by(ChangeEventRow.id)
                .limit(limit)
            ).all()
        return [ChangeEvent(event_id, source, dict(payload)) for event_id, source, payload in rows]

    def complete(self, event: ChangeEvent, done: Processed) -> None:
        with self.store.transaction() as session:
            marked = session.execute(
                update(ChangeEventRow)
                .where(ChangeEventRow.event_id == event.event_id, ChangeEventRow.processed_at.is_(None))
                .values(
                    processed_at=datetime.fromisoformat(done.processed_at),
                    outcome="linked",
                    record=done.record,
                    subject_id=done.subject_id,
                    link_action=done.action,
                    changes=list(done.changes),
                    error=None,
                )
            )
            if marked.rowcount == 1 and self.on_complete is not None:  # type: ignore[attr-defined]
                self.on_complete(session, done)

    def hold(self, event: ChangeEvent, error: str) -> None:
        with self.store.transaction() as session:
            session.execute(
                update(ChangeEventRow)
                .where(ChangeEventRow.event_id == event.event_id)
                .values(error=error[:4000])
            )


def add_event_row(event: ChangeEvent, posted_by: str, now: datetime) -> ChangeEventRow:
    return ChangeEventRow(
        event_id=event.event_id,
        source=event.source,
        payload=dict(event.values),
        posted_at=now,
        posted_by=posted_by,
    )


def is_waiting(session: Session, source: str, column: str, value: str | None) -> bool:
    """Whether an event of this source waiting in the store inbox has this value in this column of its row;
    the database compares the values (no waiting payload is read)."""
    waiting = (ChangeEventRow.source == source, ChangeEventRow.processed_at.is_(None))
    if '"' in column:  # SQLite's JSON path cannot name such a key (it quietly finds nothing): compared here
        payloads = session.scalars(select(ChangeEventRow.payload).where(*waiting))
        return any(payload.get(column) == value for payload in payloads)
    found = session.scalar(
        select(ChangeEventRow.event_id)
        .where(*waiting, ChangeEventRow.payload[column].as_string() == value)
        .limit(1)
    )
    return found is not None
