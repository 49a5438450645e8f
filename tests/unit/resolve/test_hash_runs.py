"""`HashRuns`: the positions of each wanted hash, found by binary search, whatever else shares the array."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from ilos.hash_runs import HashRuns, text_hash

_HASHES = st.lists(
    st.integers(min_value=0, max_value=(1 << 64) - 1) | st.sampled_from([0, 7, 2**63]), max_size=60
)


@given(hashes=_HASHES, wanted=_HASHES)
def test_each_run_holds_the_positions_of_its_hash(hashes: list[int], wanted: list[int]) -> None:
    runs = HashRuns(np.array(hashes, dtype=np.uint64), stable=True)
    found = runs.runs(np.array(wanted, dtype=np.uint64))
    expected = [[i for i, h in enumerate(hashes) if h == w] for w in wanted]
    assert [run.tolist() for run in found] == expected  # stable: ascending
    assert [runs.run(w) for w in wanted] == expected


@given(hashes=_HASHES)
def test_without_stability_a_run_holds_the_same_positions(hashes: list[int]) -> None:
    runs = HashRuns(np.array(hashes, dtype=np.uint64))
    for h in set(hashes):
        assert sorted(runs.run(h)) == [i for i, x in enumerate(hashes) if x == h]
    assert len(runs) == len(hashes)


def test_an_empty_array_finds_nothing() -> None:
    runs = HashRuns(np.zeros(0, dtype=np.uint64))
    assert runs.run(5) == []
    assert [r.tolist() for r in runs.runs(np.array([1, 2], dtype=np.uint64))] == [[], []]


def test_text_hash_is_a_64_bit_value_equal_for_equal_text() -> None:
    assert text_hash("court_cases|A1") == text_hash("court_cases|" + "A1")
    assert 0 <= text_hash("x") < 1 << 64
