"""The threshold comes from the model's own probabilities."""

from __future__ import annotations

import numpy as np

from ilos.resolve.threshold import choose_threshold


def test_threshold_separates_a_clean_bimodal_distribution() -> None:
    probability = np.concatenate([np.full(1000, 0.999), np.full(5000, 0.02), np.full(20, 0.7)])
    choice = choose_threshold(probability)
    assert 0.7 <= choice.threshold <= 0.999
    assert choice.expected_precision >= 0.997
    assert choice.review_low < choice.threshold < choice.review_high


def test_threshold_is_never_below_one_half() -> None:
    choice = choose_threshold(np.linspace(0.0, 0.6, 100))
    assert choice.threshold >= 0.5
