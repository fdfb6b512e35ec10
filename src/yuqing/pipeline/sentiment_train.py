"""Train the sentiment model of :mod:`yuqing.pipeline.sentiment` from ``text,label`` CSVs.

Reproducible: the hasher is stateless and the solver (lbfgs) deterministic,
so the same CSVs give the same model. C is picked on the dev set from
``C_GRID``; the chosen model is refit on train only (dev stays a held-out
check). Data: sentiment3 (derived from SMP2020-EWECT, research use; the
trained coefficients are shipped, the texts are not).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfTransformer  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.metrics import f1_score  # type: ignore[import-untyped]

from yuqing.domain import SENTIMENTS, BadInput
from yuqing.pipeline.sentiment import (
    FEATURE_VERSION,
    MODEL_NAME,
    SentimentModel,
    hashing_vectorizer,
)

N_FEATURES = 2**19
C_GRID = (3.0, 10.0)
Progress = Callable[[str, float], None]


def read_labelled_csv(path: Path) -> tuple[list[str], list[str], list[str]]:
    """Return (texts, labels, problems) from a ``text,label`` CSV (UTF-8, BOM allowed).

    A row with an empty text or a label outside ``SENTIMENTS`` is skipped and
    described in ``problems`` as ``file:line: problem``. Raises BadInput when
    the file is missing or has no ``text``/``label`` columns.
    """
    texts: list[str] = []
    labels: list[str] = []
    problems: list[str] = []
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError as exc:
        raise BadInput(f"{path}: file not found") from exc
    with handle:
        reader = csv.DictReader(handle)
        if not {"text", "label"} <= set(reader.fieldnames or ()):
            raise BadInput(f"{path}:1: header must have columns text,label, got {reader.fieldnames}")
        for row in reader:
            text, label = (row.get("text") or "").strip(), (row.get("label") or "").strip()
            if not text or label not in SENTIMENTS:
                problems.append(f"{path}:{reader.line_num}: bad row (label {label!r})")
                continue
            texts.append(text)
            labels.append(label)
    return texts, labels, problems


def macro_f1(model: SentimentModel, texts: list[str], labels: list[str]) -> float:
    """Return the macro-averaged F1 of ``model`` on ``texts`` against ``labels``."""
    predicted, _ = model.predict(texts)
    return float(f1_score(labels, predicted, average="macro", labels=list(SENTIMENTS)))


def _fit(x: Any, y: list[str], c: float, idf: np.ndarray, meta: dict[str, Any]) -> SentimentModel:
    clf = LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=0)
    clf.fit(x, y)
    meta = {**meta, "classes": [str(k) for k in clf.classes_], "C": c}
    return SentimentModel(clf.coef_, clf.intercept_, idf, meta)


def train_sentiment(
    train_csv: Path,
    dev_csv: Path,
    out_dir: Path,
    progress: Progress | None = None,
    test_csv: Path | None = None,
) -> dict[str, Any]:
    """Train on ``train_csv``, tune C on ``dev_csv``, write ``out_dir/sentiment3.{npz,json}``.

    ``progress(message, fraction)`` is called at each step (fraction in 0..1).
    ``test_csv``, when given, is scored once at the end and recorded.
    Returns the metadata written (classes, C, dev/test macro-F1, data names,
    skipped-row problems). Raises BadInput for an unreadable CSV.
    """
    report = progress or (lambda _msg, _frac: None)
    report("reading data", 0.0)
    texts, labels, problems = read_labelled_csv(Path(train_csv))
    dev_texts, dev_labels, dev_problems = read_labelled_csv(Path(dev_csv))
    report("hashing features", 0.1)
    hasher = hashing_vectorizer(N_FEATURES)
    tfidf = TfidfTransformer(sublinear_tf=True).fit(hasher.transform(texts))
    idf = tfidf.idf_.astype(np.float32)
    x = tfidf.transform(hasher.transform(texts))
    meta: dict[str, Any] = {
        "name": MODEL_NAME,
        "feature_version": FEATURE_VERSION,
        "n_features": N_FEATURES,
        "train_data": Path(train_csv).name,
        "dev_data": Path(dev_csv).name,
        "n_train": len(texts),
        "trained_at": datetime.now(UTC).date().isoformat(),
        "model": "multinomial logistic regression, class_weight=balanced",
    }
    scored: list[tuple[float, SentimentModel]] = []
    for i, c in enumerate(C_GRID):
        report(f"fitting C={c}", 0.2 + 0.7 * i / len(C_GRID))
        model = _fit(x, labels, c, idf, meta)
        scored.append((macro_f1(model, dev_texts, dev_labels), model))
    dev_f1, model = max(scored, key=lambda pair: pair[0])
    model.meta["dev_macro_f1"] = round(dev_f1, 4)
    if test_csv is not None:
        test_texts, test_labels, _ = read_labelled_csv(Path(test_csv))
        model.meta["test_data"] = Path(test_csv).name
        model.meta["test_macro_f1"] = round(macro_f1(model, test_texts, test_labels), 4)
    report("writing model", 0.95)
    save_model(model, Path(out_dir))
    report("done", 1.0)
    return {**model.meta, "problems": problems + dev_problems}


def save_model(model: SentimentModel, out_dir: Path) -> Path:
    """Write ``out_dir/<name>.npz`` (float32 arrays) and ``<name>.json``; return the npz path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    npz = out_dir / f"{model.meta['name']}.npz"
    np.savez_compressed(
        npz, coef=model.coef_t.T.astype(np.float32), intercept=model.intercept, idf=model.idf
    )
    npz.with_suffix(".json").write_text(
        json.dumps(model.meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return npz
