"""Constrained clustering: constraints hold and one weak link never joins two clusters."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from ilos.resolve.clustering import (
    IDENTITY_NUMBERS,
    ClusterForest,
    ClusteringOutcome,
    ClusteringRules,
    Merge,
    cluster_edges,
    constraint_columns,
    date_code,
    dates_could_be_one,
    merge_record,
    node_constraints,
    number_code,
    numbers_could_be_one,
    try_merge,
)


def _edges(pairs: list[tuple[int, int, float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    left = np.array([a for a, _, _ in pairs], dtype=np.int64)
    right = np.array([b for _, b, _ in pairs], dtype=np.int64)
    prob = np.array([p for _, _, p in pairs], dtype=np.float64)
    return left, right, prob


def test_edges_above_threshold_join_and_below_do_not() -> None:
    left, right, prob = _edges([(0, 1, 0.99), (1, 2, 0.4)])
    out = cluster_edges(3, left, right, prob, ClusteringRules(threshold=0.9))
    assert out.labels[0] == out.labels[1]
    assert out.labels[2] != out.labels[1]


def test_one_weak_link_does_not_chain_two_large_clusters() -> None:
    # {0,1,2} and {3,4,5} are each strongly linked; a single 0.95 edge between them must not join them.
    strong = [(0, 1, 1.0), (1, 2, 1.0), (3, 4, 1.0), (4, 5, 1.0)]
    left, right, prob = _edges([*strong, (2, 3, 0.95)])
    out = cluster_edges(6, left, right, prob, ClusteringRules(threshold=0.9))
    assert out.labels[0] != out.labels[3]
    assert out.refused["weak_single_link"] == 1


def test_two_supporting_links_do_join_clusters() -> None:
    strong = [(0, 1, 1.0), (3, 4, 1.0)]
    left, right, prob = _edges([*strong, (1, 3, 0.95), (0, 4, 0.94)])
    out = cluster_edges(5, left, right, prob, ClusteringRules(threshold=0.9))
    assert out.labels[0] == out.labels[4]
    # Both weak links carry the merge: the one that completed it and the one counted before it.
    assert out.merged_edges == [0, 1, 3] and out.supporting_edges == [2]


def test_one_record_per_entity_source_never_shares_a_subject() -> None:
    # nodes 0 and 2 come from the same one-record-per-entity source (group 0)
    left, right, prob = _edges([(0, 1, 1.0), (1, 2, 1.0)])
    out = cluster_edges(3, left, right, prob, ClusteringRules(threshold=0.9), restricted_group=[0, -1, 0])
    assert out.labels[0] != out.labels[2]


def test_cannot_link_holds_transitively_and_must_link_joins() -> None:
    left, right, prob = _edges([(0, 1, 1.0), (1, 2, 1.0)])
    out = cluster_edges(
        4, left, right, prob, ClusteringRules(threshold=0.9), cannot_link=[(0, 2)], must_link=[(2, 3)]
    )
    assert out.labels[0] != out.labels[2]
    assert out.labels[2] == out.labels[3]


def test_the_must_links_a_constraint_refuses_are_named_with_why() -> None:
    """Reviewers' matches 1-2 then 0-1, with 0 and 2 kept apart; 3-5 and 4-5 with 3 and 4 of one
    one-record-per-entity source: the second of each is refused, and the run must be able to say so."""
    none = np.array([], dtype=np.int64)
    out = cluster_edges(
        6, none, none, none.astype(np.float64), ClusteringRules(threshold=0.9), [-1, -1, -1, 0, 0, -1],
        cannot_link=[(0, 2)], must_link=[(1, 2), (0, 1), (3, 5), (4, 5), (2, 1)],
    )  # fmt: skip
    assert out.refused_must_links == [(0, 1, "cannot_link"), (4, 5, "one_record_per_entity")]
    assert out.labels[1] == out.labels[2] != out.labels[0]


def test_a_dateless_record_does_not_join_two_people_born_decades_apart() -> None:
    """Father (0, born 1970) and son (2, born 1995), both JOSE PEREZ at one address; a wage record with no
    date (1) matches each on name and address. Whichever link comes first, the other is refused."""
    left, right, prob = _edges([(0, 1, 0.999), (1, 2, 0.998)])
    out = cluster_edges(
        3, left, right, prob, ClusteringRules(threshold=0.9), birth_dates=[19700505, 0, 19950303]
    )
    assert out.labels[0] == out.labels[1] != out.labels[2]
    assert out.refused["different_dates_of_birth"] == 1


def test_a_slip_in_the_date_of_birth_is_no_conflict() -> None:
    left, right, prob = _edges([(0, 1, 0.999), (1, 2, 0.998)])
    for slipped in (
        19700506,
        19700505,
        19700101,
        19800505,
        19710301,
    ):  # a digit, same, a default, a digit, <1 year
        out = cluster_edges(
            3, left, right, prob, ClusteringRules(threshold=0.9), birth_dates=[19700505, 0, slipped]
        )
        assert out.labels[0] == out.labels[2], slipped


def test_a_child_never_joins_a_record_only_an_adult_could_have() -> None:
    """MARIO GARCIA's wage report (0: no date of birth, so born by 2012-03-01 at 14 or older) matches his
    son's health record (1: born 2016) and his own encounter (2: born 1980) on name and address. The son's
    link is the stronger; it is refused, and the father's records join."""
    left, right, prob = _edges([(0, 1, 0.999), (0, 2, 0.998)])
    out = cluster_edges(
        3,
        left,
        right,
        prob,
        ClusteringRules(threshold=0.9),
        birth_dates=[0, 20161120, 19800402],
        born_by=[20120301, 0, 0],
    )
    assert out.labels[0] == out.labels[2] != out.labels[1]
    assert out.refused["younger_than_a_record_allows"] == 1


