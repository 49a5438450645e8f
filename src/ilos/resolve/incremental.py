"""Incremental linking: one incoming record at a time against an existing linkage, with no Splink run.

Candidates come from the in-memory blocking index, scores from the trained model applied in Python
(`scoring.PairScorer`, which reproduces Splink's), and merges from the same constrained clustering the
batch run uses (`clustering.merge_record`, through `try_merge`), so the near-real-time path and the batch path agree.
Reviewers' judgements are taken in as the batch files took them where those files reflect them (the latest
verdict per pair), and after that row by row in the order they were recorded (`take_in`), so a worker that
takes them in while it runs and one that replays its journal reach the same subjects. `ilos link add` honours
a "match" made since the run that joining whole subjects cannot as the run would (`recluster`).
"""

from __future__ import annotations

import gc
import json
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ilos.errors import ConflictError, NotFoundError
from ilos.hash_runs import HashRuns, text_hash
from ilos.resolve import engine, linkage, model_spec
from ilos.resolve.candidates import CandidateIndex
from ilos.resolve.clustering import (
    ClusterForest,
    ClusteringOutcome,
    ClusteringRules,
    Merge,
    constraint_columns,
    merge_record,
    node_constraints,
    try_merge,
)
from ilos.resolve.judgements import JUDGEMENTS_FILE, Judgement, judgement_history, latest_rows
from ilos.resolve.recluster import judged_subjects, recluster
from ilos.resolve.record_store import RecordStore
from ilos.resolve.records import record_key
from ilos.resolve.scoring import PairScore, PairScorer, tf_columns_of
from ilos.resolve.stable_ids import assign_stable_ids, unused_subject_id
from ilos.resolve.threshold import ThresholdChoice
from ilos.resolve.verdict_effect import RefusedMatch


@dataclass(frozen=True, slots=True)
class ScoredEdge:
    other: str
    probability: float
    score: PairScore
    household_conflict: bool


@dataclass(frozen=True, slots=True)
class LinkOutcome:
    """What linking one record did: the subject it joined, and any subjects merged into it."""

    record: str
    subject_id: str
    action: str  # "new", "joined" or "merged"
    absorbed_subjects: tuple[str, ...]
    candidates: int
    edges: tuple[ScoredEdge, ...]
    seconds: float
    merging: frozenset[str] = frozenset()
    """The other records whose edge carried a merge (`clustering.merge_record`): a "no match" would undo it."""
    refused_matches: tuple[RefusedMatch, ...] = ()
    """The "match" judgements that waited for this record and could not join its subject to the other's."""


JudgementResult = Literal[
    "pending", "merged", "one_subject", "refused", "kept_apart", "kept_together", "undecided", "superseded"
]
"""What taking in a judgement did: "pending" (a record is not linked yet: its link applies it), "merged" (a
match joined two subjects), "one_subject" (a match on records already together), "refused" (a match a linking
constraint forbids, as batch clustering refuses it), "kept_apart" (a no match between two subjects, which may
never meet now), "kept_together" (a no match inside one subject: a union-find cannot split it, so the records
stay together until the next `ilos link` run, which honours it), "undecided" (unsure) or "superseded" (a row
the batch files reflect that a later one among them replaced on its pair: the run honoured only the later)."""


@dataclass(frozen=True, slots=True)
class JudgementOutcome:
    """One judgement taken in: its row in the judgements file, and the subject it concerns now (the merged
    subject, with the ids it absorbed, for "merged")."""

    judgement: Judgement
    row: int
    result: JudgementResult
    subject_id: str | None = None
    absorbed: tuple[str, ...] = ()


def _pair_of(j: Judgement) -> tuple[str, str]:
    return _pair_of_keys(j.left, j.right)


