"""Tests of analytics/cluster_metrics.py: B-cubed and ARI on hand-computed partitions."""

from __future__ import annotations

import pytest
from sklearn.metrics import adjusted_rand_score

from yuqing.analytics.cluster_metrics import adjusted_rand_index, bcubed, score_clusters

GOLD = ["a", "a", "a", "b", "b", "c"]


def test_perfect_partition_scores_one() -> None:
    scores = score_clusters(GOLD, [1, 1, 1, 2, 2, 3])
    assert (scores.bcubed_precision, scores.bcubed_recall, scores.bcubed_f1, scores.ari) == (
        1.0, 1.0, 1.0, 1.0)


def test_bcubed_all_in_one_cluster() -> None:
    # precision per item = share of its class in the single cluster: a 3/6, b 2/6, c 1/6
    precision, recall, f1 = bcubed(GOLD, [0] * 6)
    assert precision == pytest.approx((3 * 3 / 6 + 2 * 2 / 6 + 1 / 6) / 6)
    assert recall == 1.0
    assert f1 == pytest.approx(2 * precision / (precision + 1))


def test_bcubed_singletons_have_full_precision() -> None:
    precision, recall, _ = bcubed(GOLD, list(range(6)))
    assert precision == 1.0
    assert recall == pytest.approx((3 * (1 / 3) + 2 * (1 / 2) + 1) / 6)


@pytest.mark.parametrize("pred", [[0, 0, 1, 1, 2, 2], [0] * 6, list(range(6)), [1, 1, 0, 0, 0, 2]])
def test_ari_matches_scikit_learn(pred: list[int]) -> None:
    assert adjusted_rand_index(GOLD, pred) == pytest.approx(adjusted_rand_score(GOLD, pred))


def test_mismatched_lengths_are_an_error() -> None:
    with pytest.raises(ValueError, match="6 gold labels but 2"):
        bcubed(GOLD, [1, 2])
