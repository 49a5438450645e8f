"""Use cases of subject records: build golden subjects, timelines and legal situations from a linkage,
and show one subject with its provenance."""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ilos.config import Settings
from ilos.definitions.sources import SourcesConfig, load_sources_config
from ilos.definitions.survivorship import DEFAULT_RULES_PATH, load_survivorship_rules
from ilos.domain.attributes import SurvivorshipRules
from ilos.domain.subjects import Subject
from ilos.duckdb_paths import literal_path
from ilos.errors import InvalidInputError, NotFoundError
from ilos.ingest.lake_tables import latest_batch_sql, raw_table_name
from ilos.resolve.linkage import CLUSTERS_COLUMNS
from ilos.services.journal_rows import journaled_rows
from ilos.services.progress import Progress, silent
from ilos.services.source_reading import read_source_file
from ilos.store.lake import lake_exists, open_lake
from ilos.subjects.assemble import ROWS_PER_STEP, assemble_subject, assemble_subjects, rows_of
from ilos.subjects.gather import (
    LINK_CONFIDENCE_COLUMNS,
    gather_events,
    gather_observations,
    ordered_observations,
    register_linkage,
)
from ilos.subjects.summary import SUMMARY_SCHEMA, summary_batches

GATHER_MEMORY_GIB = 4
"""DuckDB's memory while gathering every subject's events and observations (37M rows at a million persons)."""
SUBJECTS_FILE = "subjects.parquet"
TIMELINE_FILE = "timeline.parquet"
OBSERVATIONS_FILE = "observations.parquet"
MANIFEST_FILE = "subjects.json"


@dataclass(frozen=True, slots=True)
class SubjectsBuild:
    out_dir: Path
    as_of: date
    subjects: int
    events: int
    observations: int
    with_conflicts: int
    seconds: float
    rules_hash: str
    config_hash: str


@dataclass(frozen=True, slots=True)
class SubjectView:
    subject: Subject
    rules: SurvivorshipRules


def build_subjects(
    linkage_dir: Path,
    config_path: Path,
    as_of: date | None = None,
    settings: Settings | None = None,
    rules_path: Path = DEFAULT_RULES_PATH,
    progress: Progress = silent,
) -> SubjectsBuild:
    """`ilos subjects build`: observations, timeline and legal situation of every subject of a linkage.

    Raw rows come from the lake when `settings` is given (the pipeline), else from the config's files."""
    started = time.perf_counter()
    config = load_sources_config(config_path)
    rules = load_survivorship_rules(rules_path)
    as_of = as_of or date.today()
    for name, _ in _LINKAGE_FILES:  # before a scratch directory is made in it
        if not (linkage_dir / name).is_file():
            raise NotFoundError(
                f"No linkage output at {linkage_dir / name}; run `ilos link CONFIG --out {linkage_dir}` first"
            )
    with tempfile.TemporaryDirectory(dir=linkage_dir, prefix=".subjects-build-") as scratch:
        staged = {name: Path(scratch) / name for name in (SUBJECTS_FILE, TIMELINE_FILE, OBSERVATIONS_FILE)}
        gathered = {name: Path(scratch) / f"gathered-{name}" for name in (TIMELINE_FILE, OBSERVATIONS_FILE)}
        _gather(linkage_dir, config, settings, gathered, Path(scratch) / "spill", progress)
        progress("assembling subjects")
        observations, events = (
            _passed_on(gathered[n], staged[n]) for n in (OBSERVATIONS_FILE, TIMELINE_FILE)
        )
        subjects = assemble_subjects(observations, events, as_of)
        written, with_conflicts = _write_summaries(summary_batches(subjects, rules), staged[SUBJECTS_FILE])
        events_written, observations_written = (
            pq.read_metadata(staged[n]).num_rows for n in (TIMELINE_FILE, OBSERVATIONS_FILE)
        )
        for name, path in staged.items():
            path.replace(linkage_dir / name)  # readers never see a half-written file
    result = SubjectsBuild(
        out_dir=linkage_dir,
        as_of=as_of,
        subjects=written,
        events=events_written,
        observations=observations_written,
        with_conflicts=with_conflicts,
        seconds=time.perf_counter() - started,
        rules_hash=rules.content_hash,
        config_hash=config.content_hash,
    )
    _write_manifest(linkage_dir, result)
    return result


