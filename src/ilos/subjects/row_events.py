"""The Python twin of `events_sql.source_events_sql` for one row: the near-real-time worker turns an incoming
record into timeline events without a DuckDB query. `tests/integration/resolve/test_row_events_agree.py`
checks it against the SQL on every row of a synthetic world."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from ilos.definitions.sources import SourceSpec
from ilos.domain.events import Event
from ilos.domain.provenance import RecordId, SourceId
from ilos.subjects.events_sql import BLANKS, RECORDED_ATTRIBUTE, date_format, typed_value

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


def _qualifies(row: Row, when: Mapping[str, list[str]] | None) -> bool:
    """`events_sql.when_sql` for one row: every listed column holds one of its values, as `typed_value` reads
    both."""
    for column, values in (when or {}).items():
        text = _text(row, column)
        if text is None or typed_value(text) not in {typed_value(v) for v in values}:
            return False
    return True


def row_events(spec: SourceSpec, row: Row) -> list[Event]:
    """Every event one source row yields under the source's `events:` spec (rows without a date yield none)."""
    written = row.get(spec.record_id)
    record_id = "" if written is None else str(written)  # as written, as SQL reads it: " 1" is not "1"
    out = []
    for event in spec.events:
        if not _qualifies(row, event.when):
            continue
        occurred = _date(spec, row, event.date)
        if occurred is None:
            continue
        pairs = ((name, _attribute(spec, row, column)) for name, column in sorted(event.attributes.items()))
        attributes = tuple((name, value) for name, value in pairs if value is not None)
        recorded_column = event.attributes.get(RECORDED_ATTRIBUTE)
        recorded = _date(spec, row, recorded_column) if recorded_column else None
        out.append(
            Event(
                event.kind,
                occurred,
                SourceId(spec.name),
                RecordId(record_id),
                attributes,
                spec.markings,
                recorded,
            )
        )
    return out