def test_the_bound_holds_for_a_record_arriving_later() -> None:
    """The near-real-time linker adds nodes one by one: a cluster of a tax return and a wage report (born
    by 2010 and by 2012) refuses the child and takes the adult."""
    wage, tax = 0, 1
    forest = ClusterForest([-1, -1], born_by=[20120301, 20100415])
    forest.union(wage, tax)
    outcome = ClusteringOutcome(labels=np.zeros(0, dtype=np.int64))
    rules = ClusteringRules(threshold=0.5)
    child = forest.add_node(-1, 20161120, 0)
    too_young = "younger_than_a_record_allows"
    assert try_merge(forest, {}, child, wage, outcome, 0, False, {}, rules, 0.999) == too_young
    born_between = forest.add_node(-1, 20110101, 0)  # fits the wage report's bound, not the tax return's
    assert try_merge(forest, {}, born_between, wage, outcome, 0, False, {}, rules, 0.999) == too_young
    assert outcome.refused[too_young] == 2
    old_enough = forest.add_node(-1, 19800402, 0)
    assert isinstance(try_merge(forest, {}, old_enough, wage, outcome, 1, False, {}, rules, 0.999), Merge)


DATES = st.dates().filter(lambda d: d.year >= 1000).map(lambda d: d.year * 10000 + d.month * 100 + d.day)


@settings(deadline=None)
@given(DATES, DATES)
def test_dates_could_be_one_is_symmetric(a: int, b: int) -> None:
    assert dates_could_be_one(a, b) == dates_could_be_one(b, a)
    assert dates_could_be_one(a, a)


def test_day_and_month_swapped_could_be_one_person() -> None:
    assert dates_could_be_one(19800412, 19801204)
    assert not dates_could_be_one(19800412, 19951204)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 11), st.integers(0, 11), st.floats(0, 1, allow_nan=False)), max_size=60
    ),
    st.lists(st.integers(-1, 2), min_size=12, max_size=12),
    st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=8),
)
def test_constraints_hold_for_any_graph(
    pairs: list[tuple[int, int, float]], groups: list[int], cannot: list[tuple[int, int]]
) -> None:
    pairs = [(a, b, p) for a, b, p in pairs if a != b]
    cannot = [(a, b) for a, b in cannot if a != b]
    left, right, prob = _edges(pairs) if pairs else (np.zeros(0, np.int64),) * 2 + (np.zeros(0),)
    out = cluster_edges(12, left, right, prob, ClusteringRules(threshold=0.5), groups, cannot)
    for a, b in cannot:
        assert out.labels[a] != out.labels[b]
    for i in range(12):
        for j in range(i + 1, 12):
            if groups[i] >= 0 and groups[i] == groups[j]:
                assert out.labels[i] != out.labels[j]


YMD = st.integers(1950, 2025).map(lambda y: y * 10000 + 101)


@st.composite
def _dated_nodes(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    """Twelve records, each consistent with itself: a date of birth no later than its own bound."""
    births, bounds = [], []
    for _ in range(12):
        birth = draw(st.one_of(st.just(0), YMD))
        bound = draw(st.one_of(st.just(0), YMD.filter(lambda b, birth=birth: b >= birth)))
        births.append(birth)
        bounds.append(bound)
    return births, bounds


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 11), st.integers(0, 11), st.floats(0, 1, allow_nan=False)), max_size=60
    ),
    _dated_nodes(),
)
def test_no_cluster_is_younger_than_any_of_its_records_allows(
    pairs: list[tuple[int, int, float]], dated: tuple[list[int], list[int]]
) -> None:
    births, bounds = dated
    pairs = [(a, b, p) for a, b, p in pairs if a != b]
    left, right, prob = _edges(pairs) if pairs else (np.zeros(0, np.int64),) * 2 + (np.zeros(0),)
    out = cluster_edges(
        12, left, right, prob, ClusteringRules(threshold=0.5), birth_dates=births, born_by=bounds
    )
    for label in set(out.labels.tolist()):
        members = [i for i in range(12) if out.labels[i] == label]
        known_births = [births[i] for i in members if births[i]]
        known_bounds = [bounds[i] for i in members if bounds[i]]
        if known_births and known_bounds:
            assert min(known_births) <= min(known_bounds)


