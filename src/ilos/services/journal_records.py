"""The worker's journal as every reader takes it: the complete lines with `subject_id` the subject each
record belongs to now. For links, pairs and subject membership a line counts while the batch files
(clusters.parquet) do not hold its record; for events, while the subjects build (timeline.parquet) does not.
A line keeps the subject its record joined when linked; a later line's `absorbed` may name that subject,
which then exists no more. Read once per request (`read_journal`) and handed to each reader (`journal_links`,
`journal_events`); each line is parsed once per process (`_parsed_journal`)."""

from __future__ import annotations

import bisect
import json
import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ilos.definitions.sources import SourceSpec
from ilos.duckdb_paths import literal_path
from ilos.errors import ConflictError, FieldProblem, InvalidInputError
from ilos.file_version import FileVersion, file_version
from ilos.resolve.incremental import links_schema
from ilos.resolve.linkage import CLUSTERS_FILE, LINKS_FILE
from ilos.resolve.records import record_key, typed_record_key
from ilos.services import pair_index
from ilos.services.appended_lines import AppendedLines
from ilos.services.journal_file import JOURNAL_FILE, is_event_line, journal_lines

# The subjects build's timeline (`services.subjects.TIMELINE_FILE`, not imported: that module imports the
# linking services, which read the journal through this one).
_TIMELINE_FILE = "timeline.parquet"

LINKS_KEY = "links"
"""A journal line's scored pairs: links.parquet's columns, each a list with one value per pair (the column
names are written once per event, not once per pair)."""

_LINE_NUMBER = "journal_line"
"""The position in the journal of the line a pair was scored for (`Journal.links`)."""


@dataclass(frozen=True)
class Journal:
    """The lines the journal adds to the batch files, in journal order, with current subjects (what is
    derived from them is kept with them: `read_journal` hands out one Journal while nothing changes)."""

    lines: tuple[dict[str, Any], ...]
    """The lines whose record clusters.parquet does not hold: the worker's links, pairs and subjects."""
    events: tuple[dict[str, Any], ...]
    """The lines whose record's events the subjects build does not hold (timeline.parquet): `lines`, and
    those of records a batch run (`ilos link`, `ilos link add`) took in since, under the subject
    clusters.parquet gives them, until `ilos subjects build` puts their events in the timeline."""
    merges: tuple[dict[str, Any], ...] = ()
    """Every line that absorbed subjects (an event's or a judgement's, its record held by the batch files or
    not), as written: the merges a batch run may not have made yet (`identity_pending`)."""
    links: pa.Table = field(default_factory=lambda: links_table(()))
    """The pairs the worker scored for the records of `lines` (links.parquet's columns, and `journal_line`,
    the position of the line they were scored for): the lines themselves are held without them."""
    kept_together: tuple[dict[str, Any], ...] = ()
    """The judgement lines on which the worker kept a "no match" pair in one subject (`identity_pending`)."""

    def events_of(self, subject_ids: Collection[str] | None) -> tuple[dict[str, Any], ...]:
        """The event lines of records in these subjects now (every one when None)."""
        if subject_ids is None:
            return self.events
        return tuple(e for e in self.events if e["subject_id"] in subject_ids)

    @cached_property
    def record_subjects(self) -> dict[str, str]:
        """Each record of `lines` -> the subject it belongs to now (kept with the journal: every gate check
        asks, `identity_pending`)."""
        return {str(e["record"]): str(e["subject_id"]) for e in self.lines}

    @cached_property
    def linked_records(self) -> pa.Table:
        """The records of `lines` in clusters.parquet's columns (`source`, `record_id`, `subject_id`)."""
        keys = [record.split("|", 1) for record in self.record_subjects]
        return pa.table(
            {
                "source": pa.array([k[0] for k in keys], pa.string()),
                "record_id": pa.array([k[1] for k in keys], pa.string()),
                "subject_id": pa.array(list(self.record_subjects.values()), pa.string()),
            }
        )