def show_subject(
    linkage_dir: Path, subject_id: str, as_of: date | None = None, rules_path: Path = DEFAULT_RULES_PATH
) -> SubjectView:
    """One subject re-assembled from its stored observations and timeline, its legal situation derived as of
    `as_of` (default: the build's date)."""
    for name in (OBSERVATIONS_FILE, TIMELINE_FILE):
        if not (linkage_dir / name).is_file():
            raise NotFoundError(
                f"No {name} in {linkage_dir}; run `ilos subjects build {linkage_dir} --config CONFIG` first"
            )
    con = duckdb.connect()
    try:
        obs, events = (
            con.sql(
                f"SELECT * FROM read_parquet(?) WHERE subject_id = ? ORDER BY {order}",  # noqa: S608
                params=[literal_path(linkage_dir / name), subject_id],
            ).to_arrow_table()
            for name, order in (
                (OBSERVATIONS_FILE, "attribute, source, record_id, value"),
                (TIMELINE_FILE, "occurred_on"),
            )
        )
    finally:
        con.close()
    if obs.num_rows == 0 and events.num_rows == 0:
        raise NotFoundError(
            f"No subject {subject_id!r} in {linkage_dir}; subject ids look like S-3267c1c2ffa3"
        )
    when = as_of or _built_as_of(linkage_dir)
    subject = assemble_subject(subject_id, list(rows_of(obs)), list(rows_of(events)), when)
    return SubjectView(subject, load_survivorship_rules(rules_path))


_LINKAGE_FILES = (
    ("clusters.parquet", CLUSTERS_COLUMNS),
    ("links.parquet", LINK_CONFIDENCE_COLUMNS),  # of its ~40 columns: a million persons' are gigabytes
    ("records.parquet", ()),
)


def _raw_from_files(config: SourcesConfig) -> dict[str, pa.Table]:
    return {spec.name: read_source_file(config, spec) for spec in config.people_sources if spec.events}


def _with_journaled_rows(
    raw: dict[str, pa.Table], config: SourcesConfig, linkage_dir: Path
) -> dict[str, pa.Table]:
    """Each source's rows with those the change worker linked into the linkage (its journal) that they lack:
    the events of a record a link run took in from the journal are built with every other record's (a
    record the clusters do not hold yet builds none)."""
    journaled = journaled_rows(linkage_dir, config)
    out = dict(raw)
    for spec in config.people_sources:
        rows = journaled.beyond(spec, raw[spec.name][spec.record_id]) if spec.name in raw else None
        if rows is not None:
            out[spec.name] = pa.concat_tables([raw[spec.name], rows], promote_options="permissive")
    return out


def _refuse_unread_records(
    con: duckdb.DuckDBPyConnection, config: SourcesConfig, raw: Mapping[str, pa.Table]
) -> None:
    """No build of a linkage holding records of a source with legal events whose rows it cannot read (linked
    by `ilos link add` and in neither the source's rows nor the worker's journal): their events (a stay, a
    naturalization certificate) would be missing from their subjects' facts, and every gate blind to them."""
    unread: list[str] = []
    for spec in config.people_sources:
        if not spec.events:
            continue
        read = raw.get(spec.name, pa.table({spec.record_id: pa.array([], pa.string())}))
        con.register("ilos_read_ids", pa.table({"record_id": read[spec.record_id].cast(pa.string())}))
        rows = con.execute(
            "SELECT record_id FROM clusters WHERE source = ? "
            "AND record_id NOT IN (SELECT record_id FROM ilos_read_ids WHERE record_id IS NOT NULL) "
            "ORDER BY record_id LIMIT 6",
            [spec.name],
        ).fetchall()
        con.unregister("ilos_read_ids")
        unread += [f"{spec.name}:{r[0]}" for r in rows]
    if unread:
        named = ", ".join(unread[:5]) + (", …" if len(unread) > 5 else "")
        raise InvalidInputError(
            f"The linkage holds records whose rows no source file nor the change worker's journal has ({named}): "
            "linked by `ilos link add`, their legal events (a stay, a certificate) cannot be read, and subjects "
            "built without them would hide those from every gate. Add the rows to their source's file (the "
            "pipeline: ingest them), or post them to the change worker, then build again"
        )


def _raw_from_lake(settings: Settings, config: SourcesConfig) -> dict[str, pa.Table]:
    if not lake_exists(settings.lake_path):
        raise NotFoundError(f"No lake at {settings.lake_path}; run `ilos ingest CONFIG` first")
    con = open_lake(settings.lake_path, read_only=True)
    try:
        landed = {r[0] for r in con.sql("SELECT table_name FROM information_schema.tables").fetchall()}
        return {
            spec.name: con.sql(latest_batch_sql(spec.name)).to_arrow_table()
            for spec in config.people_sources
            if spec.events and raw_table_name(spec.name) in landed
        }
    finally:
        con.close()


