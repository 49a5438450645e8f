"""The worker's journal as every reader takes it: the complete lines with `subject_id` the subject each
record belongs to now. For links, pairs and subject membership a line counts while the batch files
(clusters.parquet) do not hold its record; for events, while the subjects build (timeline.parquet) does not.
A line keeps the subject its record joined when linked; a later line's `absorbed` may name that subject,
which then exists no more. Read once per request (`read_journal`) and handed to each reader (`journal_links`,
`journal_events`); each line is parsed once per process (`_parsed_journal`)."""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ilos.file_version import FileVersion, file_version
from ilos.resolve.incremental import links_schema
from ilos.resolve.linkage import CLUSTERS_FILE
from ilos.services.appended_lines import AppendedLines
from ilos.services.change_inbox import JOURNAL_FILE, is_event_line

# The subjects build's timeline (`services.subjects.TIMELINE_FILE`, not imported: that module imports the
# linking services, which read the journal through this one).
_TIMELINE_FILE = "timeline.parquet"

LINKS_KEY = "links"
"""A journal line's scored pairs: links.parquet's columns, each a list with one value per pair (the column
names are written once per event, not once per pair)."""

_LINE_NUMBER = "journal_line"
"""The position in the journal of the line a pair was scored for (`Journal.links`)."""


