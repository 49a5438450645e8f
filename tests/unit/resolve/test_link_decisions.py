"""Every link's decision, computed over arrays in batch, is the one `decision_for` gives that link alone
(the incremental path uses `decision_for`); judged pairs are found in either orientation."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ilos.resolve.linkage import DECISIONS, ScoredEdges, decision_codes, decision_for, judged_edges
from ilos.resolve.threshold import ThresholdChoice

CHOICE = ThresholdChoice(0.7, 0.99, 0.9, 0.94, review_low=0.4, review_high=0.9)
PROBABILITY = st.sampled_from([0.0, 0.001, 0.39, 0.4, 0.5, 0.7, 0.9, 0.91, 1.0]) | st.floats(0, 1)
LINK = st.tuples(PROBABILITY, st.booleans(), st.booleans(), st.booleans())


@settings(max_examples=200, deadline=None)
@given(st.lists(LINK, max_size=40))
def test_array_decisions_equal_decision_for(links: list[tuple[float, bool, bool, bool]]) -> None:
    p, same, household, judged = (
        (np.array(column) for column in zip(*links, strict=True))
        if links
        else (np.zeros(0), np.zeros(0, bool), np.zeros(0, bool), np.zeros(0, bool))
    )
    codes = decision_codes(
        p.astype(np.float64), same.astype(bool), household.astype(bool), judged.astype(bool), CHOICE
    )
    assert [DECISIONS[c] for c in codes.tolist()] == [
        decision_for(*link[:3], link[3], CHOICE) for link in links
    ]


def test_judged_pairs_are_found_in_either_orientation() -> None:
    left, right = np.array([0, 0, 1, 2, 5], np.int32), np.array([1, 3, 2, 9, 6], np.int32)
    edges = ScoredEdges(left, right, np.full(5, 0.5), np.zeros(5, bool))
    assert judged_edges(edges, [(3, 0), (2, 9), (4, 7), (11, 12)]).tolist() == [
        False,
        True,
        False,
        True,
        False,
    ]
    assert not judged_edges(edges, []).any()
