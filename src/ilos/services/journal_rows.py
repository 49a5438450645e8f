"""The rows the change worker linked, as their source's file would hold them: the raw values each event's
journal line keeps. Batch runs over a linkage directory take them in (`ilos link` links them with every
other record, `ilos subjects build` builds their events), so after a re-run the batch files hold the
worker's records, its readers take their subjects from `clusters.parquet` as they do for any record, and a
restarted worker does not link them again."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ilos.definitions.sources import SourcesConfig, SourceSpec
from ilos.services.journal_file import is_event_line
from ilos.services.journal_records import journal_entries


def raw_rows(spec: SourceSpec, values: Sequence[Mapping[str, Any]]) -> pa.Table:
    """Posted values as the source's raw rows: its declared columns, as text (as `read_source_file` reads)."""
    return pa.table({c: pa.array([v.get(c) for v in values], pa.string()) for c in spec.declared_schema()})


@dataclass(frozen=True, slots=True)
class JournaledRows:
    """Per people source, the rows the worker linked, oldest first."""

    rows: dict[str, pa.Table]
    unknown_sources: dict[str, int]
    """Sources the journal names that the config has no people source for -> how many records: not taken in."""
    records: frozenset[str] = frozenset()
    """The record keys (`source|record_id`) of `rows`, as read (the worker may have appended lines since)."""

    def beyond(self, spec: SourceSpec, held_ids: pa.Array | pa.ChunkedArray) -> pa.Table | None:
        """The source's journaled rows whose record id is not among `held_ids` (the run's own rows of it: a row
        added to its source's file since it was posted is the file's); None when there are none."""
        rows = self.rows.get(spec.name)
        if rows is None:
            return None
        ids = held_ids.combine_chunks() if isinstance(held_ids, pa.ChunkedArray) else held_ids
        kept = rows.filter(pc.invert(pc.is_in(rows[spec.record_id], value_set=ids.cast(pa.string()))))
        return kept if kept.num_rows else None


def journaled_rows(directory: Path, config: SourcesConfig) -> JournaledRows:
    """The rows the worker's journal in `directory` holds, per people source of `config`."""
    posted: dict[str, list[dict[str, Any]]] = {}
    records: set[str] = set()
    people = {spec.name: spec for spec in config.people_sources}
    for line in journal_entries(directory):
        if is_event_line(line):
            posted.setdefault(str(line["source"]), []).append(line["values"])
            if line["source"] in people:
                records.add(str(line["record"]))
    rows = {source: raw_rows(people[source], values) for source, values in posted.items() if source in people}
    unknown = {source: len(values) for source, values in posted.items() if source not in people}
    return JournaledRows(rows, unknown, frozenset(records))
