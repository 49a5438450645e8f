"""The worker's journal as every reader takes it: the complete lines whose record the batch files do not
hold, each with `subject_id` the subject its record belongs to now. A line keeps the subject its record
joined when linked; a later line's `absorbed` may name that subject, which then exists no more. Read once
per request (`read_journal`) and handed to each reader (`journal_links`, `journal_events`)."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ilos.resolve.linkage import CLUSTERS_FILE
from ilos.services.change_inbox import JOURNAL_FILE, event_lines, is_event_line, journal_lines

_MERGED = json.dumps("merged")  # a line whose event absorbed subjects says so in `action`


@dataclass(frozen=True, slots=True)
class Journal:
    """The lines the journal adds to the batch files, in journal order, with current subjects."""

    lines: tuple[dict[str, Any], ...]
    merges: tuple[dict[str, Any], ...] = ()
    """Every line that absorbed subjects (an event's or a judgement's, its record held by the batch files or
    not), as written: the merges a batch run may not have made yet (`identity_pending`)."""

    def only(self, subject_ids: Collection[str] | None) -> Journal:
        """The lines of records in these subjects now (every line when None), and every merge."""
        if subject_ids is None:
            return self
        return Journal(tuple(e for e in self.lines if e["subject_id"] in subject_ids), self.merges)


def current_subjects(merges: Iterable[Mapping[str, Any]], batch_subjects: Collection[str]) -> dict[str, str]:
    """Each subject id a journaled merge absorbed -> the subject its records belong to now: `absorbed`
    followed from line to line (in journal order) to the survivor. The chain stops at a batch subject (one
    of `batch_subjects`): the worker's merge of a batch subject moves none of its batch records (clusters,
    subject views, gates and attached work keep its id until a batch re-run records the merge), so the
    worker records that joined it stay with them."""
    merged_into: dict[str, str] = {}
    for line in merges:
        for gone in line.get("absorbed") or ():
            merged_into[str(gone)] = str(line["subject_id"])
    current: dict[str, str] = {}
    for gone in merged_into:
        if gone in batch_subjects:
            continue
        seen, survivor = {gone}, merged_into[gone]
        while survivor in merged_into and survivor not in batch_subjects and survivor not in seen:
            seen.add(survivor)
            survivor = merged_into[survivor]
        current[gone] = survivor
    return current


def read_journal(directory: Path, subject_ids: Collection[str] | None = None) -> Journal:
    """The journal's lines, their subjects resolved (only the lines of records in `subject_ids` now, when
    given: then only the merges and the lines naming those subjects or one merged into them are parsed)."""
    path = directory / JOURNAL_FILE
    whole = list(journal_lines(path)) if subject_ids is None else None
    candidates = journal_lines(path, (_MERGED,)) if whole is None else whole
    merges = [e for e in candidates if e.get("absorbed")]  # a judgement's line merges too
    everything = None if whole is None else [e for e in whole if is_event_line(e)]
    _, batch_subjects = _in_batch(directory, (), {str(s) for e in merges for s in e["absorbed"]})
    current = current_subjects(merges, batch_subjects)
    if everything is None:
        wanted = set(subject_ids or ())
        names = wanted | {gone for gone, now in current.items() if now in wanted}
        naming = event_lines(path, [json.dumps(n) for n in names]) if names else iter(())
        everything = [e for e in naming if e["subject_id"] in names]
    lines = [
        {**e, "subject_id": current[e["subject_id"]]} if e["subject_id"] in current else e
        for e in unheld_lines(directory, everything)
    ]
    return Journal(tuple(lines), tuple(merges)).only(subject_ids)


def unheld_lines(directory: Path, lines: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lines whose record the batch files do not hold. A batch run (`ilos link` or `ilos link add`) that
    came after the worker and took in its record decided that record's subject and pairs itself: the line's,
    decided earlier on another linkage, would show a pair twice or as it no longer stands."""
    lines = list(lines)
    held, _ = _in_batch(directory, [str(e["record"]) for e in lines], ())
    return [e for e in lines if e["record"] not in held] if held else lines


def _in_batch(
    directory: Path, records: Collection[str], subjects: Collection[str]
) -> tuple[frozenset[str], frozenset[str]]:
    """Which of these record keys (`source|record_id`) and subject ids clusters.parquet holds."""
    clusters = directory / CLUSTERS_FILE
    if not clusters.is_file() or not (records or subjects):
        return frozenset(), frozenset()
    keys = [r.split("|", 1) for r in records]
    con = duckdb.connect()
    try:
        held: frozenset[str] = frozenset()
        if keys:
            con.register(
                "journal_records",
                pa.table({"source": [k[0] for k in keys], "record_id": [k[1] for k in keys]}),
            )
            found = con.execute(
                "SELECT c.source || '|' || c.record_id FROM read_parquet($clusters) c "
                "SEMI JOIN journal_records j ON c.source = j.source AND c.record_id = j.record_id",
                {"clusters": str(clusters)},
            ).fetchall()
            held = frozenset(r for (r,) in found)
        batch: frozenset[str] = frozenset()
        if subjects:
            con.register("journal_subjects", pa.table({"subject_id": sorted(subjects)}))
            found = con.execute(
                "SELECT DISTINCT c.subject_id FROM read_parquet($clusters) c "
                "SEMI JOIN journal_subjects j ON c.subject_id = j.subject_id",
                {"clusters": str(clusters)},
            ).fetchall()
            batch = frozenset(s for (s,) in found)
    finally:
        con.close()
    return held, batch
