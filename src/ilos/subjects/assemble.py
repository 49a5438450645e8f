"""From gathered Arrow tables to domain Subjects: one pass over rows already ordered by subject.

Columns are converted to Python lists once (not row by row through Arrow), which keeps the pure-Python
half of the build linear and cheap."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from itertools import groupby
from typing import Any, TypeAlias

import pyarrow as pa

from ilos.arrow_codes import coded_values, joins_apart
from ilos.domain.attributes import Attribute, Value
from ilos.domain.events import Event, order_timeline
from ilos.domain.legal_derivation import derive_legal_situation
from ilos.domain.provenance import Observed, RecordId, RecordRef, SourceId, SubjectId
from ilos.domain.subjects import Subject

DATE_ATTRIBUTES = frozenset({"date_of_birth"})
Row = dict[str, Any]
Rows: TypeAlias = pa.Table | Iterable[pa.RecordBatch]
"""Rows ordered by subject: a table, or a stream of record batches (a file read a batch at a time)."""


ROWS_PER_STEP = 65_536


def rows_of(rows: Rows, step: int = ROWS_PER_STEP) -> Iterator[Row]:
    """Rows as dicts, converting each column once per part: a table `step` rows at a time, a stream a batch
    at a time. A whole table's values at once held every observation of a million-person build in Python
    objects (more than the machine's 24 GiB)."""
    for part in _parts(rows, step):
        columns = {name: _column_values(part.column(name)) for name in part.column_names}
        for i in range(part.num_rows):
            yield {name: values[i] for name, values in columns.items()}


def _parts(rows: Rows, step: int) -> Iterator[pa.Table]:
    if isinstance(rows, pa.Table):
        yield from (rows.slice(start, step) for start in range(0, rows.num_rows, step))
    else:
        yield from (pa.Table.from_batches([batch]) for batch in rows)


def _column_values(column: pa.ChunkedArray) -> list[Any]:
    """Python values of a column; key/value struct lists become tuples of pairs without per-row dicts
    (to_pylist on struct lists is the slowest step of the build otherwise); dates and lists of strings, the
    same few values on most rows (an event's day, a source's markings), are converted once per distinct
    value, lists as tuples."""
    kind = column.type
    if pa.types.is_date(kind) or (pa.types.is_list(kind) and pa.types.is_string(kind.value_type)):
        repeated = _repeated_values(column.combine_chunks())
        if repeated is not None:
            return repeated
    if not (pa.types.is_list(kind) and pa.types.is_struct(kind.value_type)):
        return list(column.to_pylist())
    out: list[Any] = []
    for chunk in column.chunks:
        offsets = chunk.offsets.to_pylist()  # into the values of the whole array, when the chunk is a slice
        first = offsets[0] if offsets else 0
        flat = chunk.values.slice(first, (offsets[-1] - first) if offsets else 0)
        keys, values = flat.field(0).to_pylist(), flat.field(1).to_pylist()
        pairs = list(zip(keys, values, strict=True))
        out.extend(tuple(pairs[offsets[i] - first : offsets[i + 1] - first]) for i in range(len(chunk)))
    return out


def _repeated_values(array: pa.Array) -> list[Any] | None:
    """None for lists that joining would not keep apart (`arrow_codes.joins_apart`)."""
    if pa.types.is_list(array.type) and not joins_apart(array):
        return None
    codes, distinct = coded_values(array)
    distinct.append(None)  # code -1: a null
    return [distinct[i] for i in codes.tolist()]


def event_from_row(row: Row) -> Event:
    return Event(
        kind=row["kind"],
        on=row["occurred_on"],
        source=SourceId(row["source"]),
        record_id=RecordId(row["record_id"]),
        attributes=row["attributes"] or (),
        markings=tuple(row["markings"] or ()),
        recorded_on=row["recorded_on"],
    )


def observation_from_row(row: Row) -> Observed[Value]:
    value: Value = row["value"]
    if row["attribute"] in DATE_ATTRIBUTES:
        value = date.fromisoformat(row["value"])
    return Observed(
        value=value,
        source=SourceId(row["source"]),
        record_id=RecordId(row["record_id"]),
        observed_on=row["observed_on"],
        link_confidence=float(row["link_confidence"]),
        markings=tuple(row["markings"] or ()),
    )


def assemble_subject(subject_id: str, observations: list[Row], events: list[Row], as_of: date) -> Subject:
    """One subject: attributes from its observations, its timeline, and the legal situation derived from it."""
    attributes: dict[str, Attribute[Value]] = {}
    for name, rows in groupby(observations, key=lambda r: r["attribute"]):
        attributes[name] = Attribute(name, tuple(observation_from_row(r) for r in rows))
    timeline = order_timeline(event_from_row(r) for r in events)
    distinct = {(r["source"], r["record_id"]) for r in observations + events}  # each record's many rows, once
    records = {RecordRef(SourceId(source), RecordId(record_id)) for source, record_id in distinct}
    return Subject(
        subject_id=SubjectId(subject_id),
        attributes=attributes,
        events=timeline,
        legal=derive_legal_situation(timeline, as_of),
        records=tuple(sorted(records, key=str)),
    )


def assemble_subjects(observations: Rows, events: Rows, as_of: date) -> Iterator[Subject]:
    """Every subject present in either, in subject-id order; both must be sorted by subject_id."""
    obs_groups = groupby(rows_of(observations), key=lambda r: r["subject_id"])
    event_groups = groupby(rows_of(events), key=lambda r: r["subject_id"])
    next_obs = next(obs_groups, None)
    next_events = next(event_groups, None)
    last: str | None = None
    while next_obs is not None or next_events is not None:
        ids = [g[0] for g in (next_obs, next_events) if g is not None]
        subject_id = min(ids)
        if last is not None and subject_id <= last:  # a subject's rows apart would make two of it
            raise ValueError(f"rows not ordered by subject: {subject_id!r} after {last!r}")
        last = subject_id
        obs_rows: list[Row] = []
        event_rows: list[Row] = []
        if next_obs is not None and next_obs[0] == subject_id:
            obs_rows = list(next_obs[1])
            next_obs = next(obs_groups, None)
        if next_events is not None and next_events[0] == subject_id:
            event_rows = list(next_events[1])
            next_events = next(event_groups, None)
        yield assemble_subject(subject_id, obs_rows, event_rows, as_of)
