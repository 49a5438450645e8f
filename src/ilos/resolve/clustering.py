"""Constrained clustering of scored pairs: greedy strongest-first merging that honours cannot-link constraints
(one-record-per-entity sources, household conflicts, reviewers' "no match", dates of birth that cannot be one
person's or that a record's age bound rules out, a person's own A-numbers or SSNs that differ) and resists
chaining."""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ilos.resolve import pair_functions as f

IDENTITY_NUMBERS: tuple[str, ...] = ("a_number", "ssn")
"""Numbers a person is given once for life: two clusters that each repeat a different one are two people."""

CONSTRAINT_COLUMNS: tuple[str, ...] = ("date_of_birth", "born_by", *IDENTITY_NUMBERS)
"""The standardized record columns the cluster constraints read (`constraint_columns`, `node_constraints`)."""


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
    supporting_edges: list[int] = field(default_factory=list)
    """Weak links counted towards a merge that a later link completed (the weak-link rule needs two)."""
    refused: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    """How many times each `Refusal` kept two clusters apart (the reports print these)."""
    refused_must_links: list[tuple[int, int, Refusal]] = field(default_factory=list)
    """The `must_link` pairs (reviewers' "match") a constraint kept apart, and why: the run names them."""


class Merge(NamedTuple):
    """Two clusters `try_merge` joined: the root that survives and the root it absorbed."""

    survivor: int
    absorbed: int


Refusal = Literal[
    "one_record_per_entity",
    "cannot_link",
    "different_dates_of_birth",
    "younger_than_a_record_allows",
    "different_identity_numbers",
    "weak_single_link",
]
"""Why `try_merge` kept two clusters apart; each is counted in `ClusteringOutcome.refused` under its name."""


