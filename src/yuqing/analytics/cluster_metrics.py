"""Clustering quality against gold labels: B-cubed precision/recall/F1 and adjusted Rand index.

B-cubed (Bagga & Baldwin 1998; Amigó et al. 2009, "A comparison of extrinsic
clustering evaluation metrics"): for each item, precision is the share of its
predicted cluster that has its gold label, recall the share of its gold class
that is in its predicted cluster; both are averaged over items. ARI: Hubert &
Arabie (1985), the pair-counting Rand index corrected for chance (1 = same
partition, about 0 = random), computed from the contingency table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ClusterScores:
    """B-cubed precision, recall and F1, and ARI, of one predicted partition."""

    n: int
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    ari: float


def _check(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> None:
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold labels but {len(pred)} predicted clusters")
    if not gold:
        raise ValueError("no items to score")


def bcubed(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> tuple[float, float, float]:
    """Return B-cubed ``(precision, recall, f1)`` of ``pred`` against ``gold`` (one label
    per item, same order). Raises ValueError for different lengths or no items."""
    _check(gold, pred)
    pair = Counter(zip(gold, pred, strict=True))
    gold_size, pred_size = Counter(gold), Counter(pred)
    precision = sum(n * n / pred_size[p] for (_, p), n in pair.items()) / len(gold)
    recall = sum(n * n / gold_size[g] for (g, _), n in pair.items()) / len(gold)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _pairs(n: int) -> float:
    return n * (n - 1) / 2


def adjusted_rand_index(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    """Return the ARI of ``pred`` against ``gold``; 1.0 when both are one identical
    partition with no pairs to disagree on. Raises ValueError like :func:`bcubed`."""
    _check(gold, pred)
    index = sum(_pairs(n) for n in Counter(zip(gold, pred, strict=True)).values())
    sum_gold = sum(_pairs(n) for n in Counter(gold).values())
    sum_pred = sum(_pairs(n) for n in Counter(pred).values())
    expected = sum_gold * sum_pred / _pairs(len(gold)) if len(gold) > 1 else 0.0
    maximum = (sum_gold + sum_pred) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


def score_clusters(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> ClusterScores:
    """Return every score of ``pred`` against ``gold`` (see the module doc)."""
    precision, recall, f1 = bcubed(gold, pred)
    return ClusterScores(len(gold), precision, recall, f1, adjusted_rand_index(gold, pred))
