"""A subject's gate inputs, assembled in one place for every gate check: its facts and legal situation (the
stored linkage plus the events the change worker journaled since), its identity evidence (the linker's
unjudged candidate matches, and what waits for a batch run: `identity_pending`) and its recorded gate reviews.
Worklists, actions (creation, every step and re-check, manifest lock), the subject page and review recording
all read them here, so a review covers exactly the evidence the worklist's gates rest on, and an action never
proceeds on evidence the worklist would not."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from ilos.definitions.policy import Policy, protective_source_names
from ilos.domain.subjects import Subject
from ilos.duckdb_paths import literal_path
from ilos.errors import NotFoundError
from ilos.policy.gates import evaluate_gates
from ilos.policy.results import (
    CandidateMatch,
    CaseRecordElsewhere,
    DisputedPair,
    GateResult,
    GateReview,
    PendingMerge,
)
from ilos.resolve.judgements import JUDGEMENTS_FILE, settled_pairs
from ilos.resolve.linkage import SUMMARY_FILE
from ilos.resolve.records import record_key
from ilos.services import pair_index
from ilos.services.identity_pending import load_pending_identity
from ilos.services.journal_events import journaled_events
from ilos.services.journal_file import is_event_line
from ilos.services.journal_links import journaled_linkage
from ilos.services.journal_records import Journal, journal_entries, read_journal
from ilos.services.linkage_config import load_linkage_config
from ilos.services.shared_cases import case_records_elsewhere
from ilos.subjects.assemble import assemble_subject, assemble_subjects


@dataclass(frozen=True, slots=True)
class GateInputs:
    """What one subject's gates rest on besides the policy, the day and a destination."""

    subject: Subject
    candidates: tuple[CandidateMatch, ...] = ()
    reviews: tuple[GateReview, ...] = ()
    disputes: tuple[DisputedPair, ...] = ()
    pending_merges: tuple[PendingMerge, ...] = ()
    unread_records: tuple[str, ...] = ()
    """Its records in the linkage that its facts were not built from (`unread_records`)."""
    case_records_elsewhere: tuple[CaseRecordElsewhere, ...] = ()
    """Records of its court cases other subjects hold that may bar action (`shared_cases`)."""

    def evaluate(self, today: date, policy: Policy, destination: str | None = None) -> list[GateResult]:
        """Every gate's result on the whole subject (a decision for a purpose also checks the usable part)."""
        return evaluate_gates(
            self.subject, today, policy, destination, self.reviews, self.candidates, self.disputes,
            self.pending_merges, self.unread_records, self.case_records_elsewhere,
        )  # fmt: skip

    @property
    def waiting_records(self) -> tuple[str, ...]:
        """The records the disputes, pending merges and unread records name (the identity gate shows them),
        and the records of its cases other subjects hold (`case_record_elsewhere` shows them): records the
        subject's own do not list, shown only as their sources' markings allow (`subject_records`)."""
        return (
            tuple(r for d in self.disputes for r in d.records)
            + tuple(r for m in self.pending_merges for r in m.records)
            + self.unread_records
            + tuple(f.record for f in self.case_records_elsewhere)
        )


# The linkage files gate inputs are read from (the subjects build's as-of date, the subjects' observations and
# timeline, the clusters and links the candidate matches come from, the judgements that settle a candidate or
# dispute a subject, and linkage.json, whose count of judgements applied ends what waits for a batch run): a
# re-link, a subjects rebuild or a judgement rewrites them.
LINKAGE_FILES = (
    "subjects.json",
    SUMMARY_FILE,
    "observations.parquet",
    "timeline.parquet",
    "clusters.parquet",
    "links.parquet",
    JUDGEMENTS_FILE,
)