class ClusterForest:
    """Union-find with per-cluster constraint state, compact enough for millions of records: int32 arrays,
    members as a circular linked list (joining two is O(1)), restricted-source sets and dates of birth only
    where non-empty. Dates are YYYYMMDD ints, 0 when unknown."""

    def __init__(
        self,
        restricted_group: Sequence[int],
        birth_dates: Sequence[int] | None = None,
        born_by: Sequence[int] | None = None,
        numbers: Sequence[Sequence[int]] = (),
    ) -> None:
        n = len(restricted_group)
        self.parent = array("i", range(n))
        self.size = array("i", [1]) * n
        self._next = array("i", range(n))
        self.restricted: dict[int, set[int]] = {i: {g} for i, g in enumerate(restricted_group) if g >= 0}
        self._set_records(n, birth_dates, born_by, numbers)

    def _set_records(
        self,
        n: int,
        birth_dates: Sequence[int] | None,
        born_by: Sequence[int] | None,
        numbers: Sequence[Sequence[int]],
    ) -> None:
        """The records' own constraint values, each record its own cluster's root."""
        if numbers and (len(numbers) != len(IDENTITY_NUMBERS) or any(len(c) != n for c in numbers)):
            raise ValueError(
                f"numbers needs {len(IDENTITY_NUMBERS)} columns of {n} values, one per IDENTITY_NUMBERS"
            )
        self._birth_date = (
            _int_array(np.asarray(birth_dates)) if birth_dates is not None else array("i", [0]) * n
        )
        self._merged_dates: dict[int, frozenset[int]] = {}
        """Dates of birth (YYYYMMDD) of a cluster whose records carry more than its root's own date."""
        self.born_by = _int_array(np.asarray(born_by)) if born_by is not None else array("i", [0]) * n
        """At a root: the latest date of birth its cluster's records allow (`standardize.dates.born_by`)."""
        self._tallies = [NumberTally(column) for column in numbers] or [
            NumberTally(array("q", [0]) * n) for _ in IDENTITY_NUMBERS
        ]
        """Per IDENTITY_NUMBERS kind, how many of each cluster's records carry each number."""

    @classmethod
    def of_clusters(
        cls,
        labels: Sequence[int],
        restricted_group: Sequence[int],
        birth_dates: Sequence[int] | None = None,
        born_by: Sequence[int] | None = None,
        numbers: Sequence[Sequence[int]] = (),
    ) -> ClusterForest:
        """A forest whose clusters are known (a linkage's subjects, loaded to link more records into), built
        in bulk with the state a union per record would have left: at 1M persons those 4.5M unions took
        half of loading. Each cluster's root is its first node."""
        n = len(restricted_group)
        if n == 0:
            return cls(restricted_group, birth_dates, born_by, numbers)
        forest = cls.__new__(cls)  # the links below replace the one-record clusters __init__ would build
        forest._set_records(n, birth_dates, born_by, numbers)
        codes = np.asarray(labels, dtype=np.int64)
        order = np.argsort(codes, kind="stable")  # each cluster's nodes together
        ordered_labels = codes[order]
        starts = np.flatnonzero(np.r_[True, ordered_labels[1:] != ordered_labels[:-1]])
        sizes = np.diff(np.r_[starts, n])
        roots = order[starts]
        root = np.empty(n, dtype=np.int64)
        root[order] = np.repeat(roots, sizes)
        following = np.r_[order[1:], order[:1]]
        following[np.r_[starts[1:] - 1, n - 1]] = roots  # each cluster's last node leads back to its root
        successor = np.empty(n, dtype=np.int64)
        successor[order] = following
        size = np.ones(n, dtype=np.int64)
        size[roots] = sizes
        forest.parent, forest.size, forest._next = (_int_array(a) for a in (root, size, successor))
        forest.restricted = {}
        for node, group in enumerate(restricted_group):
            if group >= 0:
                forest.restricted.setdefault(int(root[node]), set()).add(group)
        forest._bulk_birth_dates(root)
        forest._bulk_born_by(root, order, starts)
        for tally in forest._tallies:
            tally.gather(root)
        return forest

    def _bulk_birth_dates(self, root: npt.NDArray[np.int64]) -> None:
        own = np.frombuffer(self._birth_date, dtype=np.int32).astype(np.int64)
        known = own > 0
        roots, dates = _distinct_pairs(root[known], own[known])
        alone = _alone_in_run(roots)  # a root with one date: merged only when it is not the root's own
        other = alone & (dates != own[roots])
        for r, d in zip(roots[other].tolist(), dates[other].tolist(), strict=True):
            self._merged_dates[r] = frozenset((d,))
        gathered: dict[int, set[int]] = defaultdict(set)
        for r, d in zip(roots[~alone].tolist(), dates[~alone].tolist(), strict=True):
            gathered[r].add(d)
        self._merged_dates.update((r, frozenset(found)) for r, found in gathered.items())

    def _bulk_born_by(
        self, root: npt.NDArray[np.int64], order: npt.NDArray[np.int64], starts: npt.NDArray[np.intp]
    ) -> None:
        bounds = np.frombuffer(self.born_by, dtype=np.int32).astype(np.int64)
        latest = np.where(bounds > 0, bounds, np.iinfo(np.int64).max)[order]
        least = np.minimum.reduceat(latest, starts)
        roots = order[starts]
        bounds[roots] = np.where(least == np.iinfo(np.int64).max, 0, least)
        self.born_by = _int_array(bounds)

    def __len__(self) -> int:
        return len(self.parent)

    def regroup(self, clusters: Sequence[Sequence[int]], own: Mapping[int, Mapping[str, Any]]) -> list[int]:
        """Make `clusters` (lists of nodes) the forest's clusters in place of those their nodes were in, which
        they must hold whole: a union-find cannot take one node out of a cluster, so each node is made its own
        again, with its record's own constraint values (`own`: `group` and `node_constraints` per node), and
        joined anew. Returns each cluster's root."""
        for node in (n for nodes in clusters for n in nodes):
            self._isolate(node, **own[node])
        roots = []
        for first, *rest in clusters:
            root = first
            for node in rest:
                root = self.union(root, node)
            roots.append(root)
        return roots

    def _isolate(self, node: int, group: int, birth_date: int, born_by: int, numbers: Sequence[int]) -> None:
        self.parent[node], self.size[node], self._next[node] = node, 1, node
        self.restricted.pop(node, None)
        if group >= 0:
            self.restricted[node] = {group}
        self._merged_dates.pop(node, None)
        self._birth_date[node], self.born_by[node] = birth_date, born_by
        for kind, tally in enumerate(self._tallies):
            tally.isolate(node, numbers[kind])

    def add_node(self, group: int, birth_date: int = 0, born_by: int = 0, numbers: Sequence[int] = ()) -> int:
        """A new singleton (an incoming record); returns its node id."""
        node = len(self.parent)
        self.parent.append(node)
        self.size.append(1)
        self._next.append(node)
        if group >= 0:
            self.restricted[node] = {group}
        self._birth_date.append(birth_date)
        self.born_by.append(born_by)
        for kind, tally in enumerate(self._tallies):
            tally.append(numbers[kind] if numbers else 0)
        return node

    def birth_dates(self, root: int) -> frozenset[int]:
        """The dates of birth the records of `root`'s cluster carry."""
        merged = self._merged_dates.get(root)
        if merged is not None:
            return merged
        own = self._birth_date[root]
        return frozenset((own,)) if own > 0 else _NO_DATES

    def repeated_numbers(self, kind: int, root: int) -> list[int]:
        """The numbers of one IDENTITY_NUMBERS kind that two or more of `root`'s records carry."""
        return self._tallies[kind].repeated(root)

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
        dates = self.birth_dates(a) | self.birth_dates(b)
        self._merged_dates.pop(b, None)
        if dates and dates != {self._birth_date[a]}:
            self._merged_dates[a] = dates
        bounds = [d for d in (self.born_by[a], self.born_by[b]) if d]
        self.born_by[a] = min(bounds) if bounds else 0
        for tally in self._tallies:
            tally.merge(a, b)
        return a


