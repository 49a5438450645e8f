"""The Python twin of `events_sql.source_events_sql` for one row: the near-real-time worker turns an incoming
record into timeline events without a DuckDB query. `tests/integration/resolve/test_row_events_agree.py`
checks it against the SQL on every row of a synthetic world."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from ilos.definitions.sources import EventSpec, SourceSpec
from ilos.domain.events import Event, EventKind
from ilos.domain.provenance import RecordId, SourceId
from ilos.subjects.events_sql import BLANKS, RECORDED_ATTRIBUTE, date_format, filter_columns, typed_value
from ilos.subjects.unrecognised import (
    READ_AS_ATTRIBUTE,
    TYPED_ATTRIBUTE,
    UNDATED_DAY,
    UNREAD_DATE_ATTRIBUTE,
    source_dates,
    undated_attributes,
    undated_specs,
    unrecognised_spec,
)

Row = Mapping[str, str | None]


def _text(row: Row, column: str) -> str | None:
    value = row.get(column)
    if value is None:
        return None
    trimmed = str(value).strip(BLANKS)
    return trimmed or None


def _date(spec: SourceSpec, row: Row, column: str) -> date | None:
    text = _text(row, column)
    if text is None:
        return None
    fmt = date_format(spec, column)
    try:
        return datetime.strptime(text, fmt).date() if fmt else date.fromisoformat(text)
    except ValueError:
        return None


def _attribute(spec: SourceSpec, row: Row, column: str) -> str | None:
    if date_format(spec, column) is not None:
        parsed = _date(spec, row, column)
        return parsed.isoformat() if parsed else None
    return _text(row, column)


def _qualifies(row: Row, event: EventSpec) -> bool:
    """`events_sql.filter_sql` for one row: every `when:` column holds one of its values and no `unless:`
    column does ("" an empty one), as `typed_value` reads both."""
    for column, values in (event.when or {}).items():
        text = _text(row, column)
        if text is None or typed_value(text) not in {typed_value(v) for v in values}:
            return False
    for column, values in (event.unless or {}).items():
        if typed_value(_text(row, column) or "") in {typed_value(v) for v in values}:
            return False
    return True


def row_events(spec: SourceSpec, row: Row) -> list[Event]:
    """Every event one source row yields under the source's `events:` spec (rows without a date yield none,
    unless a spec that may bar action reads them); a row of a court source that no spec reads yields an
    `unrecognised_record` (`events_sql.unrecognised_sql`, `events_sql.undated_sql`)."""
    written = row.get(spec.record_id)
    # As written, as SQL reads it: " 1" is not "1".
    record_id = RecordId("" if written is None else str(written))
    out = []
    for event in spec.events:
        if not _qualifies(row, event):
            continue
        occurred = _date(spec, row, event.date)
        if occurred is None:
            continue
        values = {name: _attribute(spec, row, column) for name, column in event.attributes.items()}
        out.append(_event(spec, row, record_id, event.kind, occurred, values, event.attributes))
    for event in undated_specs(spec):
        if _qualifies(row, event) and _date(spec, row, event.date) is None:
            columns = undated_attributes(event)
            values = {name: _attribute(spec, row, column) for name, column in columns.items()}
            values[TYPED_ATTRIBUTE] = _written(row, filter_columns(event))
            values[READ_AS_ATTRIBUTE] = event.kind
            values[UNREAD_DATE_ATTRIBUTE] = _as_written(row, event.date)
            out.append(_unrecognised(spec, row, record_id, values, columns))
    unread = unrecognised_spec(spec)
    if unread is not None and not any(_qualifies(row, e) for e in spec.events):
        values = {name: _attribute(spec, row, column) for name, column in unread.attributes.items()}
        values[TYPED_ATTRIBUTE] = _written(row, unread.typed)
        if _first_date(spec, row) is None:
            values[UNREAD_DATE_ATTRIBUTE] = _as_written(row, unread.dates[0])
        out.append(_unrecognised(spec, row, record_id, values, unread.attributes))
    return out


def _first_date(spec: SourceSpec, row: Row) -> date | None:
    """`events_sql._first_date_sql` for one row."""
    return next((d for column in source_dates(spec) if (d := _date(spec, row, column))), None)


def _written(row: Row, columns: tuple[str, ...]) -> str | None:
    """`events_sql._written_sql` for one row."""
    return "; ".join(f"{c}={v}" for c in columns if (v := _text(row, c)) is not None) or None


def _as_written(row: Row, column: str) -> str:
    """`events_sql._as_written_sql` for one row."""
    return f"{column}={_text(row, column) or ''}"


def _unrecognised(
    spec: SourceSpec,
    row: Row,
    record_id: RecordId,
    values: Mapping[str, str | None],
    columns: Mapping[str, str],
) -> Event:
    """An `unrecognised_record`, dated as `events_sql._undated_day_sql` dates it."""
    occurred = _first_date(spec, row) or UNDATED_DAY
    return _event(spec, row, record_id, EventKind.UNRECOGNISED_RECORD, occurred, values, columns)


def _event(
    spec: SourceSpec,
    row: Row,
    record_id: RecordId,
    kind: str,
    occurred: date,
    values: Mapping[str, str | None],
    columns: Mapping[str, str],
) -> Event:
    """The event of one spec: `values` are its attributes (None left out), `columns` the columns they came
    from (the recorded date's among them)."""
    attributes = tuple((name, value) for name, value in sorted(values.items()) if value is not None)
    recorded_column = columns.get(RECORDED_ATTRIBUTE)
    recorded = _date(spec, row, recorded_column) if recorded_column else None
    return Event(kind, occurred, SourceId(spec.name), record_id, attributes, spec.markings, recorded)
