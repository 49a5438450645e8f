"""The worker's journal as every reader takes it: the complete lines with `subject_id` the subject each
record belongs to now. For links, pairs and subject membership a line counts while the batch files
(clusters.parquet) do not hold its record; for events, while the subjects build (timeline.parquet) does not.
A line keeps the subject its record joined when linked; a later line's `absorbed` may name that subject,
which then exists no more. Read once per request (`read_journal`) and handed to each reader (`journal_links`,
`journal_events`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ilos.file_version import FileVersion, file_version
from ilos.resolve.linkage import CLUSTERS_FILE
from ilos.services.change_inbox import JOURNAL_FILE, is_event_line, journal_lines

# The subjects build's timeline (`services.subjects.TIMELINE_FILE`, not imported: that module imports the
# linking services, which read the journal through this one).
_TIMELINE_FILE = "timeline.parquet"


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

    def only(self, subject_ids: Collection[str] | None) -> Journal:
        """The lines of records in these subjects now (every line when None), and every merge."""
        if subject_ids is None:
            return self
        return Journal(
            tuple(e for e in self.lines if e["subject_id"] in subject_ids),
            tuple(e for e in self.events if e["subject_id"] in subject_ids),
            self.merges,
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
    request that reads it wants it whole: gate inputs, worklists and views hand it to each reader."""
    whole = list(journal_lines(directory / JOURNAL_FILE))
    merges = [e for e in whole if e.get("absorbed")]  # a judgement's line merges too
    stored = batch_subjects(directory, {str(s) for e in merges for s in e["absorbed"]})
    current = current_subjects(merges, stored)
    everything = [e for e in whole if is_event_line(e)]
    held, built = _placement(directory, [str(e["record"]) for e in everything])
    lines, events = [], []
    for e in everything:
        record = e["record"]
        if record not in held:
            line = {**e, "subject_id": current[e["subject_id"]]} if e["subject_id"] in current else e
            lines.append(line)
            events.append(line)
        elif record not in built:
            events.append({**e, "subject_id": held[record]})
    return Journal(tuple(lines), tuple(events), tuple(merges))


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


# Per (file, columns): the file's version (inode, modification time, size), the record keys asked for and
# the rows found. Every gate check and worklist view asks with the journal's records, which change only as
# the journal grows, over files a run replaces whole: a full scan each time cost 0.2-0.3 s at a million
# persons. One entry per (file, columns) is kept.
_FOUND: dict[tuple[Path, str], tuple[FileVersion, frozenset[str], list[tuple[Any, ...]]]] = {}


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
    if not subjects or not clusters.is_file():
        return frozenset()
    con = duckdb.connect()
    try:
        con.register("journal_subjects", pa.table({"subject_id": sorted(subjects)}))
        found = con.execute(
            "SELECT DISTINCT c.subject_id FROM read_parquet($clusters) c "
            "SEMI JOIN journal_subjects j ON c.subject_id = j.subject_id",
            {"clusters": str(clusters)},
        ).fetchall()
    finally:
        con.close()
    return frozenset(s for (s,) in found)