def _cluster_with_ssns(pairs: list[tuple[int, int, float]], ssns: list[int]) -> ClusteringOutcome:
    """Cluster one node per SSN (no A-numbers) at threshold 0.9."""
    left, right, prob = _edges(pairs)
    return cluster_edges(
        len(ssns), left, right, prob, ClusteringRules(threshold=0.9), numbers=[[0] * len(ssns), ssns]
    )


def test_two_people_each_repeating_their_own_ssn_never_merge() -> None:
    """DANIEL PRICE and his son at one address: each has a tax return and a wage report under his own SSN
    (0-1 and 2-3), linked first since they agree on it too. The name-and-address links between the two
    (1-2, 0-3) are strong, and refused."""
    father, son = 562667587, 140048036
    out = _cluster_with_ssns(
        [(0, 1, 0.999999), (2, 3, 0.999999), (1, 2, 0.9999), (0, 3, 0.99)], [father, father, son, son]
    )
    assert out.labels[0] == out.labels[1] != out.labels[2] == out.labels[3]
    assert out.refused["different_identity_numbers"] == 2


def test_a_number_seen_once_or_one_slip_apart_does_not_split_a_person() -> None:
    """A borrowed SSN on one wage report (3) and a mistyped digit (a cluster repeating 123456780) are what
    one person's records carry: they join."""
    own, slip, borrowed = 123456789, 123456780, 555443333
    out = _cluster_with_ssns(
        [(0, 1, 0.99999), (2, 4, 0.99999), (0, 3, 0.99995), (1, 2, 0.99991)], [own, own, slip, borrowed, slip]
    )
    assert len(set(out.labels.tolist())) == 1 and not out.refused  # {0, 1, 3} met {2, 4} last
    assert numbers_could_be_one(own, slip) and numbers_could_be_one(123456789, 123456798)
    assert not numbers_could_be_one(own, borrowed)
    assert [number_code(v) for v in ("012345678", None, "", "A12", "²", "9" * 19)] == [
        12345678,
        0,
        0,
        0,
        0,
        0,
    ]


def test_a_record_arriving_later_meets_the_numbers_of_the_cluster() -> None:
    """In the near-real-time linker, a cluster repeating one A-number refuses a newcomer's cluster that
    repeats another."""
    forest = ClusterForest([-1, -1], numbers=[[11111111, 11111111], [0, 0]])
    forest.union(0, 1)
    outcome = ClusteringOutcome(labels=np.zeros(0, dtype=np.int64))
    rules = ClusteringRules(threshold=0.5)
    first = forest.add_node(-1, numbers=[22222222, 0])
    second = forest.add_node(-1, numbers=[22222222, 0])
    numbers_differ = "different_identity_numbers"
    assert isinstance(try_merge(forest, {}, first, second, outcome, 0, False, {}, rules, 0.999), Merge)
    assert try_merge(forest, {}, first, second, outcome, 0, False, {}, rules, 0.999) == "same_cluster"
    assert try_merge(forest, {}, first, 0, outcome, 1, False, {}, rules, 0.999) == numbers_differ
    assert outcome.refused == {numbers_differ: 1}  # being together already is no refusal


def test_an_arriving_record_reports_every_link_that_carried_a_merge() -> None:
    """Record 4 joins {0, 1} on a strong link, then meets {2, 3} by two weak links: the first is counted
    towards the merge and the second completes it. All three carried a merge; the link below the threshold
    did not."""
    forest = ClusterForest([-1] * 4)
    forest.union(0, 1)
    forest.union(2, 3)
    outcome = ClusteringOutcome(labels=np.zeros(0, dtype=np.int64))
    new = forest.add_node(-1)
    merges, merging = merge_record(
        forest, {}, new, [(1, 0.99999), (2, 0.95), (3, 0.93), (0, 0.4)], outcome, {}, ClusteringRules(0.9)
    )
    assert len(merges) == 2 and forest.find(new) == forest.find(0) == forest.find(2)
    assert merging == {1, 2, 3}
    assert outcome.refused["weak_single_link"] == 1


def _cluster_state(forest: ClusterForest, root: int) -> tuple[object, ...]:
    repeated = tuple(frozenset(forest.repeated_numbers(k, root)) for k in range(len(IDENTITY_NUMBERS)))
    return (forest.size[root], frozenset(forest.members(root)), frozenset(forest.groups_of(root)),
            forest.birth_dates(root), forest.born_by[root], repeated)  # fmt: skip