def current_subjects(merges: Iterable[Mapping[str, Any]], stored: Collection[str]) -> dict[str, str]:
    """Each subject id a journaled merge absorbed -> the subject its records belong to now: `absorbed`
    followed from line to line (in journal order) to the survivor. The chain stops at a batch subject (one
    of `stored`): the worker's merge of a batch subject moves none of its batch records (clusters,
    subject views, gates and attached work keep its id until a batch re-run records the merge), so the
    worker records that joined it stay with them."""
    merged_into: dict[str, str] = {}
    for line in merges:
        for gone in line.get("absorbed") or ():
            merged_into[str(gone)] = str(line["subject_id"])
    current: dict[str, str] = {}
    for gone in merged_into:
        if gone in stored:
            continue
        seen, survivor = {gone}, merged_into[gone]
        while survivor in merged_into and survivor not in stored and survivor not in seen:
            seen.add(survivor)
            survivor = merged_into[survivor]
        current[gone] = survivor
    return current


def read_journal(directory: Path) -> Journal:
    """The journal's lines, their subjects resolved. Every request that reads it wants it whole: gate inputs,
    worklists and views hand it to each reader. The same Journal is handed out while the journal has no new
    line and the batch files and subjects build are the ones it was read over (each line is parsed once per
    process: `_parsed_journal`); what it gives is shared, never to be changed."""
    clusters, timeline = file_version(directory / CLUSTERS_FILE), file_version(directory / _TIMELINE_FILE)
    parsed = _parsed_journal(directory / JOURNAL_FILE)
    kept = _JOURNALS.get(directory)
    before = None
    if kept is not None and kept[1:3] == (clusters, timeline):
        if kept[0] is parsed:
            return kept[3]
        if _continues(kept[0], parsed):
            before = (len(kept[0].entries), kept[3])
    journal = _resolved(directory, parsed, before)
    _JOURNALS[directory] = (parsed, clusters, timeline, journal)
    return journal


def _continues(old: _Lines, new: _Lines) -> bool:
    """Whether `new` is `old` with lines appended (the same parse read on) none of which merges subjects: a
    merge may move the records of earlier lines, so the whole journal is resolved again after one."""
    start = len(old.entries)
    return (
        0 < start <= len(new.entries)
        and new.entries[start - 1] is old.entries[-1]
        and not any(e.get("absorbed") for e in new.entries[start:])
    )


# Per linkage directory: the parsed lines, the clusters.parquet and timeline.parquet versions (taken before
# they were read) a Journal was resolved from, and that Journal. At 20,000 journaled events resolving it and
# what gate checks derive from it cost most of a subject's gate check (`bench_journal_reads.py`).
_JOURNALS: dict[Path, tuple[_Lines, FileVersion | None, FileVersion | None, Journal]] = {}


def _resolved(directory: Path, parsed: _Lines, before: tuple[int, Journal] | None = None) -> Journal:
    """The journal's lines with their subjects resolved (`read_journal`). With `before` (how many lines, and
    the Journal resolved from them over the same batch files; `_continues`), only the lines after them are
    resolved, and added to it: a gate check right after the worker wrote a line re-read every line before."""
    merges = parsed.merges
    stored = batch_subjects(directory, {str(s) for e in merges for s in e["absorbed"]})
    current = current_subjects(merges, stored)
    first = before[0] if before is not None else 0
    new_numbers = parsed.event_numbers[bisect.bisect_left(parsed.event_numbers, first) :]
    everything = [(number, parsed.entries[number]) for number in new_numbers]
    held, built = _placement(directory, [str(e["record"]) for _, e in everything])
    lines, numbers, events = [], [], []
    for number, e in everything:
        record = e["record"]
        if record not in held:
            line = {**e, "subject_id": current[e["subject_id"]]} if e["subject_id"] in current else e
            lines.append(line)
            numbers.append(number)
            events.append(line)
        elif record not in built:
            events.append({**e, "subject_id": held[record]})
    pairs = _pairs_of(parsed.pairs, numbers, first)
    if before is not None:
        earlier = before[1]
        return Journal(
            earlier.lines + tuple(lines),
            earlier.events + tuple(events),
            merges,
            _appended(earlier.links, pairs),
            parsed.kept_together,
        )
    return Journal(tuple(lines), tuple(events), merges, pairs, parsed.kept_together)


