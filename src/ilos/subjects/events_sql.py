"""SQL that turns each source's rows into typed timeline events, following its `events:` specs.

Functions here return SQL text and execute nothing. Raw rows are text; dates are parsed with the
format the source declares and written back as ISO, so the domain never sees a source's date format."""

from __future__ import annotations

from ilos.definitions.sources import DateField, EventSpec, SourceSpec
from ilos.domain.events import EventKind
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

EVENT_COLUMNS = ("source", "record_id", "kind", "occurred_on", "recorded_on", "attributes", "markings")
# An event attribute of this name is when the source system recorded the event (late-arriving orders).
RECORDED_ATTRIBUTE = "entered"
BLANKS = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""What is trimmed from a value, by both extractions: Python's whitespace (every character `str.isspace()` holds,
which `str.strip()` removes). DuckDB's bare TRIM keeps tabs and line breaks, so a value would differ between
the batch and the worker; its TRIM with a set of characters reads the same but is ten times slower."""
BLANK_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in BLANKS) + "]"
"""An RE2 character class of `BLANKS`, for SQL that trims or removes them."""
_TRIMMED = f"^{BLANK_CLASS}+|{BLANK_CLASS}+$"  # an RE2 pattern: the blanks at either end


def typed_value(text: str) -> str:
    """A value as a `when:` filter compares it: trimmed and, when it is all ASCII, upper-cased ("Stay " is
    STAY). A value holding any other character is compared as written, as `typed_value_sql` compares it:
    Python's and DuckDB's Unicode case maps differ (ſ is S to one of them), and the two extractions must read
    every row alike."""
    trimmed = text.strip(BLANKS)
    return trimmed.upper() if trimmed.isascii() else trimmed


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def date_format(spec: SourceSpec, column: str) -> str | None:
    """The strptime format a source declares for a column, from `columns:` or a mapped date field."""
    declared = spec.declared_schema().get(column)
    if declared is not None and declared.format:
        return declared.format
    for field in spec.fields.values():
        if isinstance(field, DateField) and field.column == column:
            return field.format
    return None


def trimmed_sql(column: str) -> str:
    """A column's value as text with `BLANKS` trimmed from both ends; NULL when nothing is left."""
    return f"NULLIF(REGEXP_REPLACE(CAST({quote_ident(column)} AS VARCHAR), {quote_literal(_TRIMMED)}, '', 'g'), '')"


def typed_value_sql(column: str) -> str:
    """`typed_value` of a column in SQL: trimmed and, when all ASCII (as many bytes as characters),
    upper-cased; NULL when empty."""
    value = trimmed_sql(column)
    return f"CASE WHEN STRLEN({value}) = LENGTH({value}) THEN UPPER({value}) ELSE {value} END"


def date_sql(spec: SourceSpec, column: str) -> str:
    """A DATE from a text column of the prepared rows (`source_events_sql`); unparseable or empty values become
    NULL rather than failing the build."""
    text = _text(column)
    fmt = date_format(spec, column)
    if fmt is None:
        return f"TRY_CAST({text} AS DATE)"
    return f"CAST(TRY_STRPTIME({text}, {quote_literal(fmt)}) AS DATE)"


def attribute_value_sql(spec: SourceSpec, column: str) -> str:
    if date_format(spec, column) is not None:
        return f"STRFTIME({date_sql(spec, column)}, '%Y-%m-%d')"
    return _text(column)


def when_sql(when: dict[str, list[str]] | None) -> str:
    """A `when:` filter: a row qualifies when every listed column holds one of its values (AND across keys),
    both compared as `typed_value` gives them (case and surrounding blanks do not matter)."""
    if not when:
        return "TRUE"
    parts = []
    for column, values in sorted(when.items()):
        listed = ", ".join(quote_literal(v) for v in sorted({typed_value(v) for v in values}))
        parts.append(f"{_typed(column)} IN ({listed})")
    return " AND ".join(parts)