def _random_clusters(
    rng: np.random.Generator, n: int
) -> tuple[list[int], list[int], list[int], list[int], list[list[int]]]:
    """Cluster labels of `n` records and their groups, dates of birth, age bounds and identity numbers."""
    labels = rng.integers(0, max(1, n // 3), n).tolist()
    groups = rng.choice([-1, -1, -1, 0, 1], n).tolist()
    dates = rng.choice([0, 0, 19800102, 19800201, 19751231], n).tolist()
    bounds = rng.choice([0, 0, 20100101, 20080606], n).tolist()
    numbers = [rng.choice([0, 0, 123456789, 123456780, 987654321], n).tolist() for _ in IDENTITY_NUMBERS]
    return labels, groups, dates, bounds, numbers


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=2**31), st.integers(min_value=1, max_value=300))
def test_a_forest_built_from_known_clusters_holds_what_a_union_per_record_would(seed: int, n: int) -> None:
    """Loading a linkage builds its forest in bulk (`of_clusters`); each cluster must carry the same size,
    members, one-record-per-entity groups, dates of birth, age bound and repeated numbers as when every
    record is joined to its cluster one union at a time (how it was loaded before)."""
    rng = np.random.default_rng(seed)
    labels, groups, dates, bounds, numbers = _random_clusters(rng, n)
    one_by_one = ClusterForest(groups, dates, bounds, numbers)
    first_of: dict[int, int] = {}
    for node, label in enumerate(labels):
        first = first_of.setdefault(label, node)
        if first != node:
            one_by_one.union(one_by_one.find(first), one_by_one.find(node))
    bulk = ClusterForest.of_clusters(labels, groups, dates, bounds, numbers)
    for node in range(n):
        assert {one_by_one.find(m) for m in bulk.members(bulk.find(node))} == {one_by_one.find(node)}
        assert _cluster_state(bulk, bulk.find(node)) == _cluster_state(one_by_one, one_by_one.find(node))
    new = bulk.add_node(0, 19800102, 0, [5] * len(IDENTITY_NUMBERS))  # it grows as a loaded forest must
    assert bulk.find(new) == new and bulk.size[new] == 1


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=2**31), st.integers(min_value=1, max_value=300))
def test_a_regrouped_forest_holds_what_one_built_from_its_new_clusters_would(seed: int, n: int) -> None:
    """`ilos link add` clusters a few subjects again and puts the result in place (`regroup`): every cluster
    must then carry the state a forest built with those clusters would, nothing left of the old clusters."""
    rng = np.random.default_rng(seed)
    labels, groups, dates, bounds, numbers = _random_clusters(rng, n)
    forest = ClusterForest.of_clusters(labels, groups, dates, bounds, numbers)
    touched = set(rng.choice(labels, size=max(1, len(set(labels)) // 2)).tolist())
    regrouped = [label if label not in touched else n + int(rng.integers(0, 4)) for label in labels]
    clusters: dict[int, list[int]] = {}
    for node, label in enumerate(regrouped):
        if labels[node] in touched:
            clusters.setdefault(label, []).append(node)
    own = {
        node: {"group": groups[node], "birth_date": dates[node], "born_by": bounds[node],
               "numbers": [int(c[node]) for c in numbers]}
        for node in range(n)
    }  # fmt: skip
    roots = forest.regroup(list(clusters.values()), own)
    built = ClusterForest.of_clusters(regrouped, groups, dates, bounds, numbers)
    assert [forest.find(nodes[0]) for nodes in clusters.values()] == roots
    for node in range(n):
        assert _cluster_state(forest, forest.find(node)) == _cluster_state(built, built.find(node))


def test_constraint_columns_code_every_value_as_the_one_record_path_does() -> None:
    """Batch and loading compute the codes column by column; a record arriving alone, value by value
    (`node_constraints`): they must agree, or a loaded cluster would refuse what an arriving record joins."""
    numbers = ["123456789", "", None, "12345678901234567890", "12A456789", "٣٤٥", "000000001", " 12", "7"]
    dates = [date(1980, 1, 2), None, date(1901, 12, 31), date(2099, 7, 4), None, None, None, None, None]
    records = pa.table(
        {"date_of_birth": dates, "born_by": list(reversed(dates)),
         **{kind: numbers for kind in IDENTITY_NUMBERS}}
    )  # fmt: skip
    columns = constraint_columns(records)
    for node, record in enumerate(records.to_pylist()):
        one = node_constraints(record)
        assert columns["birth_dates"][node] == one["birth_date"] == date_code(record["date_of_birth"])
        assert columns["born_by"][node] == one["born_by"]
        assert [int(c[node]) for c in columns["numbers"]] == one["numbers"]