def _gather(
    linkage_dir: Path,
    config: SourcesConfig,
    settings: Settings | None,
    gathered: Mapping[str, Path],
    spill: Path,
    progress: Progress,
) -> None:
    """Every subject's events and observations, ordered by subject, written to the `gathered` files by DuckDB
    within `GATHER_MEMORY_GIB` (what does not fit spills; the source rows are held in Arrow beside it); the
    inputs are let go when it returns."""
    con = duckdb.connect(config={"memory_limit": f"{GATHER_MEMORY_GIB}GiB", "temp_directory": str(spill)})
    try:
        clusters, links, records = (_read(con, linkage_dir / f, c) for f, c in _LINKAGE_FILES)
        progress("reading source rows")
        raw = _raw_from_lake(settings, config) if settings is not None else _raw_from_files(config)
        raw = _with_journaled_rows(raw, config, linkage_dir)
        progress("gathering events")
        register_linkage(con, clusters, links, records)
        _refuse_unread_records(con, config, raw)
        # Written by DuckDB (COPY), which keeps the ORDER BY (insertion order is preserved, DuckDB's default)
        # and streams out of a sort that spilled. The observations are sorted apart from the joins that
        # gather them: at 1M persons the two in one query ran out of 4 and of 6 GiB; sorted from a file of
        # them, within 4 GiB.
        gather_events(con, config, raw).write_parquet(str(gathered[TIMELINE_FILE]))
        progress("gathering observations")
        unordered = gathered[OBSERVATIONS_FILE].with_name("unordered-observations.parquet")
        gather_observations(con, config, records.columns).write_parquet(str(unordered))
        ordered_observations(con.read_parquet(literal_path(unordered))).write_parquet(
            str(gathered[OBSERVATIONS_FILE])
        )
        unordered.unlink()
    except (duckdb.IOException, duckdb.InvalidInputException) as exc:  # unreadable pages fail only when read
        if not any(name in str(exc) for name, _ in _LINKAGE_FILES):
            raise  # not a linkage file's (a full disk under the scratch directory): said as DuckDB says it
        raise InvalidInputError(
            f"{linkage_dir}: a linkage file is unreadable ({exc}); re-run `ilos link`"
        ) from exc
    finally:
        con.close()


def _passed_on(gathered: Path, to: Path) -> Iterator[pa.RecordBatch]:
    """The gathered rows a batch at a time, each also written to `to` with every column nullable, as the
    build's files have always been (DuckDB writes a column it saw no null in as required)."""
    with pq.ParquetFile(gathered) as rows:
        schema = pa.schema([f.with_nullable(True) for f in rows.schema_arrow])
        with pq.ParquetWriter(to, schema) as out:
            for batch in rows.iter_batches(batch_size=ROWS_PER_STEP):
                batch = batch.cast(schema)
                out.write_batch(batch)
                yield batch


def _write_summaries(batches: Iterable[pa.RecordBatch], path: Path) -> tuple[int, int]:
    """subjects.parquet written a batch at a time; returns how many subjects, and how many with conflicts."""
    written = with_conflicts = 0
    with pq.ParquetWriter(path, SUMMARY_SCHEMA) as out:
        for batch in batches:
            out.write_batch(batch)
            written += batch.num_rows
            with_conflicts += pc.sum(pc.greater(pc.list_value_length(batch["conflicts"]), 0)).as_py() or 0
    return written, with_conflicts


def _write_manifest(out: Path, result: SubjectsBuild) -> None:
    manifest: Mapping[str, object] = {
        "as_of": result.as_of.isoformat(),
        "subjects": result.subjects,
        "events": result.events,
        "observations": result.observations,
        "with_conflicts": result.with_conflicts,
        "survivorship_rules_hash": result.rules_hash,
        "sources_config_hash": result.config_hash,
    }
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")


def _built_as_of(linkage_dir: Path) -> date:
    path = linkage_dir / MANIFEST_FILE
    if path.is_file():
        return date.fromisoformat(json.loads(path.read_text())["as_of"])
    return date.today()


def _read(con: duckdb.DuckDBPyConnection, path: Path, columns: tuple[str, ...]) -> duckdb.DuckDBPyRelation:
    """DuckDB reading a linkage file (the build's queries read what they need of it, within its memory)."""
    if not path.is_file():
        raise NotFoundError(f"No linkage output at {path}; run `ilos link CONFIG --out {path.parent}` first")
    try:
        return (
            con.read_parquet(literal_path(path)).select(*columns)
            if columns
            else con.read_parquet(literal_path(path))
        )
    except duckdb.Error as exc:
        raise InvalidInputError(f"{path} is not a readable Parquet file ({exc}); re-run `ilos link`") from exc
