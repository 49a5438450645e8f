"""Incremental linking: one incoming record at a time against an existing linkage, with no Splink run.

Candidates come from the in-memory blocking index, scores from the trained model applied in Python
(`scoring.PairScorer`, which reproduces Splink's), and merges from the same constrained clustering the
batch run uses (`clustering.try_merge`), so the near-real-time path and the batch path agree.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ilos.errors import ConflictError, NotFoundError
from ilos.resolve import linkage, model_spec
from ilos.resolve.candidates import CandidateIndex
from ilos.resolve.clustering import ClusterForest, ClusteringOutcome, ClusteringRules, try_merge
from ilos.resolve.judgements import read_judgements
from ilos.resolve.records import record_dicts, record_key
from ilos.resolve.scoring import PairScorer, term_frequencies
from ilos.resolve.stable_ids import fresh_subject_id
from ilos.resolve.threshold import ThresholdChoice


@dataclass(frozen=True, slots=True)
class ScoredEdge:
    other: str
    probability: float
    match_weight: float
    gammas: tuple[int, ...]
    weights: tuple[float, ...]
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


@dataclass(slots=True)
class _State:
    ids: list[str]
    recs: list[dict[str, Any]]
    sources: list[str]
    subject_of_root: dict[int, str]
    blocked: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    support: dict[tuple[int, int], int] = field(default_factory=dict)


class IncrementalLinker:
    """The linkage of a directory written by `ilos link`, kept in memory and grown record by record."""

    def __init__(self, linkage_dir: Path) -> None:
        self.dir = linkage_dir
        summary = _read_json(linkage_dir / linkage.SUMMARY_FILE)
        self.rules = ClusteringRules(threshold=float(summary["threshold"]["threshold"]))
        self.score_floor = 0.001
        restricted = sorted(summary.get("restricted_sources", []))
        self.groups = {name: g for g, name in enumerate(restricted)}
        records = pq.read_table(linkage_dir / linkage.RECORDS_FILE)
        by_key = record_dicts(records)
        model = _read_json(linkage_dir / linkage.MODEL_FILE)
        self.scorer = PairScorer(model, {})
        self.scorer = PairScorer(model, term_frequencies(by_key.values(), self.scorer.tf_columns))
        self.state, self.forest = self._load_clusters(by_key)
        self.index = CandidateIndex()
        for node, rec in enumerate(self.state.recs):
            self.index.add(node, rec)
        self._load_constraints()
        self.new_edges: list[tuple[str, ScoredEdge]] = []
        self.outcome = ClusteringOutcome(labels=pa.array([], pa.int64()).to_numpy())

    def _load_clusters(self, by_key: dict[str, dict[str, Any]]) -> tuple[_State, ClusterForest]:
        clusters = pq.read_table(self.dir / linkage.CLUSTERS_FILE).to_pylist()
        ids = [record_key(c["source"], c["record_id"]) for c in clusters]
        missing = [i for i in ids if i not in by_key]
        if missing:
            raise ConflictError(
                f"{len(missing)} clustered records lack standardized values (e.g. {missing[0]})"
            )
        recs = [by_key[i] for i in ids]
        sources = [c["source"] for c in clusters]
        forest = ClusterForest([self.groups.get(s, -1) for s in sources])
        first_of: dict[str, int] = {}
        for node, c in enumerate(clusters):
            first = first_of.setdefault(c["subject_id"], node)
            if first != node:
                forest.union(forest.find(first), forest.find(node))
        subject_of_root = {forest.find(node): sid for sid, node in first_of.items()}
        return _State(ids, recs, sources, subject_of_root), forest

    def _load_constraints(self) -> None:
        index = {uid: i for i, uid in enumerate(self.state.ids)}
        links = pq.read_table(
            self.dir / linkage.LINKS_FILE, columns=["unique_id_l", "unique_id_r", "household_conflict"]
        )
        for a, b, conflict in zip(*(links[c].to_pylist() for c in links.column_names), strict=True):
            if conflict and a in index and b in index:
                self._block(index[a], index[b])
        for j in read_judgements(self.dir):
            if j.verdict == "no_match" and j.left in index and j.right in index:
                self._block(index[j.left], index[j.right])

    def _block(self, a: int, b: int) -> None:
        self.state.blocked[a].add(b)
        self.state.blocked[b].add(a)

    def subject_of(self, record: str) -> str:
        node = self._node_cache().get(record)
        if node is None:
            raise NotFoundError(f"Record {record} is not in this linkage")
        return self.state.subject_of_root[self.forest.find(node)]

    def _node_cache(self) -> dict[str, int]:
        if len(getattr(self, "_nodes", {})) != len(self.state.ids):
            self._nodes = {uid: i for i, uid in enumerate(self.state.ids)}
        return self._nodes

    def link(self, rec: dict[str, Any]) -> LinkOutcome:
        """Score a new standardized record against its candidates and join, merge or found a subject."""
        started = time.perf_counter()
        uid = record_key(rec["source"], rec["record_id"])
        if uid in self._node_cache():
            raise ConflictError(f"Record {uid} is already linked; a correction needs a new record id")
        rec = {**rec, "name_key": " ".join(sorted(rec.get("name_keys") or []))}
        candidates = self.index.candidates(rec)
        node = self._add_node(uid, rec)
        edges = self._score(rec, candidates)
        survivor_subject, absorbed = self._cluster(node, edges)
        action = (
            "merged" if absorbed else ("new" if self.forest.size[self.forest.find(node)] == 1 else "joined")
        )
        scored = tuple(e for _, e in edges)
        self.new_edges.extend((uid, e) for e in scored)
        return LinkOutcome(
            uid,
            survivor_subject,
            action,
            tuple(absorbed),
            len(candidates),
            scored,
            time.perf_counter() - started,
        )

    def _add_node(self, uid: str, rec: dict[str, Any]) -> int:
        node = self.forest.add_node(self.groups.get(rec["source"], -1))
        self.state.ids.append(uid)
        self.state.recs.append(rec)
        self.state.sources.append(rec["source"])
        self._node_cache()[uid] = node
        self.index.add(node, rec)
        self.state.subject_of_root[node] = fresh_subject_id([uid])
        return node

    def _score(self, rec: dict[str, Any], candidates: set[int]) -> list[tuple[int, ScoredEdge]]:
        out = []
        for other in sorted(candidates):
            score = self.scorer.score(rec, self.state.recs[other])
            probability = score.match_probability
            if probability < self.score_floor:
                continue
            dob_gamma = score.gammas[1]
            conflict = model_spec.is_household_conflict(rec, self.state.recs[other], dob_gamma)
            out.append(
                (
                    other,
                    ScoredEdge(
                        self.state.ids[other],
                        probability,
                        score.match_weight,
                        score.gammas,
                        score.weights,
                        conflict,
                    ),
                )
            )
        out.sort(key=lambda item: -item[1].probability)
        return out

    def _cluster(self, node: int, edges: list[tuple[int, ScoredEdge]]) -> tuple[str, list[str]]:
        provisional = self.state.subject_of_root[node]
        for other, edge in edges:
            if edge.household_conflict:
                self._block(node, other)
        absorbed: list[str] = []
        for other, edge in edges:
            if edge.probability < self.rules.threshold:
                break
            merged = try_merge(
                self.forest, self.state.blocked, node, other, self.outcome, -1, False, self.state.support,
                self.rules, edge.probability,
            )  # fmt: skip
            if merged is not None:
                absorbed.extend(self._rename(*merged, provisional))
        return self.state.subject_of_root[self.forest.find(node)], absorbed

    def _rename(self, survivor: int, gone: int, provisional: str) -> list[str]:
        """The merged subject keeps an established id (the larger subject's when two meet); the incoming
        record's provisional id never survives a merge. Returns the established id that was absorbed."""
        kept, lost = self.state.subject_of_root.pop(survivor), self.state.subject_of_root.pop(gone)
        if kept == provisional:
            kept, lost = lost, kept
        self.state.subject_of_root[survivor] = kept
        return [] if lost == provisional else [lost]

    def threshold_choice(self) -> ThresholdChoice:
        return ThresholdChoice(**_read_json(self.dir / linkage.SUMMARY_FILE)["threshold"])

    def new_links_table(self) -> pa.Table:
        """The pairs scored since loading, in the shape of links.parquet, decided as batch decides them."""
        choice = self.threshold_choice()
        names = [c.name for c in self.scorer.comparisons]
        rows = []
        for uid, e in self.new_edges:
            same = self.subject_of(uid) == self.subject_of(e.other)
            row: dict[str, Any] = {
                "source_l": uid.split("|", 1)[0],
                "record_id_l": uid.split("|", 1)[1],
                "source_r": e.other.split("|", 1)[0],
                "record_id_r": e.other.split("|", 1)[1],
                "unique_id_l": uid,
                "unique_id_r": e.other,
                "match_probability": e.probability,
                "match_weight": e.match_weight,
            }
            for name, gamma, weight in zip(names, e.gammas, e.weights, strict=True):
                row[f"gamma_{name}"] = gamma
                row[f"mw_{name}"] = weight
            row["household_conflict"] = e.household_conflict
            row["decision"] = linkage.decision_for(e.probability, same, e.household_conflict, False, choice)
            row["same_subject"] = same
            rows.append(row)
        return pa.Table.from_pylist(rows)

    def clusters_table(self) -> pa.Table:
        roots = [self.forest.find(i) for i in range(len(self.state.ids))]
        subjects = [self.state.subject_of_root[r] for r in roots]
        return pa.table(
            {
                "source": self.state.sources,
                "record_id": [uid.split("|", 1)[1] for uid in self.state.ids],
                "subject_id": subjects,
            }
        )


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise NotFoundError(f"No linkage file {path}; run `ilos link CONFIG --out {path.parent}` first")
    data: dict[str, Any] = json.loads(path.read_text())
    return data
