"""Use cases of generic linking: link a config's sources, evaluate against truth, explain, review."""

from __future__ import annotations

import codecs
import contextlib
import shutil
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ilos.config import Settings
from ilos.definitions.sources import (
    SourcesConfig,
    SourceSpec,
    load_sources_config,
    read_sources_config,
)
from ilos.duckdb_paths import literal_path
from ilos.errors import BadSourceFileError, FieldProblem, InvalidInputError, NotFoundError
from ilos.ingest.file_checks import not_a_file
from ilos.ingest.lake_tables import latest_batch_sql, raw_table_name
from ilos.resolve import explain, judgements, linkage, verdict_effect
from ilos.resolve.engine import TrainingOptions
from ilos.resolve.evaluation import LinkageScores, score_clusters
from ilos.resolve.incremental import IncrementalLinker
from ilos.resolve.records import record_key, typed_record_key
from ilos.resolve.stable_ids import SubjectEvent, events_of_moves
from ilos.services.journal_file import JOURNAL_FILE
from ilos.services.journal_links import journaled_links, live_links
from ilos.services.journal_records import held_records, journaled_subjects, read_journal
from ilos.services.journal_rows import journaled_rows
from ilos.services.linkage_config import CONFIG_COPY, load_linkage_config
from ilos.services.linkage_locks import writing_linkage
from ilos.services.source_checks import SourceFindings, file_columns, file_problems, row_findings
from ilos.services.source_reading import duckdb_problem, read_as_text, read_source_file
from ilos.standardize.table import standardize_table
from ilos.store.lake import lake_exists, open_lake

Progress = Callable[[str], None]
THIN_MODEL_PRECISION = 0.9
"""Below this expected precision at the chosen threshold, a run warns that its model learnt too little."""

__all__ = [
    "AddReport",
    "LinkRun",
    "ReviewQueue",
    "StandardizedSources",
    "TrainingOptions",
    "add_records",
    "evaluate_linkage",
    "explain_link",
    "judge_pair",
    "link_config",
    "link_lake",
    "read_truth",
    "review_queue",
]


