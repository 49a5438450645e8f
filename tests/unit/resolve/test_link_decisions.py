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
LINK = st.tuples(PROBABILITY, st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.booleans())


@settings(max_examples=200, deadline=None)
@given(st.lists(LINK, max_size=40))
def test_array_decisions_equal_decision_for(links: list[tuple[float, bool, bool, bool, bool, bool]]) -> None:
    p, same, household, judged, merging, kept_apart = (
        (np.array(column) for column in zip(*links, strict=True))
        if links
        else (np.zeros(0), *(np.zeros(0, bool) for _ in range(5)))
    )
    codes = decision_codes(
        p.astype(np.float64),
        *(a.astype(bool) for a in (same, household, judged)),
        CHOICE,
        merging.astype(bool),
        kept_apart.astype(bool),
    )
    assert [DECISIONS[c] for c in codes.tolist()] == [
        decision_for(*link[:4], CHOICE, link[4], link[5]) for link in links
    ]


def test_a_band_pair_is_for_review_only_when_a_verdict_could_change_a_subject() -> None:
    """Across two subjects a "match" would merge them; on the link that merged two groups a "no match" would
    split them; a band pair already together through stronger links is a match, with nothing to decide."""
    across, merged, together = (0.6, False, False), (0.8, True, True), (0.8, True, False)
    assert decision_for(across[0], across[1], False, False, CHOICE, across[2]) == "review"
    assert decision_for(merged[0], merged[1], False, False, CHOICE, merged[2]) == "review"
    assert decision_for(together[0], together[1], False, False, CHOICE, together[2]) == "match"
    assert decision_for(0.95, True, False, False, CHOICE, True) == "match"  # above the band: confident
    assert decision_for(0.3, False, False, False, CHOICE, False) == "non_match"  # below the band


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


def test_a_band_pair_no_verdict_can_join_is_not_for_review() -> None:
    """Two records of one `one_record_per_entity` source never share a subject: a "match" could change nothing."""
    assert decision_for(0.6, False, False, False, CHOICE, False) == "review"
    assert decision_for(0.6, False, False, False, CHOICE, False, kept_apart=True) == "non_match"