def unless_sql(unless: dict[str, list[str]] | None) -> str:
    """An `unless:` filter: a row qualifies when no listed column holds one of its values, compared as `when:`
    compares them; an empty value is "" (so `[PENDING, ""]` leaves out pending and blank rows, and a value
    nobody listed qualifies)."""
    if not unless:
        return "TRUE"
    parts = []
    for column, values in sorted(unless.items()):
        listed = ", ".join(quote_literal(v) for v in sorted({typed_value(v) for v in values}))
        parts.append(f"COALESCE({_typed(column)}, '') NOT IN ({listed})")
    return " AND ".join(parts)


def filter_sql(event: EventSpec) -> str:
    """Whether a row qualifies for an event spec: its `when:` and its `unless:` filters."""
    return f"({when_sql(event.when)}) AND ({unless_sql(event.unless)})"


def filter_columns(event: EventSpec) -> tuple[str, ...]:
    """The columns an event spec's filters read, in name order: its coded values."""
    return tuple(sorted({*(event.when or {}), *(event.unless or {})}))


def source_events_sql(spec: SourceSpec, table: str) -> str:
    """Every event of one source as rows of EVENT_COLUMNS; rows without a usable date are left out, unless
    they may bar action (`undated_sql`). A row of a court source that no event spec reads is an
    `unrecognised_record` (`unrecognised_sql`).

    Each column the specs read is trimmed (and each `when:` column read as a code) once per row, in a
    materialized prepared relation every event kind's select reads: trimmed in each, a court source's rows
    took several times as long to extract."""
    selects = []
    for event in spec.events:
        values = {name: attribute_value_sql(spec, column) for name, column in event.attributes.items()}
        recorded = event.attributes.get(RECORDED_ATTRIBUTE)
        occurred = date_sql(spec, event.date)
        selects.append(_select_sql(spec, event.kind, occurred, values, recorded, filter_sql(event)))
    selects += [undated_sql(spec, event) for event in undated_specs(spec)]
    unread = unrecognised_sql(spec)
    selects += [unread] if unread else []
    if not selects:
        return ""
    return (
        f"SELECT * FROM (WITH {_prepared_sql(spec, table)} "  # noqa: S608
        + " UNION ALL ".join(selects)
        + ") WHERE occurred_on IS NOT NULL"
    )


def unrecognised_sql(spec: SourceSpec) -> str | None:
    """The rows of a court source that qualify for none of its event specs, each as an
    `unrecognised_record` event (`unrecognised.unrecognised_spec`), from the prepared rows; None when the
    source can have none."""
    unread = unrecognised_spec(spec)
    if unread is None:
        return None
    values = {name: attribute_value_sql(spec, column) for name, column in unread.attributes.items()}
    values[TYPED_ATTRIBUTE] = _written_sql(unread.typed)
    first = unread.dates[0]
    values[UNREAD_DATE_ATTRIBUTE] = (
        f"CASE WHEN {_first_date_sql(spec)} IS NULL THEN {_as_written_sql(first)} END"
    )
    qualifies = " OR ".join(f"({filter_sql(event)})" for event in spec.events)
    recorded = unread.attributes.get(RECORDED_ATTRIBUTE)
    where = f"NOT COALESCE({qualifies}, FALSE)"
    return _select_sql(spec, EventKind.UNRECOGNISED_RECORD, _undated_day_sql(spec), values, recorded, where)


def undated_sql(spec: SourceSpec, event: EventSpec) -> str:
    """The rows `event` reads but cannot date, each as an `unrecognised_record` (`unrecognised.undated_specs`):
    carrying the spec's attributes, the kind it would have been (`read_as`), its filters' values as written
    (`typed`) and the unreadable date as written (`unread_date`)."""
    columns = undated_attributes(event)
    values = {name: attribute_value_sql(spec, column) for name, column in columns.items()}
    values[TYPED_ATTRIBUTE] = _written_sql(filter_columns(event))
    values[READ_AS_ATTRIBUTE] = quote_literal(event.kind)
    values[UNREAD_DATE_ATTRIBUTE] = _as_written_sql(event.date)
    where = f"{filter_sql(event)} AND {date_sql(spec, event.date)} IS NULL"
    recorded = columns.get(RECORDED_ATTRIBUTE)
    return _select_sql(spec, EventKind.UNRECOGNISED_RECORD, _undated_day_sql(spec), values, recorded, where)


