"""What must hold of a linking config's files before anything is linked, and of their rows once read: every
problem of every source at once, each naming the source, the column and the rows, and nothing written until
they pass. Problems stop the run; warnings (some dates that do not parse) are shown and the run goes on.

The file-level checks are ingest's own (`ingest.file_checks`), so both paths say the same thing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ilos.definitions.sources import DateField, SourcesConfig, SourceSpec, file_format_of
from ilos.errors import BadSourceFileError, FieldProblem
from ilos.ingest.file_checks import check_exists, csv_header, not_a_file
from ilos.standardize.dates import unparseable
from ilos.standardize.placeholders import is_placeholder

EXAMPLES = 3
OTHER_DELIMITERS = (";", "\t", "|", ",")


@dataclass(slots=True)
class SourceFindings:
    """Problems (the run stops) and warnings (the run goes on) found in a config's sources."""

    problems: list[FieldProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def file_problems(config: SourcesConfig, spec: SourceSpec, path: Path | None = None) -> list[FieldProblem]:
    """Why the source's file cannot be linked as mapped: missing, empty (0 bytes), unreadable header, or
    mapped columns it lacks. Reads the header, not the rows (a header without rows is no problem: the
    source adds no records, and the caller says so)."""
    where = f"source {spec.name!r}"
    if path is not None and (
        why := not_a_file(path)
    ):  # another file of the source's rows (`ilos link add --input`)
        return [FieldProblem(where, f"file {path} {why}; check --input")]
    path = path or config.path_of(spec)
    try:
        check_exists(path)
        columns = file_columns(path, spec.encoding, spec.delimiter)
    except BadSourceFileError as exc:
        return [FieldProblem(where, str(exc).replace("\n", " "))]
    wanted = [spec.record_id, *(c for f in spec.fields for c in spec.mapped_columns(f))]
    missing = [c for c in dict.fromkeys(wanted) if c not in columns]
    problems = [FieldProblem(f"{where} column {c!r}", _not_in(c, columns, path.name)) for c in missing]
    twice = sorted({c for c in wanted if columns.count(c) > 1})
    problems += [
        FieldProblem(f"{where} column {c!r}", f"appears more than once in the header of {path.name}")
        for c in twice
    ]
    if missing and len(columns) == 1 and file_format_of(path) == "csv":
        hint = next((d for d in OTHER_DELIMITERS if d != spec.delimiter and d in columns[0]), None)
        if hint:
            problems.append(
                FieldProblem(
                    where, f"the header of {path.name} reads as one column; set `delimiter: {hint!r}`"
                )
            )
    return problems


def _not_in(column: str, columns: list[str], file_name: str) -> str:
    """A mapped column the file lacks, with the header column it was likely meant to be (spaces or case
    apart), else the file's columns."""
    near = [c for c in columns if _loosely(c) == _loosely(column)]
    if near:
        return f"is not in {file_name}; its header has {near[0]!r} (spaces, case and punctuation count)"
    if not any(c.strip() for c in columns):
        return f"is not in {file_name}: its first line, the header, is empty"
    shown = ", ".join(repr(c) for c in columns[:12]) + (", ..." if len(columns) > 12 else "")
    return f"is not in {file_name} (its columns: {shown})"


def _loosely(column: str) -> str:
    """A column name without case, spaces or punctuation: FIRST NAME, first_name and First-Name alike."""
    return "".join(ch for ch in column.casefold() if ch.isalnum())


def file_columns(path: Path, encoding: str = "utf-8", delimiter: str = ",") -> list[str]:
    """The column names of a CSV's header or a Parquet file's schema, as spelled there."""
    if file_format_of(path) == "parquet":
        try:
            schema = pq.read_schema(path)
        except (OSError, pa.ArrowException) as exc:
            raise BadSourceFileError(
                f"Source file {path.name} is not a readable Parquet file: {exc}"
            ) from None
        return list(schema.names)
    return csv_header(path, encoding, delimiter)[0]


def row_findings(spec: SourceSpec, raw: pa.Table, findings: SourceFindings) -> None:
    """Rows that cannot be linked: a blank record id, a record id twice (every input record must map to
    exactly one subject); and dates that do not parse with the source's format (all of them: a problem, the
    format is wrong; some: a warning, those dates are treated as missing; placeholders such as UNKNOWN are
    missing dates, not counted). Row numbers count data rows
    from 1."""
    if raw.num_rows == 0:
        findings.warnings.append(f"source {spec.name!r}: its file has no data rows, so it adds no records")
        return
    where = f"source {spec.name!r} column {spec.record_id!r}"
    ids = raw.column(spec.record_id).combine_chunks().cast(pa.string())  # as stored: compared exactly
    blank = pc.or_kleene(pc.is_null(ids), pc.equal(pc.utf8_trim_whitespace(ids), "")).fill_null(True)
    blank_rows = pc.indices_nonzero(blank).to_pylist()
    if blank_rows:
        findings.problems.append(
            FieldProblem(
                where, f"{len(blank_rows):,} record(s) have no record id (data rows {_rows(blank_rows)})"
            )
        )
    counts = pc.value_counts(ids.filter(pc.invert(blank)))
    repeated = counts.filter(pc.greater(counts.field("counts"), 1)).field("values").to_pylist()
    if repeated:
        shown = ", ".join(repr(v) for v in repeated[:EXAMPLES])
        findings.problems.append(
            FieldProblem(where, f"{len(repeated):,} record id(s) appear more than once (e.g. {shown})")
        )
    for canonical, mapping in spec.fields.items():
        if isinstance(mapping, DateField):
            _date_findings(spec, raw, canonical, mapping, findings)


def _date_findings(
    spec: SourceSpec, raw: pa.Table, canonical: str, mapping: DateField, findings: SourceFindings
) -> None:
    values = raw.column(mapping.column).combine_chunks().cast(pa.string())
    written = pc.utf8_trim_whitespace(values).filter(pc.not_equal(pc.utf8_trim_whitespace(values), ""))
    # A placeholder (UNKNOWN, 00/00/0000) says the date is unknown, not that the format is wrong.
    unknown = {v for v in pc.unique(written).to_pylist() if is_placeholder(v)}
    present = written.filter(pc.invert(pc.is_in(written, pa.array(sorted(unknown), pa.string()))))
    if len(present) == 0:
        return
    distinct = pc.unique(present).to_pylist()
    bad = {v for v in distinct if unparseable(v, mapping.format)}
    if not bad:
        return
    failing = int(pc.sum(pc.is_in(present, pa.array(sorted(bad), pa.string()))).as_py() or 0)
    example = sorted(bad)[0]
    where = f"source {spec.name!r} field {canonical!r} (column {mapping.column!r})"
    if failing == len(present):
        findings.problems.append(
            FieldProblem(where, f"no value parses with format {mapping.format!r} (e.g. {example!r})")
        )
    else:
        findings.warnings.append(
            f"{where}: {failing:,} of {len(present):,} values do not parse with format {mapping.format!r} "
            f"(e.g. {example!r}) and are treated as missing"
        )


def _rows(indices: Sequence[int]) -> str:
    shown = ", ".join(str(i + 1) for i in indices[:EXAMPLES])
    return shown + (", ..." if len(indices) > EXAMPLES else "")