def links_table(
    lines: Iterable[Mapping[str, Any]], decision: str | None = None, first_number: int | None = None
) -> pa.Table:
    """The scored pairs the lines hold (`LINKS_KEY`; those decided `decision` only, when given) in
    links.parquet's shape; with `first_number`, each pair's line's position in the journal as well, counting
    the first line given as `first_number`."""
    schema = links_schema()
    if first_number is not None:
        schema = schema.append(pa.field(_LINE_NUMBER, pa.int64()))
    columns: dict[str, list[Any]] = {name: [] for name in schema.names}
    for number, entry in enumerate(lines, start=first_number or 0):
        links = entry.get(LINKS_KEY) or {}
        if not links:
            continue
        wanted = [i for i, d in enumerate(links["decision"]) if decision is None or d == decision]
        for name, values in columns.items():
            if name == _LINE_NUMBER:
                values.extend(number for _ in wanted)
                continue
            stored = links.get(name)  # a column the line's model did not write is empty, not an error
            values.extend(stored[i] if stored is not None else None for i in wanted)
    return pa.table(columns, schema=schema)


def _appended(pairs: pa.Table, more: pa.Table) -> pa.Table:
    """`pairs` and `more` as one table, made contiguous once the chunks (one per line appended) are many."""
    joined = pa.concat_tables([pairs, more])
    return joined.combine_chunks() if joined.column(0).num_chunks > 64 else joined


def _pairs_of(pairs: pa.Table, numbers: Collection[int], first: int = 0) -> pa.Table:
    """The pairs of the lines at these journal positions, none before `first` (`pairs` with or without their
    positions; with them, in line order)."""
    if _LINE_NUMBER not in pairs.column_names:
        return pairs
    if first:
        pairs = pairs.slice(int(np.searchsorted(pairs[_LINE_NUMBER].to_numpy(), first)))
    return pairs.filter(pc.is_in(pairs[_LINE_NUMBER], value_set=pa.array(sorted(numbers), pa.int64())))


@dataclass(frozen=True, slots=True)
class _Lines:
    """A journal's complete lines as parsed: each without its scored pairs, the positions of the event lines,
    the lines that merged subjects and the worker's "kept together" judgement lines among them, and the pairs
    (`links_table` with each pair's line's position)."""

    entries: tuple[dict[str, Any], ...]
    event_numbers: tuple[int, ...]
    merges: tuple[dict[str, Any], ...]
    kept_together: tuple[dict[str, Any], ...]
    pairs: pa.Table
    alerts: tuple[dict[str, Any], ...]


@dataclass
class _Parsed:
    """What one process has read of a journal file (`_Lines`, growing; the pairs one table per read that
    found new lines) and where it stopped (`AppendedLines`)."""

    read: AppendedLines
    entries: list[dict[str, Any]] = field(default_factory=list)
    event_numbers: list[int] = field(default_factory=list)
    merges: list[dict[str, Any]] = field(default_factory=list)
    kept_together: list[dict[str, Any]] = field(default_factory=list)
    pairs: list[pa.Table] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    taken: _Lines | None = None
    """What `lines` gave since the last line was taken in (the same object until a new line comes)."""

    def lines(self) -> _Lines:
        if self.taken is None:
            if len(self.pairs) > 1:
                self.pairs = [pa.concat_tables(self.pairs).combine_chunks()]
            pairs = self.pairs[0] if self.pairs else links_table((), first_number=0)
            self.taken = _Lines(
                tuple(self.entries),
                tuple(self.event_numbers),
                tuple(self.merges),
                tuple(self.kept_together),
                pairs,
                tuple(self.alerts),
            )
        return self.taken

    def take(self, chunk: list[dict[str, Any]]) -> None:
        """Keep newly read lines: their pairs apart, each line without them."""
        if not chunk:
            return
        self.taken = None
        self.pairs.append(links_table(chunk, first_number=len(self.entries)))
        for number, entry in enumerate(chunk, start=len(self.entries)):
            entry.pop(LINKS_KEY, None)
            if is_event_line(entry):
                self.event_numbers.append(number)
            elif entry.get("action") == "kept_together":
                self.kept_together.append(entry)
            if entry.get("absorbed"):  # a judgement's line merges too
                self.merges.append(entry)
            for change in entry.get("changes") or ():
                self.alerts.append(
                    {"event_id": entry.get("event_id"), "subject_id": entry.get("subject_id"), **change}
                )
        self.entries.extend(chunk)


_PARSED: dict[Path, _Parsed] = {}
_PARSING = threading.Lock()


