"""Tests of yuqing.pipeline.sentiment_eval (metrics and the SnowNLP baseline)."""

from __future__ import annotations

import sys

import pytest

from yuqing.pipeline.sentiment_eval import (
    BaselineMissing,
    score_labels,
    snownlp_label,
    snownlp_predict,
    timed,
)


def test_score_labels_per_class_macro_and_confusion() -> None:
    gold = ["negative", "negative", "neutral", "positive", "positive", "positive"]
    pred = ["negative", "neutral", "neutral", "positive", "positive", "negative"]
    scores = score_labels(gold, pred)
    assert scores["n"] == 6 and scores["accuracy"] == pytest.approx(4 / 6, abs=1e-4)
    neg = scores["per_class"]["negative"]
    assert (neg["precision"], neg["recall"], neg["support"]) == (0.5, 0.5, 2)
    assert scores["per_class"]["positive"]["f1"] == pytest.approx(0.8)
    assert scores["macro_f1"] == pytest.approx((0.5 + 2 / 3 + 0.8) / 3, abs=1e-4)
    assert scores["confusion"]["matrix"] == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    with pytest.raises(ValueError, match="3 gold labels but 2"):
        score_labels(gold[:3], pred[:2])


def test_snownlp_thresholds_and_baseline_runs() -> None:
    assert [snownlp_label(s) for s in (0.1, 0.4, 0.5, 0.6, 0.9)] == \
        ["negative", "neutral", "neutral", "neutral", "positive"]
    pytest.importorskip("snownlp")
    labels, speed = timed(snownlp_predict, ["太好了，非常开心，喜欢", ""])
    assert labels[1] == "neutral" and labels[0] in {"positive", "neutral", "negative"} and speed > 0


def test_missing_snownlp_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "snownlp", None)
    with pytest.raises(BaselineMissing, match="pip install"):
        snownlp_predict(["好"])
