"""Constrained clustering of scored pairs: greedy strongest-first merging that honours cannot-link constraints
(one-record-per-entity sources, household conflicts, reviewers' "no match") and resists chaining."""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class ClusteringRules:
    """Knobs of the clustering; defaults are documented in docs/linking.md."""

    threshold: float
    strong: float = 0.9999
    """An edge at least this probable may join two multi-record clusters on its own."""
    support_needed: int = 2
    """Otherwise this many edges between the two clusters are needed (one weak link never joins them)."""


@dataclass(slots=True)
class ClusteringOutcome:
    labels: npt.NDArray[np.int64]
    merged_edges: list[int] = field(default_factory=list)
    refused: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class ClusterForest:
    """Union-find with per-cluster constraint state, compact enough for millions of records: int32 arrays,
    members as a circular linked list (joining two is O(1)), restricted-source sets only where non-empty."""

    def __init__(self, restricted_group: Sequence[int]) -> None:
        n = len(restricted_group)
        self.parent = array("i", range(n))
        self.size = array("i", [1]) * n
        self._next = array("i", range(n))
        self.restricted: dict[int, set[int]] = {i: {g} for i, g in enumerate(restricted_group) if g >= 0}

    def __len__(self) -> int:
        return len(self.parent)

    def add_node(self, group: int) -> int:
        """A new singleton (an incoming record); returns its node id."""
        node = len(self.parent)
        self.parent.append(node)
        self.size.append(1)
        self._next.append(node)
        if group >= 0:
            self.restricted[node] = {group}
        return node

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def members(self, root: int) -> Iterator[int]:
        node = root
        while True:
            yield node
            node = self._next[node]
            if node == root:
                return

    def groups_of(self, root: int) -> set[int]:
        return self.restricted.get(root, _NO_GROUPS)

    def union(self, a: int, b: int) -> int:
        if self.size[a] < self.size[b]:
            a, b = b, a
        self.parent[b] = a
        self.size[a] += self.size[b]
        self._next[a], self._next[b] = self._next[b], self._next[a]
        moved = self.restricted.pop(b, None)
        if moved:
            self.restricted.setdefault(a, set()).update(moved)
        return a


_NO_GROUPS: set[int] = set()


def cluster_edges(
    n_nodes: int,
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    probability: npt.NDArray[np.float64],
    rules: ClusteringRules,
    restricted_group: Sequence[int] | None = None,
    cannot_link: Iterable[tuple[int, int]] = (),
    must_link: Iterable[tuple[int, int]] = (),
) -> ClusteringOutcome:
    """Cluster nodes 0..n-1 from scored edges.

    `restricted_group[i]` is the one-record-per-entity source of node i (or -1): two nodes of one such source
    never share a cluster. `cannot_link` pairs are never joined; `must_link` pairs (reviewer "match") are joined
    first unless that breaks a constraint.
    """
    forest = ClusterForest(restricted_group if restricted_group is not None else [-1] * n_nodes)
    blocked: dict[int, set[int]] = defaultdict(set)
    for a, b in cannot_link:
        blocked[a].add(b)
        blocked[b].add(a)
    outcome = ClusteringOutcome(labels=np.zeros(n_nodes, dtype=np.int64))
    for a, b in must_link:
        try_merge(forest, blocked, a, b, outcome, edge=-1, force=True, support={}, rules=rules, prob=1.0)
    # Ties are broken by edge order (links are sorted by record key), so a re-run merges identically.
    order = np.argsort(-np.round(probability, 12), kind="stable")
    support: dict[tuple[int, int], int] = {}
    for edge in order.tolist():
        prob = float(probability[edge])
        if prob < rules.threshold:
            break
        try_merge(
            forest, blocked, int(left[edge]), int(right[edge]), outcome, edge, False, support, rules, prob
        )
    roots = [forest.find(i) for i in range(n_nodes)]
    _, labels = np.unique(np.asarray(roots, dtype=np.int64), return_inverse=True)
    outcome.labels = labels.astype(np.int64)
    return outcome


def try_merge(
    forest: ClusterForest,
    blocked: dict[int, set[int]],
    a: int,
    b: int,
    outcome: ClusteringOutcome,
    edge: int,
    force: bool,
    support: dict[tuple[int, int], int],
    rules: ClusteringRules,
    prob: float,
) -> tuple[int, int] | None:
    """Join the clusters of a and b unless a constraint forbids it; returns (surviving root, absorbed root)."""
    ra, rb = forest.find(a), forest.find(b)
    if ra == rb:
        return None
    if forest.groups_of(ra) & forest.groups_of(rb):
        outcome.refused["one_record_per_entity"] += 1
        return None
    if _violates_cannot_link(forest, blocked, ra, rb):
        outcome.refused["cannot_link"] += 1
        return None
    if not force and forest.size[ra] > 1 and forest.size[rb] > 1 and prob < rules.strong:
        key = (min(ra, rb), max(ra, rb))
        support[key] = support.get(key, 0) + 1
        if support[key] < rules.support_needed:
            outcome.refused["weak_single_link"] += 1
            return None
    survivor = forest.union(ra, rb)
    if edge >= 0:
        outcome.merged_edges.append(edge)
    return survivor, rb if survivor == ra else ra


def _violates_cannot_link(forest: ClusterForest, blocked: dict[int, set[int]], ra: int, rb: int) -> bool:
    if not blocked:
        return False
    small, big = (ra, rb) if forest.size[ra] <= forest.size[rb] else (rb, ra)
    for node in forest.members(small):
        for other in blocked.get(node, ()):
            if forest.find(other) == big:
                return True
    return False
