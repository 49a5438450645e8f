"""The ingest use case: load a sources config, land each source as one transaction, and list what
landed or was quarantined. This is the transaction owner; the ingest stage below never commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import duckdb

from ilos.config import Settings
from ilos.definitions.sources import SourcesConfig, SourceSpec, load_sources_config
from ilos.errors import BadSourceFileError, FieldProblem, IlosError, InvalidInputError
from ilos.ingest import lake_tables
from ilos.ingest.landing import ingest_source
from ilos.ingest.outcome import RowIssue, SourceOutcome
from ilos.store.lake import lake_exists, open_lake

__all__ = [
    "BatchRow",
    "IngestProgress",
    "IngestReport",
    "QuarantineRow",
    "RowIssue",
    "SourceOutcome",
    "ingest_config",
    "list_batches",
    "list_quarantine",
]


class IngestProgress(Protocol):
    """What a front end is told while sources are ingested (a progress bar, a log)."""

    def source_started(self, name: str, index: int, total: int) -> None: ...

    def source_finished(self, outcome: SourceOutcome) -> None: ...


class _NoProgress:
    def source_started(self, name: str, index: int, total: int) -> None:
        """Nothing to show."""

    def source_finished(self, outcome: SourceOutcome) -> None:
        """Nothing to show."""


@dataclass(frozen=True, slots=True)
class IngestReport:
    """Every source's outcome; failed sources carry their error, the others landed regardless."""

    config_path: Path
    config_hash: str
    outcomes: tuple[SourceOutcome, ...]
    errors: dict[str, IlosError] = field(default_factory=dict)

    @property
    def failed(self) -> tuple[SourceOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "failed")

    def describe(self) -> str:
        """One line for summaries: sources and row counts."""
        read = sum(o.rows_read for o in self.outcomes)
        accepted = sum(o.rows_accepted for o in self.outcomes)
        quarantined = sum(o.rows_quarantined for o in self.outcomes)
        flagged = sum(o.values_flagged for o in self.outcomes)
        return (
            f"{len(self.outcomes)} sources: {read:,} rows read, {accepted:,} accepted, "
            f"{quarantined:,} quarantined, {flagged:,} value(s) flagged; {len(self.failed)} source(s) failed"
        )

    def raise_for_failures(self) -> None:
        """One error naming every failed source with all of its problems, for a non-zero exit."""
        if not self.errors:
            return
        problems: list[FieldProblem] = []
        for source, error in self.errors.items():
            found = error.problems if isinstance(error, InvalidInputError) else ()
            summary = error.summary if isinstance(error, InvalidInputError) else error.message
            problems.append(FieldProblem(f"source {source!r}", summary))
            problems.extend(FieldProblem(f"source {source!r} {p.location}", p.message) for p in found)
        kind = (
            BadSourceFileError
            if all(isinstance(e, BadSourceFileError) for e in self.errors.values())
            else InvalidInputError
        )
        raise kind(
            f"{len(self.errors)} of {len(self.outcomes)} source(s) failed; nothing was landed for them",
            problems,
        )


def ingest_config(
    config_path: Path,
    settings: Settings,
    progress: IngestProgress | None = None,
    sources: Sequence[str] | None = None,
) -> IngestReport:
    """Ingest every source of a config (or the named ones), each in its own transaction."""
    config = load_sources_config(config_path)
    specs = [config.source(name) for name in sources] if sources else list(config.sources)
    shown = progress or _NoProgress()
    outcomes: list[SourceOutcome] = []
    errors: dict[str, IlosError] = {}
    conn = open_lake(settings.lake_path)
    try:
        for index, spec in enumerate(specs):
            shown.source_started(spec.name, index, len(specs))
            outcome, error = _ingest_one(conn, config, spec)
            outcomes.append(outcome)
            if error is not None:
                errors[spec.name] = error
            shown.source_finished(outcome)
    finally:
        conn.close()
    return IngestReport(config_path, config.content_hash, tuple(outcomes), errors)


def _ingest_one(
    conn: duckdb.DuckDBPyConnection, config: SourcesConfig, spec: SourceSpec
) -> tuple[SourceOutcome, IlosError | None]:
    """One transaction per batch: a failure or a crash leaves nothing of it in the lake."""
    path = config.path_of(spec)
    conn.begin()
    try:
        outcome = ingest_source(conn, spec, path, config.content_hash)
    except IlosError as exc:
        conn.rollback()
        return SourceOutcome(spec.name, str(path), "failed", error=exc.message), exc
    except BaseException:
        conn.rollback()
        raise
    conn.commit()
    return outcome, None


@dataclass(frozen=True, slots=True)
class BatchRow:
    """One landed batch as `ilos ingest batches` lists it."""

    batch_id: str
    source: str
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    landed_at: str
    file_path: str
    file_sha256: str
    config_hash: str
    ingest_version: str
    values_flagged: int


@dataclass(frozen=True, slots=True)
class QuarantineRow:
    """One quarantine line: where it came from, every reason, and the row's raw values as JSON text. Scope
    'row': the row is not in the lake (it could not be placed: no record id, a repeated one, a broken line).
    Scope 'value': the row was accepted and links; `column`'s `value` failed its check (`reasons`)."""

    batch_id: str
    source: str
    row_number: int
    scope: str
    record_id: str | None
    column: str | None
    value: str | None
    reasons: str
    raw_values: str


def list_batches(settings: Settings) -> list[BatchRow]:
    """Landed batches, newest first; an absent lake simply has none."""
    rows = _read(settings, lake_tables.batches_sql())
    return [_batch_row(row) for row in rows]


def _batch_row(r: tuple[Any, ...]) -> BatchRow:
    return BatchRow(
        batch_id=str(r[0]),
        source=str(r[1]),
        rows_read=int(r[2]),
        rows_accepted=int(r[3]),
        rows_quarantined=int(r[4]),
        landed_at=str(r[5]),
        file_path=str(r[6]),
        file_sha256=str(r[7]),
        config_hash=str(r[8]),
        ingest_version=str(r[9]),
        values_flagged=int(r[10] or 0),
    )


def list_quarantine(
    settings: Settings, *, source: str | None = None, batch: str | None = None, limit: int | None = None
) -> list[QuarantineRow]:
    """Quarantine lines (rows held whole and flagged values of accepted rows), optionally of one source or
    batch."""
    if limit is not None and limit < 0:
        raise InvalidInputError(f"--limit must be zero or more, got {limit}")
    rows = _read(settings, lake_tables.quarantine_sql(source=source, batch_id=batch, limit=limit))
    return [QuarantineRow(*row) for row in rows]


def _read(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    if not lake_exists(settings.lake_path):
        return []
    conn = open_lake(settings.lake_path, read_only=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if not {"ingest_batches", "quarantine"} <= tables:
            return []
        return conn.execute(sql).fetchall()
    finally:
        conn.close()
