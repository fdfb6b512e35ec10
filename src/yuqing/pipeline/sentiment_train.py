"""Train the sentiment model of :mod:`yuqing.pipeline.sentiment` from ``text,label`` CSVs.

Reproducible: the hasher is stateless and the solver (lbfgs) deterministic,
so the same CSVs give the same model. Texts are normalised as the pipeline
does (``normalize_text``: NFKC, traditional -> simplified) before hashing.
C and the softmax temperature are picked on the dev set; the model is fit on train
only (dev stays a held-out check, test is only reported). Data: sentiment3 (derived from SMP2020-EWECT, research use; the
trained coefficients are shipped, the texts are not).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfTransformer  # type: ignore[import-untyped]
from sklearn.metrics import f1_score  # type: ignore[import-untyped]
from sklearn.svm import LinearSVC  # type: ignore[import-untyped]

from yuqing.domain import SENTIMENTS
from yuqing.pipeline.labelled import read_labelled_rows
from yuqing.pipeline.sentiment import (
    FEATURE_VERSION,
    MODEL_NAME,
    SentimentModel,
    hashing_vectorizer,
)
from yuqing.pipeline.textnorm import normalize_text

N_FEATURES = 2**20
C_GRID = (0.5, 1.0)
TEMPERATURES = tuple(round(0.5 + 0.25 * i, 2) for i in range(23))
LEXICON_WEIGHT = 0.3
NEGATION_TEMPLATES = ("不", "并不", "一点也不")
#: (file under the lexicon folder, polarity); HowNet + NTUSD + Tsinghua Li Jun word lists
LEXICON_FILES = (
    ("hownet/positive_emotion_zh.txt", "positive"), ("hownet/positive_evaluation_zh.txt", "positive"),
    ("hownet/negative_emotion_zh.txt", "negative"), ("hownet/negative_evaluation_zh.txt", "negative"),
    ("ntusd/NTUSD_positive_simplified.txt", "positive"),
    ("ntusd/NTUSD_negative_simplified.txt", "negative"),
    ("tsinghua_lijun/tsinghua_positive.txt", "positive"),
    ("tsinghua_lijun/tsinghua_negative.txt", "negative"),
)
LEXICON_NOTE = ("sentiment word lists (HowNet, NTUSD, Tsinghua Li Jun; research data, not "
                "redistributed) were used at TRAIN time only, as weighted pseudo-documents; "
                "the shipped artefact is the model weights, not the lexicon")
Progress = Callable[[str, float], None]


def read_labelled_csv(path: Path) -> tuple[list[str], list[str], list[str]]:
    """Return (texts, labels, problems) from a ``text,label`` CSV (UTF-8, BOM allowed).

    A row with an empty text or a label outside ``SENTIMENTS`` is skipped and
    described in ``problems`` as ``file:line: problem``. Raises BadInput when
    the file is missing or has no ``text``/``label`` columns.
    """
    return read_labelled_rows(path, "label", SENTIMENTS)


def macro_f1(model: SentimentModel, texts: list[str], labels: list[str]) -> float:
    """Return the macro-averaged F1 of ``model`` on ``texts`` against ``labels``."""
    predicted, _ = model.predict(texts)
    return float(f1_score(labels, predicted, average="macro", labels=list(SENTIMENTS)))


def lexicon_documents(folder: Path) -> tuple[list[str], list[str]]:
    """Return negation pseudo-documents ``(texts, labels)`` built from sentiment word lists.

    For every word ``w`` of ``LEXICON_FILES`` and every prefix ``p`` of
    ``NEGATION_TEMPLATES``: ``p + w`` is labelled negative when ``w`` is
    positive (不高兴) and neutral when ``w`` is negative (不难过). The bare
    words are not used (measured: they lowered dev macro-F1). The documents
    are weighted ``LEXICON_WEIGHT`` in training; only the resulting model
    weights are shipped, never the word lists (research data:
    ../shared/data/sentiment_lexicons, no redistribution). Missing files are
    skipped; the first line of each file (a title in HowNet's) is skipped.
    """
    texts: list[str] = []
    labels: list[str] = []
    for name, polarity in LEXICON_FILES:
        path = folder / name
        if not path.is_file():
            continue
        words = {w.strip() for w in path.read_text(encoding="utf-8").splitlines()[1:]}
        label = "negative" if polarity == "positive" else "neutral"
        for word in sorted(w for w in words if 2 <= len(w) <= 6 and " " not in w):
            texts += [prefix + word for prefix in NEGATION_TEMPLATES]
            labels += [label] * len(NEGATION_TEMPLATES)
    return texts, labels


def _fit(x: Any, y: list[str], weights: np.ndarray, c: float, idf: np.ndarray,
         meta: dict[str, Any]) -> SentimentModel:
    """Fit a one-vs-rest linear SVM; its decision values become logits (scaled later)."""
    clf = LinearSVC(C=c, class_weight="balanced", random_state=0, max_iter=5000)
    clf.fit(x, y, sample_weight=weights)
    meta = {**meta, "classes": [str(k) for k in clf.classes_], "C": c}
    return SentimentModel(clf.coef_, clf.intercept_, idf, meta)


def calibrate(model: SentimentModel, texts: list[str], labels: list[str]) -> SentimentModel:
    """Return ``model`` with its weights scaled by the temperature in ``TEMPERATURES`` that
    minimises the log-loss of softmax(decision values) on ``texts`` (so that
    ``sentiment_score`` is a usable P(negative)); the labels do not change."""
    logits = np.log(np.maximum(model.predict_proba(texts), 1e-12))
    gold = np.array([model.classes.index(y) for y in labels])
    losses = []
    for t in TEMPERATURES:
        z = logits * t
        z -= z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        losses.append(float(-logp[np.arange(len(gold)), gold].mean()))
    t = TEMPERATURES[int(np.argmin(losses))]
    meta = {**model.meta, "temperature": t, "dev_log_loss": round(min(losses), 4)}
    return SentimentModel(model.coef_t.T * t, model.intercept * t, model.idf, meta)


def _hash(texts: list[str], report: Progress, start: float, span: float) -> sp.csr_matrix:
    """Hash ``texts`` in chunks, reporting progress from ``start`` over ``span``."""
    hasher = hashing_vectorizer(N_FEATURES)
    step = 2000
    parts = []
    for i in range(0, len(texts), step):
        parts.append(hasher.transform(texts[i : i + step]))
        report(f"features {min(i + step, len(texts))}/{len(texts)}", start + span * min(1.0, (i + step) / len(texts)))
    return sp.vstack(parts).tocsr() if parts else sp.csr_matrix((0, N_FEATURES), dtype=np.float64)


def train_sentiment(
    train_csv: Path,
    dev_csv: Path,
    out_dir: Path,
    progress: Progress | None = None,
    test_csv: Path | None = None,
    lexicon_dir: Path | None = None,
) -> dict[str, Any]:
    """Train on ``train_csv``, pick C and the temperature on ``dev_csv``, write
    ``out_dir/sentiment3.{npz,json}``.

    ``lexicon_dir`` (optional) adds :func:`lexicon_documents` to the training
    data. ``progress(message, fraction)`` is called at each step (fraction in
    0..1). ``test_csv``, when given, is scored once at the end and recorded
    (never used to choose anything). Returns the metadata written. Raises
    BadInput for an unreadable CSV.
    """
    report = progress or (lambda _msg, _frac: None)
    report("reading data", 0.0)
    texts, labels, problems = read_labelled_csv(Path(train_csv))
    dev_texts, dev_labels, dev_problems = read_labelled_csv(Path(dev_csv))
    texts, labels = [normalize_text(t)[0] for t in texts], labels
    dev_texts = [normalize_text(t)[0] for t in dev_texts]
    lex_texts, lex_labels = lexicon_documents(lexicon_dir) if lexicon_dir else ([], [])
    x_train = _hash(texts, report, 0.02, 0.3)
    x_extra = _hash(lex_texts, report, 0.32, 0.08)
    tfidf = TfidfTransformer(sublinear_tf=True).fit(x_train)
    idf = tfidf.idf_.astype(np.float32)
    x = tfidf.transform(sp.vstack([x_train, x_extra]).tocsr())
    weights = np.concatenate([np.ones(len(texts)), np.full(len(lex_texts), LEXICON_WEIGHT)])
    meta: dict[str, Any] = {
        "name": MODEL_NAME,
        "feature_version": FEATURE_VERSION,
        "n_features": N_FEATURES,
        "train_data": Path(train_csv).name,
        "dev_data": Path(dev_csv).name,
        "n_train": len(texts),
        "lexicon_pseudo_documents": len(lex_texts),
        "lexicon_note": LEXICON_NOTE if lex_texts else "no lexicon used",
        "model": "one-vs-rest linear SVM (class_weight=balanced) with softmax over its "
                 "decision values, temperature fitted on dev; emoticons weigh only in posts "
                 "without words (strict_emoticons)",
        "strict_emoticons": True,
    }
    scored: list[tuple[float, SentimentModel]] = []
    for i, c in enumerate(C_GRID):
        report(f"fitting C={c}", 0.4 + 0.45 * i / len(C_GRID))
        model = _fit(x, labels + lex_labels, weights, c, idf, meta)
        scored.append((macro_f1(model, dev_texts, dev_labels), model))
    dev_f1, model = max(scored, key=lambda pair: pair[0])
    report("calibration", 0.88)
    model = calibrate(model, dev_texts, dev_labels)
    model.meta["dev_macro_f1"] = round(dev_f1, 4)
    if test_csv is not None:
        test_texts, test_labels, _ = read_labelled_csv(Path(test_csv))
        model.meta["test_data"] = Path(test_csv).name
        model.meta["test_macro_f1"] = round(
            macro_f1(model, [normalize_text(t)[0] for t in test_texts], test_labels), 4)
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