def linkage_stamp(linkage_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Each linkage file's name, size and modification time (ns; zeros when absent). Decisions made with an
    older stamp rest on files since rewritten. File metadata, not a content hash: it is read on every
    worklist view, and hashing a large world's files would cost more than deciding again."""
    stamp = []
    for name in LINKAGE_FILES:
        path = linkage_dir / name
        found = path.stat() if path.is_file() else None
        stamp.append((name, found.st_size, found.st_mtime_ns) if found else (name, 0, 0))
    return tuple(stamp)


def built_as_of(linkage_dir: Path) -> date:
    """The subjects build's as-of date: decisions default to the date the legal facts were derived for."""
    manifest = linkage_dir / "subjects.json"
    if manifest.is_file():
        return date.fromisoformat(json.loads(manifest.read_text())["as_of"])
    return date.today()


def gate_inputs(
    linkage_dir: Path,
    policy: Policy,
    as_of: date,
    reviews: Mapping[str, Sequence[GateReview]] | None = None,
    live_events: pa.Table | None = None,
    subject_ids: Collection[str] | None = None,
    journal: Journal | None = None,
) -> Iterator[GateInputs]:
    """The gate inputs of every stored subject (or only of `subject_ids`), in subject-id order: the subject
    with `live_events` added and legal facts as of `as_of`, its unjudged candidate matches under the policy's
    parameters, its disputes and merges waiting for a batch run, and its reviews among `reviews` (by
    subject). `journal`: the worker's journal as the caller read it already for `live_events`
    (`journal_records.read_journal`), so it is read once."""
    candidates = load_candidates(linkage_dir, policy, subject_ids, journal)
    pending = load_pending_identity(linkage_dir, subject_ids, journal)
    unread = unread_records(linkage_dir, subject_ids)
    elsewhere = case_records_elsewhere(linkage_dir, subject_ids, journal)
    recorded = reviews or {}
    for subject in load_subjects(linkage_dir, as_of, live_events, subject_ids):
        sid = subject.subject_id
        yield GateInputs(
            subject,
            tuple(candidates.get(sid, ())),
            tuple(recorded.get(sid, ())),
            pending.disputes.get(sid, ()),
            pending.merges.get(sid, ()),
            unread.get(sid, ()),
            elsewhere.get(sid, ()),
        )


def unread_records(
    linkage_dir: Path, subject_ids: Collection[str] | None = None
) -> dict[str, tuple[str, ...]]:
    """Records clusters.parquet places in a subject (of `subject_ids`, when given) that the subjects build
    did not read and the worker's journal does not hold: linked by `ilos link add` since the build, so their
    facts (a stay, a naturalization certificate) reach no gate until a build reads them. Looked for only
    when clusters.parquet was written after the build's manifest (file times: an add or a run since)."""
    clusters, observations = linkage_dir / "clusters.parquet", linkage_dir / "observations.parquet"
    manifest = linkage_dir / "subjects.json"
    if not (clusters.is_file() and observations.is_file() and manifest.is_file()):
        return {}
    if clusters.stat().st_mtime_ns <= manifest.stat().st_mtime_ns:
        return {}
    entries = journal_entries(linkage_dir)  # the worker's records: their facts are read from its journal
    journaled = {str(e["record"]) for e in entries if is_event_line(e)}
    only = "" if subject_ids is None else " AND list_contains($ids, c.subject_id)"
    params: dict[str, object] = {
        "clusters": literal_path(clusters),
        "observations": literal_path(observations),
    }
    if subject_ids is not None:
        params["ids"] = sorted(subject_ids)
    sql = (
        "SELECT c.subject_id, c.source, c.record_id FROM read_parquet($clusters) c "  # noqa: S608 - fixed text
        "ANTI JOIN (SELECT DISTINCT source, record_id FROM read_parquet($observations)) o "
        f"ON o.source = c.source AND o.record_id = c.record_id WHERE true{only} "
        "ORDER BY c.subject_id, c.source, c.record_id"
    )
    con = duckdb.connect()
    try:
        rows = con.execute(sql, params).fetchall()
    finally:
        con.close()
    found: dict[str, list[str]] = {}
    for subject, source, record_id in rows:
        if record_key(source, record_id) not in journaled:
            found.setdefault(subject, []).append(f"{source}:{record_id}")
    return {subject: tuple(records) for subject, records in found.items()}


def subject_gate_inputs(
    linkage_dir: Path, subject_id: str, policy: Policy, reviews: Sequence[GateReview] = ()
) -> GateInputs:
    """One subject's gate inputs as they stand now: the linkage as built plus every event the change worker
    journaled for it; a subject with no stored record is empty (it has no final order to act on)."""
    as_of = built_as_of(linkage_dir)
    journal = read_journal(linkage_dir)  # once, for the events, the candidate matches and the pending merges
    live = journaled_events(linkage_dir, {subject_id}, journal)
    found = gate_inputs(linkage_dir, policy, as_of, {subject_id: reviews}, live, {subject_id}, journal)
    empty = GateInputs(assemble_subject(subject_id, [], [], as_of), (), tuple(reviews))
    return next(found, empty)


def subject_facts(linkage_dir: Path, subject_id: str) -> Subject:
    """One subject as its gate inputs hold it (the stored linkage plus the events the worker journaled for
    it), without its identity evidence: what deciding which of its records a reader may see needs."""
    as_of = built_as_of(linkage_dir)
    live = journaled_events(linkage_dir, {subject_id})
    empty = assemble_subject(subject_id, [], [], as_of)
    return next(iter(load_subjects(linkage_dir, as_of, live, {subject_id})), empty)


def load_subjects(
    linkage_dir: Path,
    as_of: date,
    live_events: pa.Table | None = None,
    subject_ids: Collection[str] | None = None,
) -> Iterator[Subject]:
    """Subjects re-assembled from the stored observations and timeline, legal facts as of `as_of`, with
    `live_events` (timeline rows the change worker journaled) added to the subjects they name that the
    stored files hold (a subject the worker alone created has no stored record to decide on)."""
    files = {name: linkage_dir / name for name in ("observations.parquet", "timeline.parquet")}
    for path in files.values():
        if not path.is_file():
            raise NotFoundError(
                f"No {path.name} in {linkage_dir}; run `ilos subjects build {linkage_dir} --config CONFIG` first"
            )
    only = "" if subject_ids is None else " WHERE list_contains($ids, subject_id)"
    ids: dict[str, object] = {} if subject_ids is None else {"ids": sorted(subject_ids)}
    con = duckdb.connect()
    try:
        obs = con.sql(
            f"SELECT * FROM read_parquet($observations){only} "  # noqa: S608 - fixed text
            "ORDER BY subject_id, attribute, source, record_id, value",
            params={"observations": literal_path(files["observations.parquet"]), **ids},
        ).to_arrow_table()
        timeline = "SELECT * FROM read_parquet($timeline)"
        params: dict[str, object] = {"timeline": literal_path(files["timeline.parquet"]), **ids}
        if live_events is not None:
            con.register("live_events", live_events)
            timeline += (
                " UNION ALL BY NAME SELECT * FROM live_events WHERE subject_id IN "
                "(SELECT subject_id FROM read_parquet($observations))"
            )
            params["observations"] = literal_path(files["observations.parquet"])
        order = " ORDER BY subject_id, occurred_on, source, record_id, kind"
        events = con.sql(f"SELECT * FROM ({timeline}){only}{order}", params=params).to_arrow_table()  # noqa: S608 - fixed text
    finally:
        con.close()
    return assemble_subjects(obs, events, as_of)


# The stored linkage plus what the change worker linked since (its records, in the subjects they belong to
# now, and scored pairs, journaled): a pair the worker scored is as much a candidate as a batch one. A record
# both hold (the batch run came after the worker) is the batch run's, subject and pairs (the journal reader
# leaves its line out: `journal_records.unheld_lines`).
# `batch_clusters` and `batch_links` are the batch files, or the rows of them a `pair_index.PairIndex` found.
_SUBJECTS = (
    "SELECT source, record_id, subject_id FROM batch_clusters "
    "UNION ALL SELECT source, record_id, subject_id FROM live_clusters"
)
_SCORED = (
    "SELECT unique_id_l, unique_id_r, source_l, record_id_l, source_r, record_id_r, match_probability, decision "
    "FROM batch_links UNION ALL SELECT unique_id_l, unique_id_r, source_l, record_id_l, source_r, "
    "record_id_r, match_probability, decision FROM live_links"
)
# For some subjects only: their records, the scored pairs touching them, and the subjects of those pairs'
# records, each step a small table. At a million persons, joining every scored pair to its subjects first
# made one subject's look cost as much as every subject's (12 s).
_SUBJECTS_STEPS = (
    f"CREATE TEMP TABLE mine AS SELECT source, record_id FROM ({_SUBJECTS}) WHERE list_contains($ids, subject_id)",  # noqa: S608 - fixed text
    f"CREATE TEMP TABLE touching AS SELECT s.* FROM ({_SCORED}) s SEMI JOIN mine m "  # noqa: S608 - fixed text
    "ON s.source_l = m.source AND s.record_id_l = m.record_id "
    f"UNION SELECT s.* FROM ({_SCORED}) s SEMI JOIN mine m ON s.source_r = m.source AND s.record_id_r = m.record_id",
    f"CREATE TEMP TABLE named AS SELECT s.source, s.record_id, s.subject_id FROM ({_SUBJECTS}) s SEMI JOIN ("  # noqa: S608 - fixed text
    "SELECT source_l AS source, record_id_l AS record_id FROM touching "
    "UNION SELECT source_r, record_id_r FROM touching) w ON s.source = w.source AND s.record_id = w.record_id",
)
_EVERY_SUBJECT = f"WITH named AS ({_SUBJECTS}), touching AS ({_SCORED})"
# The pairs between two subjects that leave both identities unsettled. A pair judged "match" or "no_match"
# since it was scored is settled, whatever decision its stored row still carries ("unsure" settles nothing).
# A pair decided "match" between two subjects is one whose records' placements do not agree with it: the
# worker placed a record with its match, then a batch run moved the match elsewhere (the journal keeps the
# subject a record joined, and a worker rebuilt over the new files may place it otherwise); or the worker
# merged two batch subjects, which keep their batch records until a run (a pending merge holds them too, and
# a reviewer's verdict on the pair is what that run honours).
_CANDIDATES_SQL = """
SELECT cl.subject_id, cr.subject_id, r.source_l || ':' || r.record_id_l, r.source_r || ':' || r.record_id_r,
       r.match_probability
FROM touching r
JOIN named cl ON cl.source = r.source_l AND cl.record_id = r.record_id_l
JOIN named cr ON cr.source = r.source_r AND cr.record_id = r.record_id_r
WHERE cl.subject_id <> cr.subject_id AND (r.decision IN ('review', 'match')
  OR (r.decision IN ('non_match', 'household_conflict') AND r.match_probability >= $unmerged)
  OR (r.decision <> 'judged' AND r.match_probability >= $protective
      AND (list_contains($sources, r.source_l) OR list_contains($sources, r.source_r))))
  AND NOT EXISTS (
    SELECT 1 FROM decided j WHERE j.left = least(r.unique_id_l, r.unique_id_r)
      AND j.right = greatest(r.unique_id_l, r.unique_id_r))
"""


def load_candidates(
    linkage_dir: Path,
    policy: Policy,
    subject_ids: Collection[str] | None = None,
    journal: Journal | None = None,
) -> dict[str, list[CandidateMatch]]:
    """Pairs between two different subjects that nobody has judged, batch or the change worker's, for both
    sides (only pairs touching `subject_ids` when given): review-band pairs, likely pairs a linking constraint
    kept apart, pairs decided "match" whose records are placed in two subjects since, and even weakly likely
    pairs with a record of a protective source (an asylum application, citizenship evidence: the sources
    `protective_source_names` reads from the policy and the linkage's sources config, ConfigError if the
    policy names one the config lacks). The linker was unsure, overruled or overtaken, so neither subject's
    identity is settled until a person judges the pair (a split person's protections may be in the other). The worker's records count in the subjects they
    belong to now (`journal_records`); `journal`: the journal as the caller read it already."""
    links, clusters = linkage_dir / "links.parquet", linkage_dir / "clusters.parquet"
    if not links.is_file() or not clusters.is_file():
        return {}
    gates = policy.spec.gates
    params: dict[str, object] = {
        "unmerged": gates.unmerged_match_probability,
        "protective": gates.protective_match_probability,
        "sources": list(protective_source_names(gates, load_linkage_config(linkage_dir))),
    }
    live_clusters, live_links = journaled_linkage(linkage_dir, journal)
    con = duckdb.connect()
    try:
        con.register("live_clusters", live_clusters)
        con.register("live_links", live_links)
        con.register("decided", settled_pairs(linkage_dir))
        index = None if subject_ids is None else pair_index.index_for(clusters, links)
        if index is None:
            con.read_parquet(literal_path(clusters)).create_view("batch_clusters")
            con.read_parquet(literal_path(links)).create_view("batch_links")
        else:  # the rows of the batch files the steps would read, found by binary search
            batch_clusters, batch_links = index.rows_for(subject_ids or (), live_clusters, live_links)
            con.register("batch_clusters", batch_clusters)
            con.register("batch_links", batch_links)
        if subject_ids is None:
            rows = con.execute(f"{_EVERY_SUBJECT} {_CANDIDATES_SQL}", params).fetchall()
        else:
            mine, touching, named = _SUBJECTS_STEPS
            con.execute(mine, {"ids": sorted(subject_ids)})
            con.execute(touching)
            con.execute(named)
            rows = con.execute(_CANDIDATES_SQL, params).fetchall()
    finally:
        con.close()
    found: dict[str, list[CandidateMatch]] = {}
    for left, right, left_record, right_record, probability in rows:
        found.setdefault(left, []).append(CandidateMatch(right, left_record, right_record, probability))
        found.setdefault(right, []).append(CandidateMatch(left, right_record, left_record, probability))
    return {subject: sorted(pairs, key=str) for subject, pairs in found.items()}