def _silent(_: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class LinkRun:
    out_dir: Path
    summary: linkage.LinkageSummary
    records_per_source: dict[str, int]
    warnings: tuple[str, ...] = ()
    """What the run went on despite (dates that do not parse, records of the last run no longer in the inputs)."""
    journaled_records: int = 0
    """Records the change worker linked into the directory that the run took in from its journal."""


@dataclass(frozen=True, slots=True)
class StandardizedSources:
    records: pa.Table
    counts: dict[str, int]
    warnings: tuple[str, ...] = ()


def standardized_records(config: SourcesConfig, progress: Progress = _silent) -> StandardizedSources:
    """Read and standardize every people source of a config into one table. Every row problem of every
    source (blank or repeated record ids, dates no value of which parses) is reported at once, before any
    linking. The files' headers are checked by the caller first (`link_config`: `file_problems`)."""
    tables, counts, findings = [], {}, SourceFindings()
    for spec in config.people_sources:
        progress(f"reading and standardizing {spec.name}")
        raw = _checked_rows(config, spec, findings)
        if raw is None:
            continue
        if not findings.problems:
            tables.append(standardize_table(raw, spec))
        counts[spec.name] = raw.num_rows
    if findings.problems:
        raise InvalidInputError(
            f"The sources cannot be linked as they are ({len(findings.problems)} problem(s)); nothing was linked",
            findings.problems,
        )
    if not tables:
        raise InvalidInputError("The config has no people sources to link")
    records = pa.concat_tables(tables, promote_options="permissive")
    return StandardizedSources(records, counts, tuple(findings.warnings))


def _checked_rows(config: SourcesConfig, spec: SourceSpec, findings: SourceFindings) -> pa.Table | None:
    """A source's rows, their problems added to `findings` (`row_findings`); None when the file cannot be
    read, which is one problem among the others: it hides no other source's problems."""
    try:
        raw = read_source_file(config, spec)
    except InvalidInputError as exc:
        said = exc.summary.removeprefix(f"Source {spec.name!r}: ")
        findings.problems += [FieldProblem(f"source {spec.name!r}", said), *exc.problems]
        return None
    row_findings(spec, raw, findings)
    return raw


def link_config(
    config_path: Path, out_dir: Path, options: TrainingOptions | None = None, progress: Progress = _silent
) -> LinkRun:
    """`ilos link CONFIG --out DIR`: everything from files to clusters, links, model and report. The config,
    every file's header and the output directory are checked first, and all their problems reported at once,
    with the row problems of the sources whose headers are fine (else those came only once the rest was fixed)."""
    config, problems = read_sources_config(config_path)
    headers = {spec.name: file_problems(config, spec) for spec in config.people_sources}
    problems += [p for found in headers.values() for p in found]
    located = {
        p.location for p in problems
    }  # a source whose every field is misspelt maps none once they are left out
    problems += [
        FieldProblem(where, "maps no field: its records could never be linked")
        for spec in config.people_sources
        if not spec.fields and (where := f"source {spec.name!r} fields") not in located
    ]
    problems += out_dir_problems(config, config_path, out_dir)
    if problems:  # the rows of the sources whose headers are fine, so a fix does not uncover more
        rows = SourceFindings()
        for spec in (s for s in config.people_sources if not headers[s.name]):
            _checked_rows(config, spec, rows)
        problems += rows.problems
        raise InvalidInputError(f"{config_path}: {len(problems)} problem(s); nothing was linked", problems)
    with writing_linkage(out_dir, "ilos link"):
        sources = standardized_records(config, progress)
        return _link(config, config_path, sources, out_dir, options, progress)


def out_dir_problems(config: SourcesConfig, config_path: Path, out_dir: Path) -> list[FieldProblem]:
    """`--out` must be a directory (or not exist yet), and no input may be a file the run writes there: a
    source file, or another config where the run keeps its copy (a world's own sources.yaml)."""
    if (in_the_way := _file_in_the_way(out_dir)) is not None:
        where = "" if in_the_way == out_dir else f" is under {in_the_way}, which"
        return [
            FieldProblem(
                "--out", f"{out_dir}{where} is a file; pass a directory (it is created when missing)"
            )
        ]
    copy = out_dir / CONFIG_COPY
    is_other_config = copy.is_file() and copy.resolve() != config_path.resolve()
    if is_other_config and not (out_dir / linkage.SUMMARY_FILE).exists():
        return [
            FieldProblem(
                "--out", f"{copy} is another config, not a linkage's copy; the run would overwrite it"
            )
        ]
    written = {(out_dir.resolve() / name) for name in linkage.OUTPUT_FILES}
    return [
        FieldProblem(
            f"source {spec.name!r} path",
            f"{config.path_of(spec)} would be overwritten by the linkage output; choose another --out",
        )
        for spec in config.sources
        if config.path_of(spec) in written
    ]


def _file_in_the_way(out_dir: Path) -> Path | None:
    """The directory, or the nearest of its parents that exists, when that is not a directory: the run
    creates the missing ones, and under a file that failed with a traceback (NotADirectoryError)."""
    existing = next((p for p in (out_dir, *out_dir.parents) if p.exists()), None)
    return existing if existing is not None and not existing.is_dir() else None


def link_lake(
    settings: Settings,
    config_path: Path,
    out_dir: Path,
    options: TrainingOptions | None = None,
    progress: Progress = _silent,
    empty_sources: Collection[str] = (),
) -> LinkRun:
    """The pipeline path: link the accepted rows of each source's latest batch in the lake. `empty_sources`
    are people sources known to have no rows (ingest lands no batch for a file without data rows)."""
    config = load_sources_config(config_path)
    with writing_linkage(out_dir, "ilos link"):
        sources = lake_records(settings, config, empty_sources, progress)
        return _link(config, config_path, sources, out_dir, options, progress)


def _link(
    config: SourcesConfig,
    config_path: Path,
    sources: StandardizedSources,
    out_dir: Path,
    options: TrainingOptions | None,
    progress: Progress,
) -> LinkRun:
    restricted = sorted(config.restricted_sources)
    sources, carried, journaled = _with_journaled_records(config, sources, out_dir, progress)
    summary = linkage.run_linkage(
        sources.records,
        out_dir,
        restricted,
        config.content_hash,
        options or TrainingOptions(),
        progress,
        carried,
    )
    if config_path.resolve() != (out_dir / CONFIG_COPY).resolve():
        shutil.copyfile(config_path, out_dir / CONFIG_COPY)
    warnings = list(sources.warnings)
    expected = summary.threshold.expected_precision
    if expected < THIN_MODEL_PRECISION:
        warnings.append(
            f"the model expects only {expected:.0%} of the links at its threshold to be right: unsupervised "
            f"training found too little to learn from in {summary.records:,} records (it needs thousands, "
            "with identifiers or dates shared across sources); check the links before using them"
        )
    if summary.unlearnt_comparisons:
        warnings.append(
            f"training learnt {', '.join(summary.unlearnt_comparisons)} backwards (agreement as evidence against "
            "a match: its field is on too few records of the same people to learn from), so it weighs nothing "
            "in this model"
        )
    warnings += verdict_effect.refused_matches_warning(summary.refused_matches)
    if summary.dropped_records:
        warnings.append(
            f"{summary.dropped_records:,} record(s) of the last linkage in {out_dir} are not among this run's "
            "inputs and are no longer linked (records added with `ilos link add` stay only until the next "
            "`ilos link`: add them to their source's file to keep them)"
        )
    return LinkRun(out_dir, summary, sources.counts, tuple(warnings), journaled)


def _with_journaled_records(
    config: SourcesConfig, sources: StandardizedSources, out_dir: Path, progress: Progress
) -> tuple[StandardizedSources, dict[str, str], int]:
    """The run's inputs with the records the change worker linked into `out_dir` (its journal's rows whose
    record id the inputs lack), the subject each of the worker's records is in now (so a subject keeps its id
    as a batch subject's does) and how many records were taken in. A journal line for a source the config
    no longer has is not taken in (a warning says how many)."""
    if not (out_dir / JOURNAL_FILE).is_file():
        return sources, {}, 0
    progress("taking in the records the change worker linked (its journal)")
    journaled = journaled_rows(out_dir, config)
    tables, findings = [sources.records], SourceFindings()
    for spec in (s for s in config.people_sources if s.name in journaled.rows):
        held = pc.filter(sources.records["record_id"], pc.equal(sources.records["source"], spec.name))
        rows = journaled.beyond(spec, held)
        if rows is not None:
            row_findings(spec, rows, findings)
            tables.append(standardize_table(rows, spec))
    if findings.problems:
        raise InvalidInputError(
            f"The change worker's journal in {out_dir} holds records that cannot be linked "
            f"({len(findings.problems)} problem(s)); nothing was linked",
            findings.problems,
        )
    warnings = [*sources.warnings, *(f"the change worker's journal: {w}" for w in findings.warnings)]
    warnings += [
        f"{n:,} record(s) of source {source!r} the change worker linked are not linked: the config has no such "
        "people source"
        for source, n in sorted(journaled.unknown_sources.items())
    ]
    records = pa.concat_tables(tables, promote_options="permissive")
    taken = records.num_rows - sources.records.num_rows
    subjects = read_journal(out_dir).record_subjects  # read after the rows: only the records they hold count
    carried = {record: subjects[record] for record in journaled.records if record in subjects}
    return StandardizedSources(records, sources.counts, tuple(warnings)), carried, taken


def lake_records(
    settings: Settings,
    config: SourcesConfig,
    empty_sources: Collection[str] = (),
    progress: Progress = _silent,
) -> StandardizedSources:
    """Every people source's latest batch, standardized into one table, with its row count. A source with
    no batch is refused (it was never ingested, or its ingest failed) unless it is one of `empty_sources`:
    then it counts 0 rows. Linking a lake missing a source by accident would drop its records, and with
    them the protections (stays, citizenship evidence) they carry."""
    if not lake_exists(settings.lake_path):
        raise NotFoundError(f"No lake at {settings.lake_path}; run `ilos ingest CONFIG` first")
    con = open_lake(settings.lake_path, read_only=True)
    tables, counts = [], {}
    try:
        landed = {r[0] for r in con.sql("SELECT table_name FROM information_schema.tables").fetchall()}
        for spec in config.people_sources:
            if raw_table_name(spec.name) not in landed:
                if spec.name not in empty_sources:
                    raise NotFoundError(f"Source {spec.name!r} has no batch in the lake; ingest it first")
                counts[spec.name] = 0
                continue
            progress(f"standardizing {spec.name}")
            raw = con.sql(latest_batch_sql(spec.name)).to_arrow_table()
            tables.append(standardize_table(raw, spec))
            counts[spec.name] = raw.num_rows
    finally:
        con.close()
    if not tables:
        raise NotFoundError(
            f"No people source has a batch in the lake at {settings.lake_path}; ingest them first"
        )
    return StandardizedSources(pa.concat_tables(tables, promote_options="permissive"), counts)


@dataclass(frozen=True, slots=True)
class AddReport:
    """What `ilos link add` did, with per-record latency."""

    records: int
    new_subjects: int
    joined: int
    merges: tuple[tuple[str, str], ...]
    latencies_ms: tuple[float, ...]
    warnings: tuple[str, ...] = ()
    splits: tuple[tuple[str, str], ...] = ()
    """(subject, the subject records moved from it to): a "match" taken in as a run takes it may move records."""

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def add_records(linkage_dir: Path, source: str, input_path: Path, progress: Progress = _silent) -> AddReport:
    """`ilos link add`: link new records of one source into an existing linkage, one at a time. The writer
    lock is taken first: a run landing meanwhile could change the config the input is read by."""
    with writing_linkage(linkage_dir, "ilos link add"):
        config = load_linkage_config(linkage_dir)
        spec = config.source(source.strip().lower())  # source names are lower-case: typed in any case
        unfit = file_problems(config, spec, input_path)
        if unfit:
            raise InvalidInputError(f"{input_path} does not fit source {source!r}; nothing was added", unfit)
        raw = read_source_file(config, spec, input_path)
        return _add_records(linkage_dir, config, spec, input_path, raw, progress)


def _add_records(
    linkage_dir: Path,
    config: SourcesConfig,
    spec: SourceSpec,
    input_path: Path,
    raw: pa.Table,
    progress: Progress,
) -> AddReport:
    """`add_records` once it holds the linkage's writer lock: from the linkage's own checks on."""
    findings = SourceFindings()
    row_findings(spec, raw, findings)
    findings.problems += _already_linked(linkage_dir, spec, raw)
    if findings.problems:
        raise InvalidInputError(
            f"{input_path}: {len(findings.problems)} problem(s); nothing was added", findings.problems
        )
    incoming = standardize_table(raw, spec)
    progress(f"loading the linkage in {linkage_dir}")
    linker = IncrementalLinker(linkage_dir)
    outcomes = []
    for i, rec in enumerate(incoming.to_pylist()):
        outcomes.append(linker.link(rec))
        if i % 1000 == 0:
            progress(f"linked {i:,} of {incoming.num_rows:,} records")
    new_links, clusters = linker.links_table(outcomes), linker.clusters_table()
    applied = linker.judgements_seen  # every row, each pair's latest verdict honoured, as a batch run does
    refused = [*linker.refused_at_load, *(r for o in outcomes for r in o.refused_matches)]
    del linker  # its index is the most memory held; the files are appended by DuckDB, streaming
    events = _subject_moves(linkage_dir / linkage.CLUSTERS_FILE, clusters)
    added = {record_key(spec.name, r) for r in incoming["record_id"].to_pylist()}
    apart = _beside_the_workers(linkage_dir, config, clusters, events, added)
    if apart:
        raise InvalidInputError(f"{input_path}: {len(apart)} problem(s); nothing was added", apart)
    progress("writing the linkage files")
    linkage.append_table_atomic(incoming, linkage_dir / linkage.RECORDS_FILE)
    if new_links.num_rows:
        linkage.append_table_atomic(new_links, linkage_dir / linkage.LINKS_FILE)
        # The new links decided "review" join the queue, as a batch run would have put them there.
        queued = new_links.filter(pc.equal(new_links["decision"], "review"))
        if queued.num_rows:
            linkage.append_table_atomic(queued, linkage_dir / linkage.REVIEW_FILE)
    linkage.write_table_atomic(clusters, linkage_dir / linkage.CLUSTERS_FILE)
    linkage.record_subject_events(linkage_dir, [asdict(e) for e in events], config.content_hash)
    linkage.record_judgements_applied(linkage_dir, applied)
    return AddReport(
        records=len(outcomes),
        new_subjects=sum(o.action == "new" for o in outcomes),
        joined=sum(o.action == "joined" for o in outcomes),
        merges=tuple((e.subject_id, gone) for e in events if e.kind == "merge" for gone in e.others),
        splits=tuple((e.subject_id, to) for e in events if e.kind == "split" for to in e.others),
        latencies_ms=tuple(o.seconds * 1000 for o in outcomes),
        warnings=(*findings.warnings, *verdict_effect.refused_matches_warning(refused)),
    )


def _beside_the_workers(
    linkage_dir: Path,
    config: SourcesConfig,
    clusters: pa.Table,
    events: Sequence[SubjectEvent],
    added: set[str],
) -> list[FieldProblem]:
    """Subjects that would hold two records of a one-record-per-entity source, one the change worker linked:
    `ilos link add` links against the batch files, where the worker's records since the last run are not, so
    its clustering could not keep them apart (an added record of the source, or a merge bringing one in)."""
    restricted = config.restricted_sources
    merged_into = {gone: e.subject_id for e in events if e.kind == "merge" for gone in e.others}
    theirs: dict[str, set[str]] = defaultdict(set)  # subject after the add -> restricted sources the worker's
    for record, subject in read_journal(linkage_dir).record_subjects.items():
        source = record.split("|", 1)[0]
        if source in restricted and record not in added:
            theirs[merged_into.get(subject, subject)].add(source)
    if not theirs:
        return []
    near = clusters.filter(
        pc.and_(
            pc.is_in(clusters["subject_id"], pa.array(sorted(theirs))),
            pc.is_in(clusters["source"], pa.array(sorted(restricted))),
        )
    ).to_pylist()  # the rows of those subjects from those sources: few, whatever the linkage's size
    clash = sorted(f"{r['source']}|{r['record_id']}" for r in near if r["source"] in theirs[r["subject_id"]])
    if not clash:
        return []
    return [
        FieldProblem(
            f"record {typed_record_key(clash[0])}",
            f"would share a subject with a record of its source the change worker linked ({len(clash):,} such "
            "record(s)), and the source holds one record per entity; re-run `ilos link` first (it takes the "
            "worker's records in) or post these records to the worker",
        )
    ]


def _subject_moves(before: Path, clusters: pa.Table) -> list[SubjectEvent]:
    """The merges and splits from the clusters file to `clusters` (the same records and more), for the
    directory's history as a batch run records its own: the records whose subject changed, read by DuckDB."""
    con = duckdb.connect()
    try:
        con.register("now", clusters)
        moves = con.execute(
            "SELECT n.source || '|' || n.record_id, b.subject_id, n.subject_id FROM read_parquet(?) b "
            "JOIN now n USING (source, record_id) WHERE b.subject_id <> n.subject_id",
            [literal_path(before)],
        ).fetchall()
        olds = sorted({old for _, old, _ in moves})
        standing = con.execute(
            "SELECT DISTINCT subject_id FROM now WHERE list_contains(?, subject_id)", [olds]
        ).fetchall()
    finally:
        con.close()
    return events_of_moves(moves, {s for (s,) in standing})


def _already_linked(linkage_dir: Path, spec: SourceSpec, raw: pa.Table) -> list[FieldProblem]:
    """Incoming record ids the linkage already holds (the batch files), the change worker linked with other
    values (its journal; the same row is taken in, as a batch run takes it in), or its file inbox holds for the
    worker: a correction needs a new record id. Added with other values, a journaled id moved the worker's
    record (a court stay) to whichever subject the add's row joined; a waiting one stopped the worker at that
    event for good ("already linked")."""
    ids = raw.column(spec.record_id).cast(pa.string()).to_pylist()  # as stored: compared exactly
    keys = {record_key(spec.name, i) for i in ids if i}
    journaled = set(journaled_subjects(linkage_dir, keys))
    theirs = _journaled_otherwise(linkage_dir, spec, raw, journaled)
    theirs += sorted(_waiting_in_file_inbox(linkage_dir, keys))
    if theirs:
        examples = ", ".join(repr(k.split("|", 1)[1]) for k in theirs[:3])
        return [
            FieldProblem(
                f"source {spec.name!r} column {spec.record_id!r}",
                f"{len(theirs):,} record id(s) the change worker linked with other values or has waiting in its "
                f"inbox (e.g. {examples}); a correction needs a new record id",
            )
        ]
    con = duckdb.connect()
    try:
        ((count, shown),) = con.sql(
            "SELECT count(*), list(record_id ORDER BY record_id)[1:3] FROM read_parquet(?) "
            "WHERE source = ? AND list_contains(?, record_id)",
            params=[literal_path(linkage_dir / linkage.RECORDS_FILE), spec.name, [i for i in ids if i]],
        ).fetchall()
    finally:
        con.close()
    if not count:
        return []
    examples = ", ".join(repr(i) for i in shown)
    return [
        FieldProblem(
            f"source {spec.name!r} column {spec.record_id!r}",
            f"{count:,} record id(s) are already linked (e.g. {examples}); a correction needs a new record id",
        )
    ]


def _journaled_otherwise(
    linkage_dir: Path, spec: SourceSpec, raw: pa.Table, journaled: set[str]
) -> list[str]:
    """Of the incoming rows whose record the worker journaled, the keys of those whose values (the source's
    declared columns the input has) differ from the values the worker linked."""
    if not journaled:
        return []
    posted = journaled_rows(linkage_dir, load_linkage_config(linkage_dir)).rows.get(spec.name)
    by_id = {row[spec.record_id]: row for row in (posted.to_pylist() if posted is not None else [])}
    columns = [c for c in spec.declared_schema() if c in raw.column_names]
    differ = []
    for row in raw.select(columns).to_pylist():
        key = record_key(spec.name, row[spec.record_id])
        if key in journaled and any(row[c] != by_id.get(row[spec.record_id], {}).get(c) for c in columns):
            differ.append(key)
    return sorted(differ)


def _waiting_in_file_inbox(linkage_dir: Path, keys: Collection[str]) -> set[str]:
    """Of these record keys, those of events waiting in the linkage's file inbox (the store's inbox is the
    store's: `ilos link add` runs without one)."""
    from ilos.services.change_inbox import INBOX_FILE, FileInbox  # here only: it imports the store

    if not (linkage_dir / INBOX_FILE).exists():
        return set()
    return FileInbox(linkage_dir).waiting_records(load_linkage_config(linkage_dir)) & set(keys)


def evaluate_linkage(linkage_dir: Path, truth_path: Path) -> LinkageScores:
    """Pairwise and B-cubed scores and the household false-merge rate against a truth file, over the records
    both hold; the scores carry how many each holds that the other lacks, so partial truth is never silent."""
    clusters = _read(linkage_dir / linkage.CLUSTERS_FILE, "linkage clusters")
    truth = read_truth(truth_path)
    records = _read(linkage_dir / linkage.RECORDS_FILE, "standardized records")
    scores = score_clusters(clusters, truth, records.select(["source", "record_id", "address_key"]))
    if scores.records == 0:
        raise InvalidInputError(
            f"Nothing to evaluate: truth file {truth_path} and the linkage in {linkage_dir} share no record "
            f"({scores.linkage_records_without_truth:,} linkage records have no truth row, "
            f"{scores.truth_records_not_in_linkage:,} truth rows are not in the linkage)"
        )
    return scores


_TRUTH_COLUMNS = ("source", "record_id", "person_id")
_TRUTH_FORMATS: dict[str, Literal["csv", "parquet"]] = {".csv": "csv", ".parquet": "parquet"}


def read_truth(truth_path: Path) -> pa.Table:
    """A truth file's source (lower-cased, as source names are), record_id and person_id as text, each record
    once: a CSV's ids keep their leading zeros and a Parquet's numeric ids compare equal to the linkage's text
    ones. A record given two persons, or a row lacking a value, is refused: either would score against a
    truth that is not one."""
    if (why := not_a_file(truth_path)) is not None:
        raise NotFoundError(f"Truth file {truth_path} {why}")
    if _is_empty(truth_path):
        raise InvalidInputError(
            f"Truth file {truth_path} is empty; it needs a header (source, record_id, person_id) and a row per "
            "record"
        )
    file_format = _TRUTH_FORMATS.get(truth_path.suffix.lower())
    if file_format is None:
        raise InvalidInputError(
            f"Truth file {truth_path} is neither CSV nor Parquet: name it *.csv or *.parquet"
        )
    if file_format == "csv" and (why := _not_utf8_text(truth_path)) is not None:
        raise InvalidInputError(
            f"Truth file {truth_path} {why}; a truth CSV is read as UTF-8: save it as UTF-8"
        )
    try:
        # Only its columns: another (a list of the record's corrupted fields, say) need have no text form.
        table = read_as_text(truth_path, file_format, columns=_TRUTH_COLUMNS)
        missing = [c for c in _TRUTH_COLUMNS if c not in table.column_names]
        if missing:
            raise InvalidInputError(
                f"Truth file {truth_path} lacks column(s) {missing}; it has {file_columns(truth_path)}"
            )
    except duckdb.Error as exc:
        raise _unreadable_truth(truth_path, file_format, duckdb_problem(exc)) from None
    except (pa.ArrowException, BadSourceFileError) as exc:
        raise _unreadable_truth(truth_path, file_format, str(exc).strip().splitlines()[0]) from None
    with duckdb.connect() as con:
        con.register("truth_as_written", table.select(list(_TRUTH_COLUMNS)))
        # Source names are lower-case (the config allows no other); people write them in any case, as
        # `explain` and `judge` take them, so `Court_Cases` is court_cases here too.
        con.execute(
            "CREATE VIEW truth AS SELECT lower(source) AS source, record_id, person_id FROM truth_as_written"
        )
        return _checked_truth(con, truth_path)


def _unreadable_truth(truth_path: Path, file_format: str, problem: str) -> InvalidInputError:
    return InvalidInputError(f"Truth file {truth_path} cannot be read as {file_format.upper()}: {problem}")


def _not_utf8_text(path: Path) -> str | None:
    """Why a CSV's first bytes cannot be UTF-8 text: UTF-16 (a byte-order mark, or NUL bytes between the
    letters without one), which read as UTF-8 gave column names full of NUL characters."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "is UTF-16 (it starts with UTF-16's byte-order mark)"
    if b"\x00" in head:
        return "holds NUL bytes in its first line(s): it looks like UTF-16 or binary, not UTF-8 text"
    return None


def _is_empty(path: Path) -> bool:
    """No bytes, or a UTF-8 byte-order mark alone (an empty sheet saved as Excel's "CSV UTF-8")."""
    with path.open("rb") as handle:
        return handle.read(len(codecs.BOM_UTF8) + 1) in (b"", codecs.BOM_UTF8)


def _checked_truth(con: duckdb.DuckDBPyConnection, truth_path: Path) -> pa.Table:
    """The registered truth, each record once; a row lacking a value or a record given two persons is refused."""
    blank = con.sql(
        "SELECT count(*) FROM truth WHERE source IS NULL OR record_id IS NULL OR person_id IS NULL"
    ).fetchall()[0][0]
    if blank:
        raise InvalidInputError(
            f"Truth file {truth_path}: {blank:,} row(s) lack a source, record_id or person_id"
        )
    conflicts = con.sql(
        "SELECT source, record_id, list(DISTINCT person_id ORDER BY person_id), count(*) OVER () "
        "FROM truth GROUP BY source, record_id HAVING count(DISTINCT person_id) > 1 "
        "ORDER BY source, record_id LIMIT 1"
    ).fetchall()
    if conflicts:
        source, record_id, persons, count = conflicts[0]
        raise InvalidInputError(
            f"Truth file {truth_path} gives {count:,} record(s) more than one person_id, "
            f"e.g. {source}:{record_id} is {' and '.join(persons)}"
        )
    return con.sql("SELECT DISTINCT source, record_id, person_id FROM truth").to_arrow_table()


def explain_link(linkage_dir: Path, left: str, right: str) -> explain.PairExplanation:
    """Why two records were (not) linked, by batch, by `ilos link add`, or by the worker (its journal)."""
    return explain.explain_pair(linkage_dir, left, right, _live_links(linkage_dir, left, right))


def explain_record(linkage_dir: Path, record: str) -> explain.RecordExplanation:
    """Why a record is in its subject, as batch, `ilos link add` or the worker (its journal) placed it."""
    live = _live_links(linkage_dir, record)
    return explain.explain_record(linkage_dir, record, live, read_journal(linkage_dir).record_subjects)


@dataclass(frozen=True, slots=True)
class ReviewQueue:
    """The first pairs of the queue (rows of review.parquet or of the worker's journal: both keys and
    sources, match_probability and match_weight, each comparison's gamma_ and mw_ columns, same_subject), how
    many pairs of it are not yet judged, and how many are held out of it by an "unsure" judgement."""

    pairs: pa.Table
    waiting: int
    unsure: int
    withheld: int = 0
    """Pairs waiting that involve a source the caller may not see (not among `pairs` nor in `waiting`)."""


# One scan of the queue: the counts and the first pairs are aggregates of the same rows. min_by keeps only
# `limit` rows however long the queue; list_sort orders them by the struct's first field, the uncertainty.
# Judgements are stored left <= right; a link added one at a time may not be.
_REVIEW_QUEUE_SQL = """
WITH queue AS (
  SELECT q AS pair,
    {{p: abs(q.match_probability - 0.5), l: q.unique_id_l, r: q.unique_id_r}} AS uncertainty,
    NOT list_has_any($withheld::VARCHAR[], [
      coalesce(q.source_l, split_part(q.unique_id_l, '|', 1)), coalesce(q.source_r, split_part(q.unique_id_r, '|', 1))
    ]) AS visible,
    j.verdict
  FROM (SELECT * FROM read_parquet($queue) UNION ALL BY NAME SELECT * FROM ilos_live_review) q
    LEFT JOIN ilos_judged j
    ON j.left = least(q.unique_id_l, q.unique_id_r) AND j.right = greatest(q.unique_id_l, q.unique_id_r)
)
SELECT count(*) FILTER (WHERE verdict IS NULL AND visible),
  count(*) FILTER (WHERE verdict = 'unsure' AND visible),
  count(*) FILTER (WHERE verdict IS NULL),
  list_sort(min_by(struct_pack(uncertainty, pair), uncertainty, $limit) FILTER (WHERE visible AND {shown}))
FROM queue
"""


def review_queue(
    linkage_dir: Path,
    limit: int,
    unsure: bool = False,
    withheld_sources: Collection[str] = (),
    judged: Sequence[judgements.Judgement] | None = None,
) -> ReviewQueue:
    """Pairs in the review band not yet judged (review.parquet's, and those the worker scored, from its
    journal), the most uncertain (probability nearest 0.5) first; with `unsure`, the pairs judged "unsure"
    instead, which are held out of the queue without being decided. A pair with a record of one of
    `withheld_sources` is left out and only counted: a reviewer who may not see that record could neither
    judge it nor be told it exists. `judged`: the linkage's judgements, when the caller has read them
    already. Read by DuckDB in one scan, so a queue of a million pairs costs a scan, not a million Python
    objects, on every look (the journal's lines holding a band pair are parsed, the others only searched).

    Ordering by the chance that the automatic decision is wrong (a pair held apart by its probability, a
    merging link by one minus it) was measured and is worse: held-apart pairs of high probability were mostly
    held apart by a clustering rule, rightly (docs/linking.md)."""
    if not 0 <= limit <= REVIEW_LIMIT_MAX:
        raise InvalidInputError(
            f"The review queue shows 0 to {REVIEW_LIMIT_MAX:,} pairs at a time, not {limit:,}"
        )
    path = linkage_dir / linkage.REVIEW_FILE
    if not path.exists():
        raise NotFoundError(f"No review queue at {path}; run `ilos link CONFIG --out DIR` first")
    done = judgements.read_judgements(linkage_dir) if judged is None else judged
    shown = "verdict = 'unsure'" if unsure else "verdict IS NULL"
    with duckdb.connect() as con:
        con.register("ilos_judged", judgements.judged_pairs(done))
        con.register("ilos_live_review", journaled_links(linkage_dir, "review"))  # the worker's band pairs
        found = con.sql(
            _REVIEW_QUEUE_SQL.format(shown=shown),
            params={
                "queue": literal_path(path),
                "withheld": sorted(withheld_sources),
                "limit": max(limit, 1),
            },
        ).to_arrow_table()
    waiting, held, unfiltered = (int(found.column(i)[0].as_py()) for i in range(3))
    first = found.column(3).combine_chunks().flatten().field("pair")
    pairs = pa.Table.from_struct_array(first).slice(0, limit)
    return ReviewQueue(_as_placed_now(linkage_dir, pairs), waiting, held, unfiltered - waiting)


def _as_placed_now(linkage_dir: Path, pairs: pa.Table) -> pa.Table:
    """The pairs with `same_subject` as their records stand now, not as when the pair was scored: `ilos link
    add` may have joined the two subjects since, and a record the worker linked is where the journal puts it
    now (the pair stays queued until the next `ilos link`, and a reviewer should see that its records are
    together). Two batch subjects the worker merged keep their ids, and their records their subjects, until
    the next run (`journal_records.current_subjects`)."""
    if not pairs.num_rows:
        return pairs
    left, right = pairs["unique_id_l"].to_pylist(), pairs["unique_id_r"].to_pylist()
    placed = held_records(linkage_dir, {*left, *right})
    placed |= journaled_subjects(linkage_dir, {*left, *right} - placed.keys())
    same = [
        placed.get(a) is not None and placed.get(a) == placed.get(b) for a, b in zip(left, right, strict=True)
    ]
    at = pairs.schema.get_field_index("same_subject")
    return pairs.set_column(at, "same_subject", pa.array(same, pa.bool_()))


REVIEW_LIMIT_MAX = 999_999
"""The most pairs one look at the queue returns: DuckDB's min_by, which keeps the first pairs in one scan,
takes fewer than a million."""


def _live_links(linkage_dir: Path, *records: str) -> explain.LiveLinks:
    """What the worker's journal holds about records as typed (`source:record_id`; a source in any case,
    as source names are lower-case, and the record id as `explain` reads it: a worker's record " 1" is not
    record "1"); a malformed one is left to `explain` to refuse."""
    keys = set()
    for typed in records:
        with contextlib.suppress(InvalidInputError):
            source, record_id = explain.parse_record_key(typed)
            keys.add(record_key(source.lower(), record_id))
    return live_links(linkage_dir, keys)


def judge_pair(
    linkage_dir: Path, left: str, right: str, verdict: str, judged_by: str
) -> judgements.Judgement:
    """Record a reviewer's judgement on a scored pair; the next run (batch or incremental) honours it."""
    stored = judgements.parse_verdict(verdict)
    live = _live_links(linkage_dir, left, right)  # a pair the worker scored is judged as a batch pair is
    a, b = explain.judgeable_pair(linkage_dir, left, right, live)  # unknown or unscored: not judged
    source = a.split("|", 1)[0]  # both stored keys of linked records
    restricted = load_linkage_config(linkage_dir).restricted_sources
    if stored == "match" and source == b.split("|", 1)[0] and source in restricted:
        raise InvalidInputError(
            f"Source {source!r} holds one record per entity: two of its records never share a subject, so a "
            "match verdict could not be honoured; judge no_match, or fix the source's config"
        )
    return judgements.record_judgement(linkage_dir, a, b, stored, judged_by)


def _read(path: Path, what: str) -> pa.Table:
    if not path.exists():
        raise NotFoundError(f"No {what} at {path}; run `ilos link CONFIG --out DIR` first")
    return pq.read_table(path)
