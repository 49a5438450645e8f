"""What holds a subject's identity until the next batch run (`ilos link`) re-links it, read for every subject
at once beside the candidate matches (`gate_inputs`): two of its records a reviewer judged different people
that are still one subject, and other stored subjects the change worker or a reviewer found to be the same
person (a merge the batch files do not hold yet). Either way the stored subject is known to be wrong. What the
batch files hold is told by the judgement rows they reflect (`linkage.judgements_applied`), not by clocks."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from ilos.policy.results import DisputedPair, PendingMerge
from ilos.resolve.judgements import Judgement, judgement_history, latest_rows
from ilos.resolve.linkage import CLUSTERS_FILE, judgements_applied
from ilos.resolve.records import typed_record_key
from ilos.services.journal_file import JUDGEMENT_KEY, is_event_line
from ilos.services.journal_records import (
    Journal,
    batch_subjects,
    current_subjects,
    held_records,
    read_journal,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PendingIdentity:
    """Per subject id, its pairs judged different people and its merges waiting for a batch run."""

    disputes: Mapping[str, tuple[DisputedPair, ...]] = field(default_factory=dict)
    merges: Mapping[str, tuple[PendingMerge, ...]] = field(default_factory=dict)


def load_pending_identity(
    linkage_dir: Path, subject_ids: Collection[str] | None = None, journal: Journal | None = None
) -> PendingIdentity:
    """Disputes and pending merges of every subject (only of `subject_ids` when given), from the judgements,
    clusters.parquet and the worker's journal (`journal`: the whole journal as the caller read it already).
    One read of each for all subjects; nothing more is read when no pair's latest judgement says "match" or
    "no_match", no worker line kept a pair together and no journaled line merged subjects.

    A judgement row at or after `judgements_applied` is new since the batch files were written: a "match"
    among them holds both subjects until a run applies it, and so do the worker's journaled judgement merges
    and "kept together" lines of such rows, whatever the pair's latest verdict (a later "no match" cannot undo
    what the worker joined in memory)."""
    clusters = linkage_dir / CLUSTERS_FILE
    if not clusters.is_file():
        return PendingIdentity()
    history = judgement_history(linkage_dir)
    applied = min(judgements_applied(linkage_dir), len(history))
    latest = latest_rows(history)
    judged = [history[row] for row in latest.values()]
    split = [j for j in judged if j.verdict == "no_match"]
    read = journal if journal is not None else read_journal(linkage_dir)
    merges = read.merges
    matches = [(history[row], row < applied) for row in latest.values() if history[row].verdict == "match"]
    kept = [e for e in read.kept_together if _row(e) >= applied]
    if not split and not merges and not matches and not kept:
        return PendingIdentity()
    matched = {(j.left, j.right) for j in judged if j.verdict == "match"}
    by_judgement = [m for m in merges if not is_event_line(m) and (_pair(m) in matched or _row(m) >= applied)]
    by_record = [m for m in merges if is_event_line(m)]
    taken_in = {_pair(m) for m in by_judgement}
    by_reviewer = [(j, run) for j, run in matches if (j.left, j.right) not in taken_in]
    keys = {k for j in split for k in (j.left, j.right)} | {k for m in by_judgement for k in _pair(m)}
    keys |= {k for j, _ in by_reviewer for k in (j.left, j.right)}
    keys |= {str(m["record"]) for m in by_record}
    named = {str(s) for m in merges for s in (m["subject_id"], *m["absorbed"])}
    batch_of = held_records(linkage_dir, {k for k in keys if "|" in k})
    stored = batch_subjects(linkage_dir, named)
    subject_of = {**batch_of, **read.record_subjects}
    wanted = None if subject_ids is None else set(subject_ids)
    current = current_subjects(merges, stored)  # as the journal's readers follow merges
    disputes = _disputes(split, subject_of)
    for subject, found in _kept_disputes(kept, current).items():
        disputes.setdefault(subject, []).extend(found)
    pending = _pending_merges(by_record, by_judgement, batch_of, subject_of, stored, current)
    for subject, merged in _unapplied_matches(by_reviewer, subject_of).items():
        pending.setdefault(subject, []).extend(merged)
    return PendingIdentity(_only(disputes, wanted), _only(pending, wanted))


def _pair(line: Mapping[str, Any]) -> tuple[str, str]:
    judgement = line[JUDGEMENT_KEY]
    return str(judgement["left"]), str(judgement["right"])


def _row(line: Mapping[str, Any]) -> int:
    """A judgement line's row in the judgements file."""
    return int(line[JUDGEMENT_KEY]["row"])


