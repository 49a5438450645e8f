"""Incremental linking: one incoming record at a time against an existing linkage, with no Splink run.

Candidates come from the in-memory blocking index, scores from the trained model applied in Python
(`scoring.PairScorer`, which reproduces Splink's), and merges from the same constrained clustering the
batch run uses (`clustering.merge_record`, through `try_merge`), so the near-real-time path and the batch path agree.
"""

from __future__ import annotations

import gc
import json
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ilos.errors import ConflictError, NotFoundError
from ilos.resolve import linkage, model_spec
from ilos.resolve.candidates import CandidateIndex
from ilos.resolve.clustering import (
    ClusterForest,
    ClusteringOutcome,
    ClusteringRules,
    Merge,
    constraint_columns,
    merge_record,
    node_constraints,
)
from ilos.resolve.judgements import read_judgements
from ilos.resolve.record_store import RecordStore
from ilos.resolve.records import record_key
from ilos.resolve.scoring import PairScore, PairScorer, tf_columns_of
from ilos.resolve.stable_ids import fresh_subject_id
from ilos.resolve.threshold import ThresholdChoice


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


def _sorted_by_key(table: pa.Table) -> pa.Table:
    keys = pc.binary_join_element_wise(table["source"], table["record_id"], "|")
    return table.take(pc.sort_indices(keys))


class IncrementalLinker:
    """The linkage of a directory written by `ilos link`, kept in memory and grown record by record."""

    def __init__(self, linkage_dir: Path, score_floor: float = 0.001) -> None:
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
        self.store = RecordStore(records)
        del records
        self.forest, self.subject_of_root = self._load_clusters(constraints)
        self.index = CandidateIndex(self.store)
        self.blocked: dict[int, set[int]] = defaultdict(set)
        self.support: dict[tuple[int, int], list[int]] = {}
        self._load_constraints()
        self.new_edges: list[tuple[str, ScoredEdge, bool]] = []  # (record, edge, whether it carried a merge)
        self._outcome = ClusteringOutcome(labels=np.zeros(0, dtype=np.int64))
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
        _, first_nodes = np.unique(labels, return_index=True)  # each subject's root: its first node
        names = subjects.dictionary.take(pa.array(labels[first_nodes])).to_pylist()
        return forest, dict(zip(first_nodes.tolist(), names, strict=True))

    def _load_constraints(self) -> None:
        links = pq.read_table(
            self.dir / linkage.LINKS_FILE, columns=["unique_id_l", "unique_id_r", "household_conflict"]
        )
        links = links.filter(links["household_conflict"])
        pairs = list(zip(links["unique_id_l"].to_pylist(), links["unique_id_r"].to_pylist(), strict=True))
        pairs += [(j.left, j.right) for j in read_judgements(self.dir) if j.verdict == "no_match"]
        for a, b in pairs:
            na, nb = self.store.find(a), self.store.find(b)
            if na is not None and nb is not None:
                self._block(na, nb)

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
        self.forest.add_node(self.groups.get(rec["source"], -1), **node_constraints(rec))
        self.index.add(node, keys)
        self.subject_of_root[node] = fresh_subject_id([uid])
        edges = self._score(rec, candidates)
        subject, absorbed, merging = self._cluster(node, edges)
        size = self.forest.size[self.forest.find(node)]
        action = "merged" if absorbed else ("new" if size == 1 else "joined")
        scored = tuple(e for _, e in edges)
        self.new_edges.extend((uid, e, other in merging) for other, e in edges)
        seconds = time.perf_counter() - started
        return LinkOutcome(uid, subject, action, tuple(absorbed), len(candidates), scored, seconds)

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

    def _cluster(self, node: int, edges: list[tuple[int, ScoredEdge]]) -> tuple[str, list[str], set[int]]:
        """Merge along the record's edges; returns its subject, the subject ids it absorbed, and the nodes
        whose edge carried a merge (`clustering.merge_record`)."""
        provisional = self.subject_of_root[node]
        for other, edge in edges:
            if edge.household_conflict:
                self._block(node, other)
        merges, merging = merge_record(
            self.forest, self.blocked, node, [(other, e.probability) for other, e in edges], self._outcome,
            self.support, self.rules,
        )  # fmt: skip
        absorbed = [lost for merge in merges for lost in self._rename(merge, provisional)]
        return self.subject_of_root[self.forest.find(node)], absorbed, merging

    def _rename(self, merge: Merge, provisional: str) -> list[str]:
        """The merged subject keeps an established id (the larger subject's when two meet); the incoming
        record's provisional id never survives a merge. Returns the established id that was absorbed."""
        kept, lost = self.subject_of_root.pop(merge.survivor), self.subject_of_root.pop(merge.absorbed)
        if kept == provisional:
            kept, lost = lost, kept
        self.subject_of_root[merge.survivor] = kept
        return [] if lost == provisional else [lost]

    def new_links_table(self) -> pa.Table:
        """The pairs scored since loading, in the shape of links.parquet, decided as batch decides them."""
        rows = []
        for uid, e, merging in self.new_edges:
            same = self.subject_of(uid) == self.subject_of(e.other)
            row: dict[str, Any] = {
                "source_l": uid.split("|", 1)[0],
                "record_id_l": uid.split("|", 1)[1],
                "source_r": e.other.split("|", 1)[0],
                "record_id_r": e.other.split("|", 1)[1],
                "unique_id_l": uid,
                "unique_id_r": e.other,
                "match_probability": e.probability,
                "match_weight": e.score.match_weight,
            }
            parts = zip(
                self.scorer.comparisons, e.score.gammas, e.score.weights, e.score.tf_weights, strict=True
            )
            for comparison, gamma, weight, tf_weight in parts:
                row[f"gamma_{comparison.name}"] = gamma
                row[comparison.weight_column] = weight
                if comparison.tf_weight_column:
                    row[comparison.tf_weight_column] = tf_weight
            row["household_conflict"] = e.household_conflict
            row["decision"] = linkage.decision_for(
                e.probability, same, e.household_conflict, False, self.choice, merging
            )
            row["same_subject"] = same
            rows.append(row)
        return pa.Table.from_pylist(rows)

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


def term_frequency_tables(records: pa.Table, columns: Iterable[str]) -> dict[str, dict[Any, float]]:
    """Each column's values' shares of its non-null values (`scoring.term_frequencies`), counted by DuckDB:
    `name_key` is derived as `records.name_key_of` derives it (sorted name keys joined by spaces)."""
    expressions = {
        "name_key": "CASE WHEN len(name_keys) > 0 THEN array_to_string(list_sort(name_keys), ' ') END"
    }
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