def _first_date_sql(spec: SourceSpec) -> str:
    """The first of the source's date columns that reads, NULL when none does."""
    return "COALESCE(" + ", ".join(date_sql(spec, column) for column in source_dates(spec)) + ")"


def _undated_day_sql(spec: SourceSpec) -> str:
    """An unrecognised record's day: the first of the source's dates that reads, else `UNDATED_DAY`."""
    return f"COALESCE({_first_date_sql(spec)}, DATE {quote_literal(UNDATED_DAY.isoformat())})"


def _written_sql(columns: tuple[str, ...]) -> str:
    """Columns' values as written, "COL=value; ...", NULL when all are empty."""
    written = ", ".join(f"{quote_literal(column + '=')} || {_text(column)}" for column in columns)
    return f"NULLIF(CONCAT_WS('; ', {written}), '')" if columns else "CAST(NULL AS VARCHAR)"


def _as_written_sql(column: str) -> str:
    """ "COL=text" of one column, "COL=" when it is empty."""
    return f"{quote_literal(column + '=')} || COALESCE({_text(column)}, '')"


_PREPARED = "prepared_rows"


def _text(column: str) -> str:
    """A column's trimmed text in the prepared rows."""
    return quote_ident(f"text:{column}")


def _typed(column: str) -> str:
    """A `when:` column's `typed_value` in the prepared rows."""
    return quote_ident(f"code:{column}")


def _prepared_sql(spec: SourceSpec, table: str) -> str:
    """The CTE of the prepared rows: the record id as written, each column the specs read trimmed, and each
    `when:` column as a code."""
    unread = unrecognised_spec(spec)
    read = {event.date for event in spec.events} | {c for e in spec.events for c in e.attributes.values()}
    read |= set(unread.dates) | set(unread.attributes.values()) if unread else set()
    coded = {column for event in spec.events for column in filter_columns(event)}
    trimmed = ", ".join(f"{trimmed_sql(column)} AS {_text(column)}" for column in sorted(read | coded))
    codes = "".join(
        f", CASE WHEN STRLEN({_text(c)}) = LENGTH({_text(c)}) THEN UPPER({_text(c)}) ELSE {_text(c)} END AS {_typed(c)}"
        for c in sorted(coded)
    )
    return (
        f"{_PREPARED} AS MATERIALIZED (SELECT *{codes} FROM (SELECT "  # noqa: S608
        f"CAST({quote_ident(spec.record_id)} AS VARCHAR) AS record_id, {trimmed} FROM {quote_ident(table)}))"
    )


def _select_sql(
    spec: SourceSpec,
    kind: str,
    occurred: str,
    values: dict[str, str],
    recorded_column: str | None,
    where: str,
) -> str:
    """One event kind's rows from the prepared ones: `values` maps each attribute to its SQL (NULLs are left
    out); `recorded_column` holds when the source recorded the event."""
    markings = "[" + ", ".join(quote_literal(m) for m in spec.markings) + "]::VARCHAR[]"
    entries = ", ".join(f"{{'k': {quote_literal(name)}, 'v': {sql}}}" for name, sql in sorted(values.items()))
    attributes = f"list_filter([{entries}], lambda x: x.v IS NOT NULL)" if entries else "[]"
    recorded = date_sql(spec, recorded_column) if recorded_column else "CAST(NULL AS DATE)"
    return (
        f"SELECT {quote_literal(spec.name)} AS source, record_id, "  # noqa: S608
        f"{quote_literal(kind)} AS kind, {occurred} AS occurred_on, {recorded} AS recorded_on, "
        f"{attributes} AS attributes, {markings} AS markings "
        f"FROM {_PREPARED} WHERE {where}"
    )