def _pair_of_keys(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _batch_order(history: Sequence[Judgement], rows: range, batch_rows: int) -> list[int]:
    """The order `rows` act in: those the batch files reflect (below `batch_rows`) as batch clustering takes
    them, together: every "no match" first, then the rest, so a run of "match" rows cannot join a pair a later
    "no match" keeps apart (match A-B, match B-C, then no match A-C: batch keeps A and C apart and refuses
    B-C); the rows after them one by one, as they came."""
    together = [r for r in rows if r < batch_rows]
    together.sort(key=lambda r: history[r].verdict != "no_match")  # stable: row order within each kind
    return together + [r for r in rows if r >= batch_rows]


def _sorted_by_key(table: pa.Table) -> pa.Table:
    keys = pc.binary_join_element_wise(table["source"], table["record_id"], "|")
    if len(keys) < 2 or pc.all(pc.less_equal(keys[:-1], keys[1:])).as_py():
        return table  # clusters.parquet is written in key order: taking every column again cost seconds at 1M
    return table.take(pc.sort_indices(keys))


class IncrementalLinker:
    """The linkage of a directory written by `ilos link`, kept in memory and grown record by record."""

    def __init__(
        self, linkage_dir: Path, score_floor: float = 0.001, take_in_judgements: bool = True
    ) -> None:
        """With `take_in_judgements` false, no judgement is applied until the caller `take_in`s them (the
        worker does, interleaved with its journal's records as they were linked)."""
        self.dir = linkage_dir
        summary = _read_json(linkage_dir / linkage.SUMMARY_FILE)
        made_by = summary.get("model_version")
        if made_by != model_spec.MODEL_VERSION:
            raise ConflictError(
                f"{linkage_dir} was linked by model {made_by or '(not recorded)'}, and this release "
                f"standardizes and scores records as {model_spec.MODEL_VERSION}: re-run `ilos link` before "
                "linking records into it"
            )
        self.choice = ThresholdChoice(**summary["threshold"])
        self.rules = ClusteringRules(threshold=self.choice.threshold)
        self.score_floor = score_floor
        self.groups = {name: g for g, name in enumerate(sorted(summary.get("restricted_sources", [])))}
        records = _sorted_by_key(pq.read_table(linkage_dir / linkage.RECORDS_FILE))
        model = _read_json(linkage_dir / linkage.MODEL_FILE)
        constraints = constraint_columns(records)
        self.scorer = PairScorer(model, term_frequency_tables(records, tf_columns_of(model)))
        self._level_columns = [
            (c.gamma_column, c.weight_column, c.tf_weight_column) for c in self.scorer.comparisons
        ]  # each comparison's columns in links.parquet, named once rather than per pair
        self.store = RecordStore(records)
        del records
        self.forest, self.subject_of_root = self._load_clusters(constraints)
        # The ids subjects hold at load, as sorted 64-bit hashes (8 bytes each, not a set of a million strings),
        # and those founded since: a new record's id must be no standing subject's (a record a re-run dropped
        # and an add brings back would otherwise found a second subject under its old subject's id).
        self._loaded_ids = HashRuns(np.fromiter(map(text_hash, self.subject_of_root.values()), np.uint64))
        self._founded_ids: set[str] = set()
        self.index = CandidateIndex(self.store)
        self.blocked: dict[int, set[int]] = defaultdict(set)
        self.support: dict[tuple[int, int], list[int]] = {}
        self.judged_later: dict[str, dict[str, str]] = defaultdict(dict)
        """Judgements ("match" or "no_match") on pairs with a record not yet in the store, by both records: one
        the worker linked after the batch run, which its journal's replay links again after this load."""
        self.judgements_seen = 0
        """How many rows of the judgements file (`judgement_history`, oldest first) have been taken in."""
        self.judgements_applied = int(summary.get(linkage.JUDGEMENTS_APPLIED_KEY, 0))
        """How many rows the batch files reflect (`LinkageSummary.judgements_applied`): taken in as batch took
        them, the latest verdict per pair only."""
        self._batch_latest: tuple[int, dict[tuple[str, str], int]] = (0, {})
        self._outcome = ClusteringOutcome(labels=np.zeros(0, dtype=np.int64))
        self._load_constraints()
        self.refused_at_load: list[RefusedMatch] = []
        """The "match" judgements made since the batch run that could not be honoured at load: those the run's
        clustering refuses too (`_recluster`)."""
        if take_in_judgements:  # `ilos link add`, which writes batch files: every row as a batch run takes it
            history = judgement_history(linkage_dir)
            taken = self.take_in(history, as_batch=True)
            refused = [o for o in taken[self.judgements_applied :] if o.result == "refused"]
            self.refused_at_load = self._recluster(history, refused) if refused else []
        # The store's millions of long-lived values would make every full cyclic collection walk them all
        # (pauses of up to a second at 1M persons, in the middle of some record's link): move everything
        # alive now out of the collector's reach. Reference counting still frees them.
        gc.collect()
        gc.freeze()

    def _load_clusters(self, constraints: dict[str, Any]) -> tuple[ClusterForest, dict[int, str]]:
        clusters = _sorted_by_key(pq.read_table(self.dir / linkage.CLUSTERS_FILE))
        if clusters.num_rows != len(self.store):
            raise ConflictError(
                f"{self.dir}: clusters.parquet holds {clusters.num_rows:,} records but records.parquet "
                f"{len(self.store):,}; re-run `ilos link` to repair the linkage"
            )
        sources = clusters["source"].to_pylist()
        subjects = pc.dictionary_encode(clusters["subject_id"]).combine_chunks()
        labels = subjects.indices.to_numpy(zero_copy_only=False)
        forest = ClusterForest.of_clusters(labels, [self.groups.get(s, -1) for s in sources], **constraints)
        parents = np.frombuffer(forest.parent, dtype=np.int32)  # each node's root, as the forest chose it
        roots = np.flatnonzero(parents == np.arange(len(parents)))
        names = subjects.dictionary.take(pa.array(labels[roots])).to_pylist()
        return forest, dict(zip(roots.tolist(), names, strict=True))

    def _load_constraints(self) -> None:
        links = pq.read_table(
            self.dir / linkage.LINKS_FILE, columns=["unique_id_l", "unique_id_r", "household_conflict"]
        )
        links = links.filter(links["household_conflict"])
        pairs = list(zip(links["unique_id_l"].to_pylist(), links["unique_id_r"].to_pylist(), strict=True))
        for a, b in pairs:
            na, nb = self.store.find(a), self.store.find(b)
            if na is not None and nb is not None:
                self._block(na, nb)

    def take_in(
        self, history: Sequence[Judgement], upto: int | None = None, as_batch: bool = False
    ) -> list[JudgementOutcome]:
        """Apply the rows of `history` (every judgement row, oldest first) not taken in yet, up to row `upto`
        (all when None), in order. The rows the batch files reflect (the first `judgements_applied`; every row
        with `as_batch`) are taken in as a batch run takes them, all together at the first call that reaches
        one of them (whatever `upto`: a replayed journal line's count may stop among them): only each pair's
        latest among them acts, every "no match" before the matches (`_batch_order`), and an earlier one is
        passed over ("superseded"), so a "match" a later "no match" replaced joins nothing.
        A row after them acts as it comes, as it did in the running worker: a "match" joins two subjects for
        good (a union-find cannot split them) and a later "no match" on the pair can only keep them together;
        `identity_pending` holds both until a batch run honours the later verdict."""
        wanted = len(history) if upto is None else upto
        if len(history) < max(wanted, self.judgements_seen):
            raise ConflictError(
                f"{self.dir / JUDGEMENTS_FILE} holds {len(history):,} judgements, fewer than the "
                f"{max(wanted, self.judgements_seen):,} already taken in (the journal places each judgement by its "
                "row): it was replaced by an older copy; restore the file it replaced"
            )
        batch_rows = wanted if as_batch else min(self.judgements_applied, len(history))
        if self.judgements_seen < batch_rows:  # the rows the batch files reflect act together, all at once:
            wanted = max(
                wanted, batch_rows
            )  # replay's first line may ask for a few (`upto`), the run took all
        latest = self._latest_among(history, batch_rows) if self.judgements_seen < batch_rows else {}
        rows = range(self.judgements_seen, max(wanted, self.judgements_seen))
        outcomes = {}
        for row in _batch_order(history, rows, batch_rows):
            j = history[row]
            if row < batch_rows and latest[_pair_of(j)] != row:
                outcomes[row] = JudgementOutcome(j, row, "superseded")
            else:
                outcomes[row] = self._apply(j, row)
        self.judgements_seen = rows.stop
        return [outcomes[row] for row in rows]

    def _latest_among(self, history: Sequence[Judgement], rows: int) -> dict[tuple[str, str], int]:
        """Each pair's latest row among the first `rows` (kept: replay asks once per journal line)."""
        if self._batch_latest[0] != rows:
            self._batch_latest = (rows, latest_rows(history, rows))
        return self._batch_latest[1]

    def _apply(self, j: Judgement, row: int) -> JudgementOutcome:
        """A judgement on two linked records acts on their subjects now; one on a record not linked yet waits
        for that record's link (`_judged_with`). A judgement made before the batch run changes nothing here:
        batch clustering honoured it already."""
        na, nb = self.store.find(j.left), self.store.find(j.right)
        if na is None or nb is None:
            if j.verdict == "unsure":  # the latest word on the pair decides nothing
                self.judged_later.get(j.left, {}).pop(j.right, None)
                self.judged_later.get(j.right, {}).pop(j.left, None)
            else:
                self.judged_later[j.left][j.right] = self.judged_later[j.right][j.left] = j.verdict
            return JudgementOutcome(j, row, "pending")
        together = self.forest.find(na) == self.forest.find(nb)
        subject = self.subject_of_root[self.forest.find(na)]
        if j.verdict == "no_match":
            self._block(na, nb)
            return JudgementOutcome(j, row, "kept_together" if together else "kept_apart", subject)
        if j.verdict == "unsure" or together:
            return JudgementOutcome(j, row, "undecided" if j.verdict == "unsure" else "one_subject", subject)
        self.blocked.get(na, set()).discard(nb)  # a person's "match" outweighs an earlier "no match" or a
        self.blocked.get(nb, set()).discard(na)  # household rule on the pair
        merged = try_merge(
            self.forest, self.blocked, na, nb, self._outcome, -1, True, self.support, self.rules, 1.0
        )
        if not isinstance(merged, Merge):
            return JudgementOutcome(j, row, "refused", subject)
        absorbed = tuple(self._rename(merged, ""))
        return JudgementOutcome(j, row, "merged", self.subject_of_root[merged.survivor], absorbed)

    def _recluster(
        self, history: Sequence[Judgement], refused: Sequence[JudgementOutcome]
    ) -> list[RefusedMatch]:
        """Honour the "match" judgements made since the batch run that could not join whole subjects as a run
        honours them: their subjects (and those other matches join to them) are clustered again over their
        stored links (`recluster`), so a record only scored links held beside one of the two may leave (a
        household conflict of it with the other, say) where the run would keep it out. Returns those a run
        refuses too."""
        latest = latest_rows(history)
        judged = [history[row] for row in latest.values()]
        roots = judged_subjects(self.forest, self.store, [o.judgement for o in refused], judged)
        nodes = sorted((n for root in roots for n in self.forest.members(root)), key=self.store.key)
        keys = [self.store.key(n) for n in nodes]
        own = [
            {"group": self._group_of(key), **node_constraints(self.store.get(n))}
            for n, key in zip(nodes, keys, strict=True)
        ]
        outcome = recluster(self.dir / linkage.LINKS_FILE, keys, own, judged, self.rules)
        self._regroup(
            roots, dict(zip(nodes, own, strict=True)), dict(zip(nodes, keys, strict=True)), outcome.labels
        )
        since = {pair for pair, row in latest.items() if row >= self.judgements_applied}
        return [
            RefusedMatch(keys[a], keys[b], refusal)
            for a, b, refusal in outcome.refused_must_links
            if _pair_of_keys(keys[a], keys[b]) in since
        ]

    def _regroup(
        self, roots: set[int], own: dict[int, dict[str, Any]], keys: dict[int, str], labels: np.ndarray
    ) -> None:
        """The subjects `roots` replaced by the clusters `labels` gives their records (`own` and `keys` by node,
        in node order): each takes the id of the old subject that held most of its records, as a run names
        them (`assign_stable_ids`), or a new one. The add records the moves as merges and splits."""
        previous = {key: self.subject_of_root[self.forest.find(node)] for node, key in keys.items()}
        clusters: dict[int, list[int]] = defaultdict(list)
        for node, label in zip(keys, labels.tolist(), strict=True):
            clusters[label].append(node)
        new_roots = self.forest.regroup(list(clusters.values()), own)
        names, _ = assign_stable_ids({c: [keys[n] for n in nodes] for c, nodes in clusters.items()}, previous)
        for root in roots:
            del self.subject_of_root[root]
        for (label, nodes), root in zip(clusters.items(), new_roots, strict=True):
            kept = names[label] in previous.values()
            self.subject_of_root[root] = names[label] if kept else self._unused_id([keys[n] for n in nodes])

    def _group_of(self, key: str) -> int:
        """The record's one-record-per-entity source as the forest numbers it, or -1."""
        return self.groups.get(key.split("|", 1)[0], -1)

    def _block(self, a: int, b: int) -> None:
        self.blocked[a].add(b)
        self.blocked[b].add(a)

    def subject_of(self, record: str) -> str:
        node = self.store.find(record)
        if node is None:
            raise NotFoundError(f"Record {record} is not in this linkage")
        return self.subject_of_root[self.forest.find(node)]

    def link(self, rec: dict[str, Any]) -> LinkOutcome:
        """Score a new standardized record against its candidates and join, merge or found a subject."""
        started = time.perf_counter()
        uid = record_key(rec["source"], rec["record_id"])
        if self.store.find(uid) is not None:
            raise ConflictError(f"Record {uid} is already linked; a correction needs a new record id")
        node = self.store.append(rec)
        rec = self.store.get(node)
        keys = self.index.rule_keys(rec)
        candidates = self.index.candidates(keys)
        self.forest.add_node(self._group_of(uid), **node_constraints(rec))
        self.index.add(node, keys)
        self.subject_of_root[node] = self._unused_id([uid])
        judged = self._judged_with(uid, node)
        edges = self._score(rec, candidates)
        subject, absorbed, merging, refused = self._cluster(node, edges, judged)
        size = self.forest.size[self.forest.find(node)]
        action = "merged" if absorbed else ("new" if size == 1 else "joined")
        scored = tuple(e for _, e in edges)
        carried = frozenset(e.other for other, e in edges if other in merging)
        seconds = time.perf_counter() - started
        return LinkOutcome(
            uid, subject, action, tuple(absorbed), len(candidates), scored, seconds, carried, refused
        )

    def _judged_with(self, uid: str, node: int) -> list[int]:
        """Apply the judgements on pairs of this record and one already in the store: a "no match" blocks
        their subjects from meeting; returns the records judged "match", to be joined first."""
        must = []
        for other, verdict in self.judged_later.pop(uid, {}).items():
            found = self.store.find(other)
            if found is None:  # linked later: its own link applies the judgement
                continue
            if verdict == "no_match":
                self._block(node, found)
            else:
                must.append(found)
        return must

    def _score(self, rec: dict[str, Any], candidates: set[int]) -> list[tuple[int, ScoredEdge]]:
        out = []
        for other in sorted(candidates):
            other_rec = self.store.get(other)
            score = self.scorer.score(rec, other_rec)
            probability = score.match_probability
            if probability < self.score_floor:
                continue
            conflict = model_spec.is_household_conflict(rec, other_rec, score.gammas[1])
            edge = ScoredEdge(self.store.key(other), probability, score, conflict)
            out.append((other, edge))
        out.sort(key=lambda item: (-round(item[1].probability, 12), item[1].other))
        return out

    def _unused_id(self, members: Sequence[str]) -> str:
        """A new subject's id from its records (`unused_subject_id`), salted while a subject holds it already (a
        hash shared with another id only salts it needlessly)."""
        candidate = unused_subject_id(members, self._is_taken)
        self._founded_ids.add(candidate)
        return candidate

    def _is_taken(self, subject_id: str) -> bool:
        return subject_id in self._founded_ids or bool(self._loaded_ids.run(text_hash(subject_id)))

    def _cluster(
        self, node: int, edges: list[tuple[int, ScoredEdge]], judged_match: list[int]
    ) -> tuple[str, list[str], set[int], tuple[RefusedMatch, ...]]:
        """Merge along the record's edges, after joining the records a person judged "match" with it (as batch
        clustering joins its must-links first, unless a constraint forbids it); returns its subject, the
        subject ids it absorbed, the nodes whose edge carried a merge (`clustering.merge_record`), and the
        "match" judgements a constraint refused."""
        provisional = self.subject_of_root[node]
        for other, edge in edges:
            if edge.household_conflict and other not in judged_match:
                self._block(node, other)
        merges, refused = self._join_judged(node, judged_match)
        linked, merging = merge_record(
            self.forest, self.blocked, node, [(other, e.probability) for other, e in edges], self._outcome,
            self.support, self.rules,
        )  # fmt: skip
        merges += linked
        absorbed = [lost for merge in merges for lost in self._rename(merge, provisional)]
        return self.subject_of_root[self.forest.find(node)], absorbed, merging, refused

    def _join_judged(
        self, node: int, judged_match: list[int]
    ) -> tuple[list[Merge], tuple[RefusedMatch, ...]]:
        """Join the incoming record's subject with those of the records judged "match" with it; returns the
        merges, and the judgements a constraint refused (whole subjects: a run may move records to honour
        them), which `ilos link add` names."""
        merges: list[Merge] = []
        refused = []
        for other in judged_match:
            forced = try_merge(
                self.forest, self.blocked, node, other, self._outcome, -1, True, self.support, self.rules, 1.0
            )
            if isinstance(forced, Merge):
                merges.append(forced)
            elif forced != "same_cluster":
                left, right = sorted((self.store.key(node), self.store.key(other)))
                refused.append(RefusedMatch(left, right, forced, whole_subjects=True))
        return merges, tuple(refused)

    def _rename(self, merge: Merge, provisional: str) -> list[str]:
        """The merged subject keeps an established id (the larger subject's when two meet); the incoming
        record's provisional id never survives a merge. Returns the established id that was absorbed."""
        kept, lost = self.subject_of_root.pop(merge.survivor), self.subject_of_root.pop(merge.absorbed)
        if kept == provisional:
            kept, lost = lost, kept
        self.subject_of_root[merge.survivor] = kept
        return [] if lost == provisional else [lost]

    def link_row(self, record: str, edge: ScoredEdge, merging: bool) -> dict[str, Any]:
        """One scored pair as a row of links.parquet (`links_schema`), decided as batch decides it, with the
        subjects as they are now: the worker calls it as each record is linked, `ilos link add` after all."""
        source_l, record_id_l = record.split("|", 1)
        source_r, record_id_r = edge.other.split("|", 1)
        row: dict[str, Any] = {
            "source_l": source_l, "record_id_l": record_id_l, "source_r": source_r, "record_id_r": record_id_r,
            "unique_id_l": record, "unique_id_r": edge.other,
            "match_probability": edge.probability, "match_weight": edge.score.match_weight,
        }  # fmt: skip
        score = edge.score
        parts = zip(self._level_columns, score.gammas, score.weights, score.tf_weights, strict=True)
        for (gamma_column, weight_column, tf_column), gamma, weight, tf_weight in parts:
            row[gamma_column] = gamma
            row[weight_column] = weight
            if tf_column:
                row[tf_column] = tf_weight
        same = self.subject_of(record) == self.subject_of(edge.other)
        row["household_conflict"] = edge.household_conflict
        kept_apart = source_l == source_r and source_l in self.groups  # one record per entity of that source
        row["decision"] = linkage.decision_for(
            edge.probability, same, edge.household_conflict, False, self.choice, merging, kept_apart
        )
        row["same_subject"] = same
        return row

    def link_rows(self, outcome: LinkOutcome) -> list[dict[str, Any]]:
        """The pairs one record was scored in, as links.parquet rows decided now (`link_row`)."""
        return [self.link_row(outcome.record, e, e.other in outcome.merging) for e in outcome.edges]

    def links_table(self, outcomes: Iterable[LinkOutcome]) -> pa.Table:
        """The pairs these records were scored in, in the shape of links.parquet, decided now."""
        rows = [row for outcome in outcomes for row in self.link_rows(outcome)]
        return pa.Table.from_pylist(rows, schema=links_schema())

    def clusters_table(self) -> pa.Table:
        n = len(self.store)
        keys = [self.store.key(i) for i in range(n)]
        return pa.table(
            {
                "source": [k.split("|", 1)[0] for k in keys],
                "record_id": [k.split("|", 1)[1] for k in keys],
                "subject_id": [self.subject_of_root[self.forest.find(i)] for i in range(n)],
            }
        )

    def memory_bytes(self) -> int:
        """The index's own arrays (record codes and blocking keys), for the benchmark."""
        return self.store.nbytes() + self.index.nbytes()


def links_schema() -> pa.Schema:
    """The columns of links.parquet, as Splink writes them in batch and `link_row` builds them."""
    columns = [(name, pa.string()) for name in LINK_KEY_COLUMNS]
    columns += [("match_probability", pa.float64()), ("match_weight", pa.float64())]
    for comparison in model_spec.comparisons():
        columns += [(comparison.gamma_column, pa.int32()), (comparison.weight_column, pa.float64())]
        if comparison.tf_weight_column:
            columns.append((comparison.tf_weight_column, pa.float64()))
    columns += [("household_conflict", pa.bool_()), ("decision", pa.string()), ("same_subject", pa.bool_())]
    return pa.schema(columns)


LINK_KEY_COLUMNS = ("source_l", "record_id_l", "source_r", "record_id_r", "unique_id_l", "unique_id_r")


def term_frequency_tables(records: pa.Table, columns: Iterable[str]) -> dict[str, dict[Any, float]]:
    """Each column's values' shares of its non-null values (`scoring.term_frequencies`), counted by DuckDB:
    `name_key` is derived as the model's input derives it (`engine.NAME_KEY_SQL`)."""
    expressions = {"name_key": engine.NAME_KEY_SQL}
    tables = {}
    with duckdb.connect() as con:
        con.register("records", records)
        for column in sorted(columns):
            value = expressions.get(column, f'"{column}"')
            counts = con.sql(
                f"SELECT v, count(*) FROM (SELECT {value} AS v FROM records) WHERE v IS NOT NULL GROUP BY v"  # noqa: S608 - model columns
            ).fetchall()
            total = max(sum(n for _, n in counts), 1)
            tables[column] = {v: n / total for v, n in counts}
    return tables


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise NotFoundError(f"No linkage file {path}; run `ilos link CONFIG --out {path.parent}` first")
    data: dict[str, Any] = json.loads(path.read_text())
    return data