class NumberTally:
    """How many of a cluster's records carry each number of one kind, kept at its root: a person's own number
    recurs, where a mistyped or borrowed one shows up once. Most clusters hold one number, so that one and
    its count live in two arrays and only further numbers in a dict (at 1M persons a dict per cluster cost
    0.5 GiB)."""

    def __init__(self, own: Sequence[int]) -> None:
        numbers = np.asarray(own, dtype=np.int64)
        self.number = array("q", numbers.tobytes())
        self.count = _int_array((numbers != 0).astype(np.int64))
        self.others: dict[int, dict[int, int]] = {}

    def append(self, own: int) -> None:
        self.number.append(own)
        self.count.append(1 if own else 0)

    def gather(self, root: npt.NDArray[np.int64]) -> None:
        """Tally each node's number at its root (`root[node]`), as the unions would have."""
        own = np.frombuffer(self.number, dtype=np.int64)
        carried = own != 0
        roots, numbers, seen = _distinct_pairs(root[carried], own[carried], counts=True)
        first = _run_starts(roots)  # each root's first number is kept in the arrays
        number = np.zeros(len(own), dtype=np.int64)
        count = np.zeros(len(own), dtype=np.int64)
        number[roots[first]] = numbers[first]
        count[roots[first]] = seen[first]
        for r, n, c in zip(
            roots[~first].tolist(), numbers[~first].tolist(), seen[~first].tolist(), strict=True
        ):
            self.others.setdefault(r, {})[n] = c
        self.number, self.count = array("q", number.tobytes()), _int_array(count)

    def isolate(self, node: int, own: int) -> None:
        """`node`'s tally as its record's number alone (`ClusterForest.regroup`)."""
        self.number[node], self.count[node] = own, 1 if own else 0
        self.others.pop(node, None)

    def repeated(self, root: int) -> list[int]:
        found = [self.number[root]] if self.count[root] > 1 else []
        more = self.others.get(root)
        return found + [n for n, seen in more.items() if seen > 1] if more else found

    def merge(self, into: int, other: int) -> None:
        """Add `other`'s tally to `into`'s (both roots; `other` is being absorbed)."""
        if self.count[other]:
            self._add(into, self.number[other], self.count[other])
        for number, seen in self.others.pop(other, {}).items():
            self._add(into, number, seen)

    def _add(self, root: int, number: int, seen: int) -> None:
        if self.number[root] == number or not self.count[root]:
            self.number[root] = number
            self.count[root] += seen
        else:
            more = self.others.setdefault(root, {})
            more[number] = more.get(number, 0) + seen


