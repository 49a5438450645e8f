"""SQL that turns each source's rows into typed timeline events, following its `events:` specs.

Functions here return SQL text and execute nothing. Raw rows are text; dates are parsed with the
format the source declares and written back as ISO, so the domain never sees a source's date format."""

from __future__ import annotations

from ilos.definitions.sources import DateField, SourceSpec

EVENT_COLUMNS = ("source", "record_id", "kind", "occurred_on", "recorded_on", "attributes", "markings")
# An event attribute of this name is when the source system recorded the event (late-arriving orders).
RECORDED_ATTRIBUTE = "entered"


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


def date_sql(spec: SourceSpec, column: str) -> str:
    """A DATE from a text column; unparseable or empty values become NULL rather than failing the build."""
    text = f"NULLIF(TRIM(CAST({quote_ident(column)} AS VARCHAR)), '')"
    fmt = date_format(spec, column)
    if fmt is None:
        return f"TRY_CAST({text} AS DATE)"
    return f"CAST(TRY_STRPTIME({text}, {quote_literal(fmt)}) AS DATE)"


def attribute_value_sql(spec: SourceSpec, column: str) -> str:
    if date_format(spec, column) is not None:
        return f"STRFTIME({date_sql(spec, column)}, '%Y-%m-%d')"
    return f"NULLIF(TRIM(CAST({quote_ident(column)} AS VARCHAR)), '')"


def when_sql(when: dict[str, list[str]] | None) -> str:
    """A `when:` filter: a row qualifies when every listed column holds one of its values (AND across keys)."""
    if not when:
        return "TRUE"
    parts = []
    for column, values in sorted(when.items()):
        listed = ", ".join(quote_literal(v) for v in values)
        parts.append(f"TRIM(CAST({quote_ident(column)} AS VARCHAR)) IN ({listed})")
    return " AND ".join(parts)


def source_events_sql(spec: SourceSpec, table: str) -> str:
    """Every event of one source as rows of EVENT_COLUMNS; rows without a usable date are left out."""
    markings = "[" + ", ".join(quote_literal(m) for m in spec.markings) + "]::VARCHAR[]"
    selects = []
    for event in spec.events:
        entries = ", ".join(
            f"{{'k': {quote_literal(name)}, 'v': {attribute_value_sql(spec, column)}}}"
            for name, column in sorted(event.attributes.items())
        )
        attributes = f"list_filter([{entries}], lambda x: x.v IS NOT NULL)" if entries else "[]"
        recorded_column = event.attributes.get(RECORDED_ATTRIBUTE)
        recorded = date_sql(spec, recorded_column) if recorded_column else "CAST(NULL AS DATE)"
        selects.append(
            f"SELECT {quote_literal(spec.name)} AS source, CAST({quote_ident(spec.record_id)} AS VARCHAR) AS record_id, "  # noqa: S608
            f"{quote_literal(event.kind)} AS kind, {date_sql(spec, event.date)} AS occurred_on, {recorded} AS recorded_on, "
            f"{attributes} AS attributes, {markings} AS markings "
            f"FROM {quote_ident(table)} WHERE {when_sql(event.when)}"
        )
    if not selects:
        return ""
    return "SELECT * FROM (" + " UNION ALL ".join(selects) + ") WHERE occurred_on IS NOT NULL"  # noqa: S608