def _parsed_journal(path: Path) -> _Lines:
    """The journal's complete lines (a torn last line is not one). The worker only appends, so each line is
    parsed once per process (`AppendedLines`); a file replaced or rewritten is read from its start. Parsing
    was most of a read (20,000 events: 52 MB, 2.5 s, most of it the scored pairs; `bench_journal_reads.py`)."""
    with _PARSING:
        kept = _PARSED.get(path)
        if kept is None:
            kept = _PARSED[path] = _Parsed(AppendedLines(path))
        chunk, anew = kept.read.new()
        if anew:
            kept = _PARSED[path] = _Parsed(kept.read)
        kept.take(chunk)
        return kept.lines()


def journal_entries(directory: Path) -> tuple[dict[str, Any], ...]:
    """Every complete line of the journal, in order, as parsed once per process and without its scored pairs
    (a subject's history and a batch run's take-in read them all). Shared: never to be changed."""
    return _parsed_journal(directory / JOURNAL_FILE).entries


def journal_alerts(directory: Path) -> tuple[dict[str, Any], ...]:
    """Every classified change the worker journaled, oldest first, with its event and subject: kept as the
    lines are parsed, since the alerts feed asks at every line the worker writes. Shared: never to be
    changed."""
    return _parsed_journal(directory / JOURNAL_FILE).alerts