@dataclass(frozen=True, slots=True)
class Journal:
    """The lines the journal adds to the batch files, in journal order, with current subjects."""

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
    numbers: tuple[int, ...] = ()
    """Each of `lines`' position in the journal (which of `links` are its pairs)."""
    kept_together: tuple[dict[str, Any], ...] = ()
    """The judgement lines on which the worker kept a "no match" pair in one subject (`identity_pending`)."""

    def only(self, subject_ids: Collection[str] | None) -> Journal:
        """The lines of records in these subjects now (every line when None) with their pairs, and every merge."""
        if subject_ids is None:
            return self
        kept = [i for i, e in enumerate(self.lines) if e["subject_id"] in subject_ids]
        numbers = tuple(self.numbers[i] for i in kept)
        return Journal(
            tuple(self.lines[i] for i in kept),
            tuple(e for e in self.events if e["subject_id"] in subject_ids),
            self.merges,
            _pairs_of(self.links, numbers),
            numbers,
            self.kept_together,
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
    """The journal's lines, their subjects resolved (`Journal.only` narrows them to some subjects). Every
    request that reads it wants it whole: gate inputs, worklists and views hand it to each reader. Each line
    is parsed once per process (`_parsed_journal`); the lines given are shared, never to be changed."""
    parsed = _parsed_journal(directory / JOURNAL_FILE)
    merges = parsed.merges
    stored = batch_subjects(directory, {str(s) for e in merges for s in e["absorbed"]})
    current = current_subjects(merges, stored)
    everything = [(number, parsed.entries[number]) for number in parsed.event_numbers]
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
    pairs = _pairs_of(parsed.pairs, numbers)
    return Journal(tuple(lines), tuple(events), merges, pairs, tuple(numbers), parsed.kept_together)


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


def _pairs_of(pairs: pa.Table, numbers: Collection[int]) -> pa.Table:
    """The pairs of the lines at these journal positions (`pairs` with or without their positions)."""
    if _LINE_NUMBER not in pairs.column_names:
        return pairs
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

    def lines(self) -> _Lines:
        if len(self.pairs) > 1:
            self.pairs = [pa.concat_tables(self.pairs).combine_chunks()]
        pairs = self.pairs[0] if self.pairs else links_table((), first_number=0)
        return _Lines(
            tuple(self.entries),
            tuple(self.event_numbers),
            tuple(self.merges),
            tuple(self.kept_together),
            pairs,
        )

    def take(self, chunk: list[dict[str, Any]]) -> None:
        """Keep newly read lines: their pairs apart, each line without them."""
        if not chunk:
            return
        self.pairs.append(links_table(chunk, first_number=len(self.entries)))
        for number, entry in enumerate(chunk, start=len(self.entries)):
            entry.pop(LINKS_KEY, None)
            if is_event_line(entry):
                self.event_numbers.append(number)
            elif entry.get("action") == "kept_together":
                self.kept_together.append(entry)
            if entry.get("absorbed"):  # a judgement's line merges too
                self.merges.append(entry)
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
    (the alerts feed and a subject's history read them all). Shared: never to be changed."""
    return _parsed_journal(directory / JOURNAL_FILE).entries


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


def held_records(directory: Path, records: Collection[str]) -> dict[str, str]:
    """Of these record keys (`source|record_id`), those clusters.parquet holds -> the subject it gives each
    (also what the identity gate's waits look records up by: `identity_pending`)."""
    found = _semi_join(directory / CLUSTERS_FILE, records, "c.source || '|' || c.record_id, c.subject_id")
    return {str(r): str(s) for r, s in found}


def _built_records(directory: Path, records: Collection[str]) -> frozenset[str]:
    """Of these record keys, those with events in the subjects build's timeline: the events the gates read
    from there. A record whose row the build did not read (`ilos link add` takes rows from a file of its
    own) has none, so its journaled events stay read."""
    found = _semi_join(directory / _TIMELINE_FILE, records, "DISTINCT c.source || '|' || c.record_id")
    return frozenset(str(r) for (r,) in found)


# Per (file, columns): the file's version (inode, modification time, size), the record keys (or, for
# `batch_subjects`, subject ids) asked for and the rows found. Every gate check and worklist view asks with
# the journal's records and merged subjects, which change only as the journal grows, over files a run
# replaces whole: a full scan each time cost 0.2-0.3 s at a million persons. One entry per (file, columns).
_FOUND: dict[tuple[Path, str], tuple[FileVersion, frozenset[str], list[tuple[Any, ...]]]] = {}
_SUBJECTS = "subject ids"


def _semi_join(path: Path, records: Collection[str], columns: str) -> list[tuple[Any, ...]]:
    """`columns` of the rows of the Parquet file at `path` (as `c`) keyed by one of these record keys."""
    version = file_version(path)
    if version is None or not records:
        return []
    asked = frozenset(records)
    kept = _FOUND.get((path, columns))
    if kept is not None and kept[0] == version and kept[1] == asked:
        return kept[2]
    keys = [r.split("|", 1) for r in asked]
    con = duckdb.connect()
    try:
        con.register(
            "journal_records", pa.table({"source": [k[0] for k in keys], "record_id": [k[1] for k in keys]})
        )
        rows = con.execute(
            f"SELECT {columns} FROM read_parquet($path) c "  # noqa: S608 - fixed column lists
            "SEMI JOIN journal_records j ON c.source = j.source AND c.record_id = j.record_id",
            {"path": str(path)},
        ).fetchall()
    finally:
        con.close()
    _FOUND[(path, columns)] = (version, asked, rows)
    return rows


def batch_subjects(directory: Path, subjects: Collection[str]) -> frozenset[str]:
    """Which of these subject ids clusters.parquet holds (a stored subject, not one the worker founded)."""
    clusters = directory / CLUSTERS_FILE
    version = file_version(clusters)
    if not subjects or version is None:
        return frozenset()
    asked = frozenset(subjects)
    kept = _FOUND.get((clusters, _SUBJECTS))
    if kept is not None and kept[0] == version and kept[1] == asked:
        return frozenset(s for (s,) in kept[2])
    con = duckdb.connect()
    try:
        con.register("journal_subjects", pa.table({"subject_id": sorted(asked)}))
        found = con.execute(
            "SELECT DISTINCT c.subject_id FROM read_parquet($clusters) c "
            "SEMI JOIN journal_subjects j ON c.subject_id = j.subject_id",
            {"clusters": str(clusters)},
        ).fetchall()
    finally:
        con.close()
    _FOUND[(clusters, _SUBJECTS)] = (version, asked, found)
    return frozenset(s for (s,) in found)
