"""Row-level validation as SQL: each declared column rule becomes a vectorised flag, so millions of
rows are checked inside DuckDB and never one at a time in Python."""

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
    """One rule: `condition` is true for failing rows; `reason` is the per-row text quarantine keeps."""

    column: str
    problem: str
    condition: str
    reason: str


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
        "(_dup_rank > 1)",
        f"'duplicate record_id ' || {_shown(record_id)} || ' (first seen at data row ' || _dup_first || ')'",
    )


def source_checks(spec: SourceSpec) -> list[RowCheck]:
    """All rules for a source, in declared column order, duplicates last."""
    checks: list[RowCheck] = []
    for name, column in spec.schema().items():
        checks.extend(column_checks(name, column, is_record_id=name == spec.record_id))
    checks.append(duplicate_check(spec.record_id))
    return checks


def checked_table_sql(stage: str, checked: str, record_id: str, checks: list[RowCheck]) -> str:
    """Materialise one boolean flag per check plus the joined reasons, so each rule is evaluated once."""
    rid = qi(record_id)
    flags = ", ".join(f"coalesce({c.condition}, false) AS _f{i}" for i, c in enumerate(checks))
    reasons = ", ".join(f"CASE WHEN _f{i} THEN {c.reason} END" for i, c in enumerate(checks))
    return (
        f"CREATE TEMP TABLE {checked} AS SELECT *, nullif(concat_ws('; ', {reasons}), '') AS _reasons FROM ("  # noqa: S608
        f"SELECT *, {flags} FROM (SELECT *, "
        f"CASE WHEN {rid} IS NULL THEN 1 "
        f"ELSE row_number() OVER (PARTITION BY {rid} ORDER BY _row_number) END "
        f"AS _dup_rank, min(_row_number) OVER (PARTITION BY {rid}) AS _dup_first FROM {stage}))"
    )


def issue_summary_sql(checked: str, checks: list[RowCheck]) -> str:
    """Per check: how many rows failed, the first failing data row and its value."""
    parts = []
    for i, c in enumerate(checks):
        parts.append(
            f"count(*) FILTER (WHERE _f{i}), min(_row_number) FILTER (WHERE _f{i}), "
            f"arg_min({qi(c.column)}, _row_number) FILTER (WHERE _f{i})"
        )
    return f"SELECT {', '.join(parts)} FROM {checked}"  # noqa: S608