def alert_subjects(alerts: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """Each subject the alerts name, once, in the order they first appear: what an audit of them names."""
    return tuple(dict.fromkeys(str(a["subject_id"]) for a in alerts if a.get("subject_id")))


def unheld_lines(directory: Path, lines: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lines whose record the batch files do not hold. A batch run (`ilos link` or `ilos link add`) that
    came after the worker and took in its record decided that record's subject and pairs itself: the line's,
    decided earlier on another linkage, would show a pair twice or as it no longer stands."""
    lines = list(lines)
    held = held_records(directory, [str(e["record"]) for e in lines])
    return [e for e in lines if e["record"] not in held] if held else lines


def _placement(directory: Path, records: Collection[str]) -> tuple[dict[str, str], frozenset[str]]:
    """Of these record keys, those clusters.parquet holds (-> the subject it gives each) and, of those, the
    ones whose events the subjects build holds. The timeline is read only when clusters holds one: a batch
    run took in a record the worker journaled."""
    held = held_records(directory, records)
    return held, _built_records(directory, held) if held else frozenset()


def refuse_a_linked_record(directory: Path, spec: SourceSpec, values: Mapping[str, str | None]) -> None:
    """A change event's row must be a record the linkage does not hold (the batch files, or the worker's
    journal) and must have a record id: the worker refuses any other on every look, and an event it cannot
    link stays first in line, holding back every event after it."""
    record_id = values.get(spec.record_id)
    if record_id is None or not record_id.strip():
        problem = FieldProblem(f"values.{spec.record_id}", "is the record id: give one")
        raise InvalidInputError(f"Change event for {spec.name!r} has no record id", [problem])
    key = record_key(spec.name, record_id)
    subject = held_records(directory, [key]).get(key) or journaled_subjects(directory, [key]).get(key)
    if subject is not None:
        raise ConflictError(
            f"Record {typed_record_key(key)} is already linked (subject {subject}); a correction needs a new "
            "record id"
        )


def journaled_subjects(directory: Path, keys: Collection[str]) -> dict[str, str]:
    """Of these record keys, those the journal holds -> the subject each belongs to now. The journal is read
    whole (its subjects resolved) only when one of its lines holds one of the keys' text (for up to
    `_SCANNED_KEYS` keys): a one-off post or review would otherwise parse every line the worker ever wrote."""
    if not keys:
        return {}
    if len(keys) <= _SCANNED_KEYS:
        needles = [json.dumps(key) for key in keys]
        if next(journal_lines(directory / JOURNAL_FILE, needles), None) is None:
            return {}
    subjects = read_journal(directory).record_subjects
    return {key: subjects[key] for key in keys if key in subjects}


_SCANNED_KEYS = 1000
"""Above this many keys the journal is read whole at once: a text test per key per line costs more."""


def held_records(directory: Path, records: Collection[str]) -> dict[str, str]:
    """Of these record keys (`source|record_id`), those clusters.parquet holds -> the subject it gives each
    (also what the identity gate's waits look records up by: `identity_pending`)."""
    return _looked_up(directory / CLUSTERS_FILE, records, _HELD)


def _built_records(directory: Path, records: Collection[str]) -> frozenset[str]:
    """Of these record keys, those with events in the subjects build's timeline: the events the gates read
    from there. A record whose row the build did not read (`ilos link add` takes rows from a file of its
    own) has none, so its journaled events stay read."""
    return frozenset(_looked_up(directory / _TIMELINE_FILE, records, _BUILT))


def batch_subjects(directory: Path, subjects: Collection[str]) -> frozenset[str]:
    """Which of these subject ids clusters.parquet holds (a stored subject, not one the worker founded)."""
    return frozenset(_looked_up(directory / CLUSTERS_FILE, subjects, _STORED))


@dataclass(frozen=True, slots=True)
class _Query:
    """One lookup of keys in a Parquet file: its SQL over the file (as `c`) and the keys (`asked`), and, for
    clusters.parquet, how a server's pair index answers it without a scan."""

    sql: str
    indexed: Callable[[pair_index.PairIndex, Collection[str]], dict[str, str]] | None = None


_HELD = _Query(
    "SELECT c.source || '|' || c.record_id, c.subject_id FROM read_parquet($path) c "
    "SEMI JOIN asked a ON c.source = a.source AND c.record_id = a.record_id",
    pair_index.PairIndex.subjects_of,
)
_BUILT = _Query(
    "SELECT DISTINCT c.source || '|' || c.record_id, '' FROM read_parquet($path) c "
    "SEMI JOIN asked a ON c.source = a.source AND c.record_id = a.record_id"
)
_STORED = _Query(
    "SELECT DISTINCT c.subject_id, '' FROM read_parquet($path) c SEMI JOIN asked a ON c.subject_id = a.key",
    pair_index.PairIndex.stored_subjects,
)


@dataclass(slots=True)
class _Lookups:
    """What one query has answered over one version of a file: every key asked, and those found -> value."""

    version: FileVersion
    asked: set[str] = field(default_factory=set)
    found: dict[str, str] = field(default_factory=dict)


# Per (file, query): the keys looked up in the file's version (inode, modification time, size). Every gate
# check and worklist view asks with the journal's records and merged subjects, and the identity gate's waits
# with the judged pairs' records, over files a run replaces whole: a scan of clusters.parquet cost 0.2-0.3 s
# at a million persons. Only keys not asked before in that version are looked up, so a journal grown by a
# line costs a lookup of its record, and callers asking for different keys do not undo each other's.
_LOOKUPS: dict[tuple[Path, _Query], _Lookups] = {}
_LOOKING = threading.Lock()


def _looked_up(path: Path, keys: Collection[str], query: _Query) -> dict[str, str]:
    """Of these keys, those the query finds in the Parquet file at `path` (as `c`) -> the value it gives."""
    version = file_version(path)
    if version is None or not keys:
        return {}
    with _LOOKING:
        kept = _LOOKUPS.get((path, query))
        if kept is None or kept.version != version:
            kept = _LOOKUPS[(path, query)] = _Lookups(version)
        missing = {k for k in keys if k not in kept.asked}
    if missing:  # the scan runs outside the lock: other lookups need not wait for it
        answered = _query(path, missing, query)
        with _LOOKING:
            kept.found.update(answered)
            kept.asked.update(missing)
    found = kept.found
    return {k: found[k] for k in keys if k in found}


def _query(path: Path, keys: Collection[str], query: _Query) -> dict[str, str]:
    """Run one of the lookups over the keys (`asked`: each key, and as record keys its source and id). A server
    holding clusters.parquet's pair index answers those of clusters.parquet by binary search: a scan cost
    0.2-0.3 s at a million persons, paid by the first gate check after each line the worker writes."""
    if query.indexed is not None and path.name == CLUSTERS_FILE:
        index = pair_index.index_for(path, path.with_name(LINKS_FILE))
        if index is not None:
            return query.indexed(index, keys)
    return _scanned(path, keys, query)


def _scanned(path: Path, keys: Collection[str], query: _Query) -> dict[str, str]:
    split = [k.split("|", 1) for k in keys]
    asked = pa.table(
        {
            "key": list(keys),
            "source": [k[0] for k in split],
            "record_id": [k[1] if len(k) == 2 else None for k in split],
        },
        schema=pa.schema([("key", pa.string()), ("source", pa.string()), ("record_id", pa.string())]),
    )
    con = duckdb.connect()
    try:
        con.register("asked", asked)
        rows = con.execute(query.sql, {"path": literal_path(path)}).fetchall()
    finally:
        con.close()
    return {str(key): str(value) for key, value in rows}
