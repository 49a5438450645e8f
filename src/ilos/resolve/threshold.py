"""Choosing the decision threshold from the model itself (no labels) and the review band around it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class ThresholdChoice:
    """The chosen threshold, why, and the band of pairs a person should look at."""

    threshold: float
    expected_precision: float
    expected_recall: float
    expected_f1: float
    review_low: float
    review_high: float


def choose_threshold(
    probability: npt.NDArray[np.float64], min_precision: float = 0.997, review_odds: float = 8.0
) -> ThresholdChoice:
    """Treat the model's probabilities as calibrated and pick the threshold with the best expected F1 among
    those whose expected precision is at least `min_precision`.

    Expected true positives above t are the sum of probabilities above t; expected false positives the sum
    of their complements; expected misses the sum of probabilities below t. The review band spans
    `review_odds`-fold odds either side of the threshold. The precision floor is on links, and clustering
    multiplies a wrong link into as many wrong pairs as the cluster it joins has records, so the floor sits
    well above the pairwise precision the clusters must reach (0.99).
    """
    if probability.size == 0:
        return ThresholdChoice(0.99, 1.0, 1.0, 1.0, 0.9, 0.999)
    p = np.sort(probability)[::-1]
    tp = np.cumsum(p)
    fp = np.cumsum(1.0 - p)
    total = tp[-1]
    precision = tp / (tp + fp)
    recall = tp / total if total > 0 else np.ones_like(tp)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    allowed = precision >= min_precision
    idx = int(np.argmax(np.where(allowed, f1, -1.0))) if allowed.any() else 0
    threshold = float(min(max(p[idx], 0.5), 0.9999))
    odds = threshold / (1 - threshold)
    return ThresholdChoice(
        threshold=threshold,
        expected_precision=float(precision[idx]),
        expected_recall=float(recall[idx]),
        expected_f1=float(f1[idx]),
        review_low=float((odds / review_odds) / (1 + odds / review_odds)),
        review_high=float((odds * review_odds) / (1 + odds * review_odds)),
    )
