"""Row-level validation as SQL: each declared column rule becomes a vectorised flag, so millions of
rows are checked inside DuckDB and never one at a time in Python.

A rule either holds the whole row (`holds_row`: the row cannot be placed, as with no record id or a
repeated one) or flags one value: a value failing its column's check does not keep its row, and the
record it may protect someone with, out of the lake."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ilos.definitions.sources import ColumnSpec, SourceSpec
from ilos.ingest.lake_tables import quote_ident as qi
from ilos.ingest.lake_tables import quote_literal as ql

VALUE_SHOWN = 80
TYPE_CASTS = {
    "integer": ("BIGINT", "is not a whole number"),
    "number": ("DOUBLE", "is not a number"),
    "boolean": ("BOOLEAN", "is not true/false"),
}


@dataclass(frozen=True, slots=True)
class RowCheck:
    """One rule: `condition` is true for failing rows; `reason` is the per-row text quarantine keeps.
    `holds_row`: a failing row is quarantined whole; otherwise the row is accepted and the value flagged."""

    column: str
    problem: str
    condition: str
    reason: str
    holds_row: bool = False


def _shown(column: str) -> str:
    """SQL for the value as shown in a reason: quoted, cut to a readable length."""
    return f"'''' || left({qi(column)}, {VALUE_SHOWN}) || ''''"


def pattern_min_length(pattern: str) -> int | None:
    """The shortest string the pattern can match, used to spot identifiers that lost leading zeros."""
    try:
        # re._parser is the stdlib's own regex parser; sre_parse warns on import since 3.11.
        low, _ = re._parser.parse(pattern).getwidth()  # type: ignore[attr-defined]
    except (re.error, AttributeError, TypeError):
        return None
    return int(low)


def column_checks(name: str, spec: ColumnSpec, *, is_record_id: bool) -> list[RowCheck]:
    """Every rule one declared column imposes on each row."""
    col = qi(name)
    checks: list[RowCheck] = []
    if spec.required or is_record_id:
        checks.append(
            RowCheck(
                name,
                "have the required value empty",
                f"({col} IS NULL OR trim({col}) = '')",
                f"'required column ' || {ql(repr(name))} || ' is empty'",
                holds_row=is_record_id,
            )
        )
    present = f"{col} IS NOT NULL AND trim({col}) <> ''"
    if spec.type == "date" and spec.format:
        checks.append(
            RowCheck(
                name,
                f"have unparseable dates (expected format {spec.format!r})",
                f"({present} AND try_strptime({col}, {ql(spec.format)}) IS NULL)",
                f"'column ' || {ql(repr(name))} || ': unparseable date ' || {_shown(name)} "
                f"|| ' (expected format ' || {ql(repr(spec.format))} || ')'",
            )
        )
    if spec.type in TYPE_CASTS:
        sql_type, what = TYPE_CASTS[spec.type]
        checks.append(
            RowCheck(
                name,
                f"have a value that {what}",
                f"({present} AND TRY_CAST({col} AS {sql_type}) IS NULL)",
                f"'column ' || {ql(repr(name))} || ': ' || {_shown(name)} || ' {what}'",
            )
        )
    if spec.pattern:
        checks.extend(_pattern_checks(name, spec.pattern, present))
    return checks


def _pattern_checks(name: str, pattern: str, present: str) -> list[RowCheck]:
    """A value failing the pattern; all-digit values too short for it get their own, clearer reason."""
    col = qi(name)
    fails = f"({present} AND NOT regexp_full_match({col}, {ql(pattern)}))"
    base = (
        f"'column ' || {ql(repr(name))} || ': ' || {_shown(name)} "
        f"|| ' does not match pattern ' || {ql(repr(pattern))}"
    )
    min_len = pattern_min_length(pattern)
    if not min_len:
        return [RowCheck(name, f"do not match pattern {pattern!r}", fails, base)]
    zeros = f"(regexp_full_match({col}, '[0-9]+') AND length({col}) < {min_len})"
    return [
        RowCheck(
            name,
            f"look like numbers that lost their leading zeros (pattern {pattern!r})",
            f"({fails} AND {zeros})",
            f"{base} || ' - looks like a number that lost its leading zeros'",
        ),
        RowCheck(name, f"do not match pattern {pattern!r}", f"({fails} AND NOT {zeros})", base),
    ]


def duplicate_check(record_id: str) -> RowCheck:
    """Later rows repeating a record id within the batch; the first occurrence is kept."""
    return RowCheck(
        record_id,
        "repeat a record_id already seen earlier in the file",
        "(_dup_first_ord IS NOT NULL AND _ord > _dup_first_ord)",
        f"'duplicate record_id ' || {_shown(record_id)} || ' (first seen at data row ' || _dup_first_row || ')'",
        holds_row=True,
    )


def source_checks(spec: SourceSpec) -> list[RowCheck]:
    """All rules for a source, in declared column order, duplicates last."""
    checks: list[RowCheck] = []
    for name, column in spec.declared_schema().items():
        checks.extend(column_checks(name, column, is_record_id=name == spec.record_id))
    checks.append(duplicate_check(spec.record_id))
    return checks


def duplicates_sql(stage: str, dups: str, record_id: str) -> str:
    """Record ids seen more than once, with the ordinal of their first row: a small table, so the wide
    staged rows are never sorted or partitioned."""
    rid = qi(record_id)
    return (
        f"CREATE TEMP TABLE {dups} AS SELECT {rid} AS _rid, min(_ord) AS _first_ord FROM {stage} "  # noqa: S608
        f"WHERE {rid} IS NOT NULL GROUP BY {rid} HAVING count(*) > 1"
    )


def bad_rows_sql(stage: str, dups: str, bad: str, record_id: str, checks: list[RowCheck]) -> str:
    """One narrow row (ordinal and one flag per check) for each row failing any check, in one scan."""
    flags = ", ".join(f"coalesce({c.condition}, false) AS _f{i}" for i, c in enumerate(checks))
    failing = " OR ".join(f"_f{i}" for i in range(len(checks)))
    return (
        f"CREATE TEMP TABLE {bad} AS SELECT * FROM ("  # noqa: S608
        f"SELECT _ord, _dup_first_ord, {flags} FROM ("
        f"SELECT s.*, d._first_ord AS _dup_first_ord FROM {stage} s LEFT JOIN {dups} d ON s.{qi(record_id)} = d._rid"
        f")) WHERE {failing}"
    )


def held_sql(checks: list[RowCheck]) -> str:
    """True for a row of the bad-row table that a failing check holds whole (it cannot be placed)."""
    held = [f"_f{i}" for i, c in enumerate(checks) if c.holds_row]
    return "(" + (" OR ".join(held) or "FALSE") + ")"


def flagged_values_sql(checks: list[RowCheck]) -> str:
    """One struct (column, value, reason) per failing value check of a row of stage joined with its flags,
    as a list (empty when none failed)."""
    entries = ", ".join(
        f"CASE WHEN _f{i} THEN {{'column_name': {ql(c.column)}, 'value': CAST({qi(c.column)} AS VARCHAR), "
        f"'reason': {c.reason}}} END"
        for i, c in enumerate(checks)
        if not c.holds_row
    )
    return f"list_filter([{entries}], lambda x: x IS NOT NULL)" if entries else "[]"


def reasons_sql(checks: list[RowCheck]) -> str:
    """Every failed check's reason for a row of stage joined with its flags, joined by '; '."""
    return (
        "concat_ws('; ', "
        + ", ".join(f"CASE WHEN _f{i} THEN {c.reason} END" for i, c in enumerate(checks))
        + ")"
    )


def issue_summary_sql(stage: str, bad: str, row_of: str, checks: list[RowCheck]) -> str:
    """Per check: how many rows failed, the first failing data row and its value; a value check counts the
    accepted rows only (a held row is counted by the check that held it, and quarantine keeps all its reasons)."""
    parts = []
    held = held_sql(checks)
    for i, c in enumerate(checks):
        failed = f"_f{i}" if c.holds_row else f"_f{i} AND NOT {held}"
        parts.append(
            f"count(*) FILTER (WHERE {failed}), {row_of}(min(_ord) FILTER (WHERE {failed})), "
            f"arg_min({qi(c.column)}, _ord) FILTER (WHERE {failed})"
        )
    return f"SELECT {', '.join(parts)} FROM {stage} JOIN {bad} USING (_ord)"  # noqa: S608