_NO_GROUPS: set[int] = set()


def _distinct_pairs(keys: npt.NDArray[np.int64], values: npt.NDArray[np.int64], counts: bool = False) -> Any:
    """The distinct (key, value) pairs sorted by key then value, and with `counts` how often each occurs."""
    order = np.lexsort((values, keys))
    keys, values = keys[order], values[order]
    new_pair = _run_starts(keys)
    new_pair[1:] |= values[1:] != values[:-1]
    starts = np.flatnonzero(new_pair)
    if not counts:
        return keys[starts], values[starts]
    return keys[starts], values[starts], np.diff(np.r_[starts, len(keys)])


def _run_starts(keys: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """For sorted keys: whether each is the first of its value."""
    starts: npt.NDArray[np.bool_] = np.ones(len(keys), dtype=bool)
    starts[1:] = keys[1:] != keys[:-1]
    return starts


def _alone_in_run(keys: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """For sorted keys: whether each is the only one of its value."""
    ends: npt.NDArray[np.bool_] = np.ones(len(keys), dtype=bool)
    ends[:-1] = keys[1:] != keys[:-1]
    return _run_starts(keys) & ends


def _int_array(values: npt.NDArray[np.int64]) -> array[int]:
    return array("i", values.astype(np.int32).tobytes())


_NO_DATES: frozenset[int] = frozenset()


def cluster_edges(
    n_nodes: int,
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    probability: npt.NDArray[np.float64],
    rules: ClusteringRules,
    restricted_group: Sequence[int] | None = None,
    cannot_link: Iterable[tuple[int, int]] = (),
    must_link: Iterable[tuple[int, int]] = (),
    birth_dates: Sequence[int] | None = None,
    born_by: Sequence[int] | None = None,
    numbers: Sequence[Sequence[int]] = (),
) -> ClusteringOutcome:
    """Cluster nodes 0..n-1 from scored edges.

    `restricted_group[i]` is the one-record-per-entity source of node i (or -1): two nodes of one such source
    never share a cluster. `cannot_link` pairs are never joined; `must_link` pairs (reviewer "match") are joined
    first unless that breaks a constraint. `birth_dates` and `born_by` are YYYYMMDD per node (0 unknown);
    `numbers` holds one sequence per IDENTITY_NUMBERS kind (`number_code` per node).
    """
    groups = restricted_group if restricted_group is not None else [-1] * n_nodes
    forest = ClusterForest(groups, birth_dates, born_by, numbers)
    blocked: dict[int, set[int]] = defaultdict(set)
    for a, b in cannot_link:
        blocked[a].add(b)
        blocked[b].add(a)
    outcome = ClusteringOutcome(labels=np.zeros(n_nodes, dtype=np.int64))
    for a, b in must_link:
        joined = try_merge(
            forest, blocked, a, b, outcome, edge=-1, force=True, support={}, rules=rules, prob=1.0
        )
        if not isinstance(joined, Merge) and joined != "same_cluster":
            outcome.refused_must_links.append((a, b, joined))
    # Ties are broken by edge order (links are sorted by record key), so a re-run merges identically.
    order = np.argsort(-np.round(probability, 12), kind="stable")
    support: dict[tuple[int, int], list[int]] = {}
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
    support: dict[tuple[int, int], list[int]],
    rules: ClusteringRules,
    prob: float,
) -> Merge | Refusal | Literal["same_cluster"]:
    """Join the clusters of a and b unless a constraint forbids it. Returns the merge, or why there was none:
    `merge_record` needs to know which of a record's weak links were counted towards a merge."""
    ra, rb = forest.find(a), forest.find(b)
    if ra == rb:
        return "same_cluster"
    if forest.groups_of(ra) & forest.groups_of(rb):
        return _refuse(outcome, "one_record_per_entity")
    if _violates_cannot_link(forest, blocked, ra, rb):
        return _refuse(outcome, "cannot_link")
    births = (forest.birth_dates(ra), forest.birth_dates(rb))
    if not force and _birth_dates_conflict(*births):
        return _refuse(outcome, "different_dates_of_birth")
    if not force and _too_young_for_a_record(forest, (ra, rb), births):
        return _refuse(outcome, "younger_than_a_record_allows")
    if not force and _identity_numbers_conflict(forest, ra, rb):
        return _refuse(outcome, "different_identity_numbers")
    if not force and forest.size[ra] > 1 and forest.size[rb] > 1 and prob < rules.strong:
        key = (min(ra, rb), max(ra, rb))
        counted = support.setdefault(key, [])
        counted.append(edge)
        if len(counted) < rules.support_needed:
            return _refuse(outcome, "weak_single_link")
        del support[key]  # neither root survives as this pair: the key is never met again
        outcome.supporting_edges.extend(e for e in counted[:-1] if e >= 0)
    survivor = forest.union(ra, rb)
    if edge >= 0:
        outcome.merged_edges.append(edge)
    return Merge(survivor, rb if survivor == ra else ra)


def _refuse(outcome: ClusteringOutcome, refusal: Refusal) -> Refusal:
    outcome.refused[refusal] += 1
    return refusal


def merge_record(
    forest: ClusterForest,
    blocked: dict[int, set[int]],
    node: int,
    edges: Sequence[tuple[int, float]],
    outcome: ClusteringOutcome,
    support: dict[tuple[int, int], list[int]],
    rules: ClusteringRules,
) -> tuple[list[Merge], set[int]]:
    """Merge an incoming record along its edges (other node, probability; strongest first) at or above the
    threshold. Returns its merges in order, and the other ends of the edges that carried a merge: the link
    that completed it, or a weak link of this record counted towards a merge that a later one of its links
    completed (the batch run's `supporting_edges`)."""
    merges: list[Merge] = []
    merging: set[int] = set()
    supporting: list[int] = []
    for other, prob in edges:
        if prob < rules.threshold:
            break
        result = try_merge(forest, blocked, node, other, outcome, -1, False, support, rules, prob)
        if isinstance(result, Merge):
            merges.append(result)
            merging.add(other)
        elif result == "weak_single_link":
            supporting.append(other)
    root = forest.find(node)
    merging.update(other for other in supporting if forest.find(other) == root)
    return merges, merging


def _violates_cannot_link(forest: ClusterForest, blocked: dict[int, set[int]], ra: int, rb: int) -> bool:
    if not blocked:
        return False
    small, big = (ra, rb) if forest.size[ra] <= forest.size[rb] else (rb, ra)
    for node in forest.members(small):
        for other in blocked.get(node, ()):
            if forest.find(other) == big:
                return True
    return False


def _birth_dates_conflict(da: frozenset[int], db: frozenset[int]) -> bool:
    """Both clusters know a date of birth and none of one's could be a slip of the other's: a namesake at
    the same address (a son named after his father) reached through a record that has no date of its own."""
    if not da or not db or da & db:
        return False
    return not any(dates_could_be_one(a, b) for a in da for b in db)


def _too_young_for_a_record(
    forest: ClusterForest, roots: tuple[int, int], births: tuple[frozenset[int], frozenset[int]]
) -> bool:
    """Even the earliest date of birth of one cluster is later than a record of the other allows: a child's
    health record and the wage report of the parent whose name it carries, at one address."""
    for dates, other in ((births[0], roots[1]), (births[1], roots[0])):
        bound = forest.born_by[other]
        if bound and dates and min(dates) > bound:
            return True
    return False


def _identity_numbers_conflict(forest: ClusterForest, ra: int, rb: int) -> bool:
    """Each cluster repeats an A-number (or SSN) of its own and none of one's is the other's or a slip of it
    (one edit): a father and son of one name and address, each with his own number on several records."""
    for kind in range(len(IDENTITY_NUMBERS)):
        mine, theirs = forest.repeated_numbers(kind, ra), forest.repeated_numbers(kind, rb)
        if mine and theirs and not any(numbers_could_be_one(a, b) for a in mine for b in theirs):
            return True
    return False


def numbers_could_be_one(a: int, b: int) -> bool:
    """Two nine-digit numbers one person's records could carry: equal or one edit apart (a mistyped or
    transposed digit)."""
    return a == b or f.damerau_at_most(f"{a:09d}", f"{b:09d}", 1)


def dates_could_be_one(a: int, b: int) -> bool:
    """Two dates of birth as YYYYMMDD that one person's records could carry: equal, day and month swapped,
    one a 1 January default of the same year, one digit apart, or within a year (the date of birth
    comparison's own tests, `pair_functions`)."""
    if a == b:
        return True
    da, db = _as_date(a), _as_date(b)
    a_default_of_that_year = da.year == db.year and (1, 1) in ((da.month, da.day), (db.month, db.day))
    return (
        a_default_of_that_year
        or f.day_month_swapped(da, db)
        or f.date_digits_at_most(da, db, 1)
        or f.days_apart_at_most(da, db, 366)
    )


def _as_date(yyyymmdd: int) -> date:
    return date(yyyymmdd // 10000, yyyymmdd // 100 % 100, yyyymmdd % 100)


def constraint_columns(records: pa.Table) -> dict[str, Any]:
    """`cluster_edges` / `ClusterForest` keyword arguments from the CONSTRAINT_COLUMNS of records in node
    order, computed column by column (`date_code` and `number_code` over every value, without a Python call
    per value: 5.6M records at 1M persons)."""
    return {
        "birth_dates": _date_codes(records["date_of_birth"]),
        "born_by": _date_codes(records["born_by"]),
        "numbers": [_number_codes(records[kind]) for kind in IDENTITY_NUMBERS],
    }


def _date_codes(dates: pa.ChunkedArray) -> npt.NDArray[np.int64]:
    """`date_code` of each value."""
    code = pc.add(
        pc.add(pc.multiply(pc.year(dates), 10000), pc.multiply(pc.month(dates), 100)), pc.day(dates)
    )
    codes: npt.NDArray[np.int64] = code.fill_null(0).to_numpy().astype(np.int64)
    return codes


def _number_codes(values: pa.ChunkedArray) -> npt.NDArray[np.int64]:
    """`number_code` of each value."""
    text = values.cast(pa.string())
    usable = pc.and_(pc.match_substring_regex(text, r"^[0-9]{1,18}$"), pc.is_valid(text)).fill_null(False)
    codes: npt.NDArray[np.int64] = pc.if_else(usable, text, "0").cast(pa.int64()).to_numpy().astype(np.int64)
    return codes


def node_constraints(record: Mapping[str, Any]) -> dict[str, Any]:
    """`ClusterForest.add_node` keyword arguments from one standardized record."""
    return {
        "birth_date": date_code(record["date_of_birth"]),
        "born_by": date_code(record["born_by"]),
        "numbers": [number_code(record[kind]) for kind in IDENTITY_NUMBERS],
    }


def number_code(value: str | None) -> int:
    """An identity number as the forest keeps it: its digits as an int, 0 when unknown or not up to 18 ASCII
    digits (the standardizers give nine)."""
    return int(value) if value and len(value) <= 18 and value.isascii() and value.isdigit() else 0


def date_code(value: date | None) -> int:
    """A date as the forest keeps it: YYYYMMDD, 0 when unknown."""
    return value.year * 10000 + value.month * 100 + value.day if value is not None else 0
