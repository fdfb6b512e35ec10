"""Scoring a sentiment labeller against a ``text,label`` set, with the SnowNLP baseline.

Metrics are the usual ones (accuracy; per-class precision, recall, F1 and
support; macro-F1 = unweighted mean of the F1s of the classes present in the
gold labels -- all three on a 3-class set; on a binary review set mapped to
negative/positive, a "neutral" prediction simply counts as an error; confusion
matrix rows = gold label, columns = predicted label, order ``SENTIMENTS``).
The baseline is SnowNLP's sentiment with the thresholds of MEASURED.md
(score < 0.4 negative, > 0.6 positive, else neutral); SnowNLP 0.12.3 is a
dependency of yuqing, and :func:`snownlp_predict` raises
:class:`BaselineMissing` when it was removed from the environment.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from yuqing.domain import SENTIMENTS, YuqingError

SNOWNLP_NEGATIVE_BELOW = 0.4
SNOWNLP_POSITIVE_ABOVE = 0.6
Predict = Callable[[Sequence[str]], list[str]]


class BaselineMissing(YuqingError):
    """The baseline library is not installed; the message says how to install it."""


def score_labels(gold: Sequence[str], predicted: Sequence[str],
                 classes: Sequence[str] = SENTIMENTS) -> dict[str, Any]:
    """Return ``{"n", "accuracy", "macro_f1", "per_class", "confusion"}``.

    ``per_class[c]`` is ``{"precision", "recall", "f1", "support"}``;
    ``confusion`` is ``{"labels": classes, "matrix": [[count]]}`` with gold
    labels as rows. A class with no prediction or no support scores 0.
    Raises ValueError when the two sequences differ in length.
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    index = {c: i for i, c in enumerate(classes)}
    matrix = [[0] * len(classes) for _ in classes]
    for g, p in zip(gold, predicted, strict=True):
        if g in index and p in index:
            matrix[index[g]][index[p]] += 1
    per_class: dict[str, dict[str, float | int]] = {}
    for c, i in index.items():
        tp = matrix[i][i]
        pred = sum(row[i] for row in matrix)
        support = sum(matrix[i])
        precision = tp / pred if pred else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[c] = {"precision": round(precision, 4), "recall": round(recall, 4),
                        "f1": round(f1, 4), "support": support}
    n = len(gold)
    correct = sum(g == p for g, p in zip(gold, predicted, strict=True))
    present = [m for m in per_class.values() if m["support"]] or list(per_class.values())
    macro = sum(float(m["f1"]) for m in present) / len(present)
    return {"n": n, "accuracy": round(correct / n, 4) if n else 0.0, "macro_f1": round(macro, 4),
            "per_class": per_class, "confusion": {"labels": list(classes), "matrix": matrix}}


def snownlp_label(score: float) -> str:
    """Return the 3-class label of a SnowNLP positivity ``score`` (0..1), thresholds above."""
    if score < SNOWNLP_NEGATIVE_BELOW:
        return "negative"
    if score > SNOWNLP_POSITIVE_ABOVE:
        return "positive"
    return "neutral"


def require_snownlp() -> Any:
    """Return the ``SnowNLP`` class; raises BaselineMissing (with the install command) when
    snownlp, a dependency of yuqing, is missing from the environment."""
    try:
        from snownlp import SnowNLP  # type: ignore[import-untyped]
    except ImportError as exc:
        raise BaselineMissing(
            "baseline SnowNLP (a dependency of yuqing) is not installed: "
            "pip install snownlp==0.12.3 (or reinstall yuqing: pip install -e .)"
        ) from exc
    return SnowNLP


def snownlp_predict(texts: Sequence[str]) -> list[str]:
    """Return SnowNLP's 3-class labels for ``texts`` (about 120 posts/s, MEASURED.md).

    Raises BaselineMissing when snownlp is not installed. An empty text is neutral.
    """
    SnowNLP = require_snownlp()  # noqa: N806 - a class
    return [snownlp_label(float(SnowNLP(t).sentiments)) if t.strip() else "neutral" for t in texts]


def timed(predict: Predict, texts: Sequence[str]) -> tuple[list[str], float]:
    """Return ``(predict(texts), posts_per_second)``; one warm-up call on the first
    text (model loading, dictionary building) is not timed."""
    predict(texts[:1])
    start = time.perf_counter()
    labels = predict(texts)
    elapsed = max(time.perf_counter() - start, 1e-9)
    return labels, len(texts) / elapsed


def model_predict(emotions: list[str] | None = None) -> Predict:
    """Return a predictor over raw texts of the label the sentiment stage sets: the shipped
    model's on their match text, turned into the office polarity with the shipped office
    model (a complaint is negative; :func:`~yuqing.pipeline.polarity.office_polarity`).
    When ``emotions`` is given, the model's own labels (the stage's ``emotion``) of the
    last call are put in it too.

    The text is normalised exactly as the pipeline does (``normalize_text``)
    before the model sees it. Raises StageUnavailable when the model is missing.
    """
    from yuqing.pipeline.office import OfficeModel
    from yuqing.pipeline.polarity import office_polarity
    from yuqing.pipeline.sentiment import SentimentModel
    from yuqing.pipeline.textnorm import normalize_text

    model = SentimentModel.load()
    office = OfficeModel.load()

    def predict(texts: Sequence[str]) -> list[str]:
        match = [normalize_text(t)[0] for t in texts]
        labels = model.predict(match)[0]
        if emotions is not None:
            emotions[:] = labels
        return [office_polarity(e, t, office) for e, t in zip(labels, match, strict=True)]

    return predict