def _kept_disputes(
    kept: Iterable[Mapping[str, Any]], current: Mapping[str, str]
) -> dict[str, list[DisputedPair]]:
    """The subject the worker kept a "no match" pair together in (followed to where its records are now), as
    disputed until a batch run, whatever the pair's latest verdict or where the batch files put the records:
    the worker holds them in one subject, and will until it is rebuilt over batch files that honour it."""
    found: dict[str, list[DisputedPair]] = {}
    for line in kept:
        judgement, subject = line[JUDGEMENT_KEY], str(line["subject_id"])
        at = datetime.fromisoformat(str(judgement["judged_at"]))
        records = typed_record_key(str(judgement["left"])), typed_record_key(str(judgement["right"]))
        found.setdefault(current.get(subject, subject), []).append(
            DisputedPair(*records, str(judgement["judged_by"]), at)
        )
    return found


def _disputes(split: Iterable[Judgement], subject_of: Mapping[str, str]) -> dict[str, list[DisputedPair]]:
    """The "no_match" pairs whose two records are in one subject now: batch honours the verdict only when it
    next clusters, and the worker keeps them together ("kept_together"), as a union-find cannot split."""
    found: dict[str, list[DisputedPair]] = {}
    for j in split:
        subject = subject_of.get(j.left)
        if subject is not None and subject == subject_of.get(j.right):
            pair = DisputedPair(typed_record_key(j.left), typed_record_key(j.right), j.judged_by, j.judged_at)
            found.setdefault(subject, []).append(pair)
    return found


def _pending_merges(
    by_record: Iterable[Mapping[str, Any]],
    by_judgement: Iterable[Mapping[str, Any]],
    batch_of: Mapping[str, str],
    subject_of: Mapping[str, str],
    stored: Collection[str],
    current: Mapping[str, str],
) -> dict[str, list[PendingMerge]]:
    """Both sides of every journaled merge that still stands over the batch files: a linked record's merge
    while the batch files do not hold that record (a batch run that took it in decided its subject itself),
    a "match" judgement's while no batch run has taken its row in (whatever the pair's latest verdict: the
    worker joined them for good) or while it is the pair's latest word, each until the two sides are one
    subject. A
    side is held only as a subject the batch files store (`stored`): the journal reader keeps their records
    in them (`journal_records.current_subjects` stops there), so only a batch run joins them."""
    found: dict[str, list[PendingMerge]] = {}

    def hold(one: str, other: str, records: tuple[str, ...], line: Mapping[str, Any]) -> None:
        if one != other and (one in stored or other in stored):
            at = str(line.get("processed_at", ""))
            found.setdefault(one, []).append(PendingMerge(other, records, at))
            found.setdefault(other, []).append(PendingMerge(one, records, at))

    for line in by_record:
        record = str(line["record"])
        if record in batch_of:
            continue
        here = current.get(str(line["subject_id"]), str(line["subject_id"]))
        for gone in line["absorbed"]:
            there = current.get(str(gone), str(gone))
            if there in stored:
                hold(there, here, (typed_record_key(record),), line)
    for line in by_judgement:
        left, right = _pair(line)
        sides = subject_of.get(left), subject_of.get(right)
        if sides[0] is not None and sides[1] is not None:
            hold(sides[0], sides[1], (typed_record_key(left), typed_record_key(right)), line)
    return found


def _unapplied_matches(
    matches: Iterable[tuple[Judgement, bool]], subject_of: Mapping[str, str]
) -> dict[str, list[PendingMerge]]:
    """A pair's latest "match" on records of two subjects holds both (no worker took it in): judging the pair
    settles it as a candidate match, which would otherwise lift the hold the unjudged pair kept while the
    subjects are still apart. At a row the batch files do not reflect (`judgements_applied`: a copy or touch
    of clusters.parquet changes nothing) a batch run or `ilos link add` will apply it; at a row a run took in
    (the bool), the run refused the merge for a linking constraint, and only a person can settle it."""
    found: dict[str, list[PendingMerge]] = {}
    for j, refused in matches:
        one, other = subject_of.get(j.left), subject_of.get(j.right)
        if one is None or other is None or one == other:
            continue
        records, at = (typed_record_key(j.left), typed_record_key(j.right)), j.judged_at.isoformat()
        found.setdefault(one, []).append(PendingMerge(other, records, at, j.judged_by, refused))
        found.setdefault(other, []).append(PendingMerge(one, records, at, j.judged_by, refused))
    return found


def _only(found: Mapping[str, list[T]], wanted: Collection[str] | None) -> dict[str, tuple[T, ...]]:
    return {
        subject: tuple(sorted(dict.fromkeys(items), key=str))
        for subject, items in found.items()
        if wanted is None or subject in wanted
    }
