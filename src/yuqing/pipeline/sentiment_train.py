"""Train the sentiment model of :mod:`yuqing.pipeline.sentiment` from ``text,label`` CSVs.

Two parts, averaged: the linear model (hashed n-grams, linear SVM) and the
CNN of :mod:`yuqing.pipeline.sentiment_cnn` (trained with torch by
:mod:`yuqing.pipeline.sentiment_cnn_train`, embeddings pretrained on
unlabelled posts by :mod:`yuqing.pipeline.sentiment_embed`). Reproducible:
the hasher is stateless, the SVM solver deterministic, the CNN seeded and
single-threaded, so the same data give the same model files (byte-identical
in our rebuilds). Texts are normalised as the pipeline does
(``normalize_text``: NFKC, traditional -> simplified). C, the softmax
temperatures, the CNN's epoch and the averaging weight are picked on the dev
set; both parts are fit on train only (dev stays a held-out check, test is
only reported). Data: sentiment3 (derived from SMP2020-EWECT, research use;
the trained weights are shipped, the texts are not), plus our own
hand-written public-affairs posts (:func:`default_domain_path`, shipped in
the package), weighted as :func:`choose_domain_weight` picks on dev.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfTransformer  # type: ignore[import-untyped]
from sklearn.metrics import f1_score  # type: ignore[import-untyped]
from sklearn.svm import LinearSVC  # type: ignore[import-untyped]

from yuqing.domain import SENTIMENTS, BadInput
from yuqing.pipeline.labelled import read_labelled_rows
from yuqing.pipeline.sentiment import (
    FEATURE_VERSION,
    MODEL_NAME,
    SentimentModel,
    hashed_counts,
    softmax,
)
from yuqing.pipeline.sentiment_cnn import WIDTHS, SentimentCNN
from yuqing.pipeline.sentiment_cnn_train import EPOCHS, N_FILTERS, require_torch, train_cnn
from yuqing.pipeline.sentiment_embed import ppmi_embeddings, unlabelled_posts
from yuqing.pipeline.sentiment_text import segmenter, split_emoticons, without_emoticons
from yuqing.pipeline.textnorm import normalize_text

N_FEATURES = 2**20
C_GRID = (0.5, 1.0)
CNN_WEIGHTS = tuple(round(0.1 * i, 1) for i in range(11))
TEMPERATURES = tuple(round(0.5 + 0.25 * i, 2) for i in range(23))
LEXICON_WEIGHT = 0.3
#: sample weights tried for the domain posts, largest first (see choose_domain_weight)
DOMAIN_WEIGHTS = (8.0, 4.0, 2.0, 1.0)
#: how much linear dev macro-F1 the domain posts may cost (sentiment3 dev cannot show their gain)
DOMAIN_DEV_TOLERANCE = 0.002
NEGATION_TEMPLATES = ("不", "并不", "一点也不")
#: (file under the lexicon folder, polarity); HowNet + NTUSD + Tsinghua Li Jun word lists
LEXICON_FILES = (
    ("hownet/positive_emotion_zh.txt", "positive"),
    ("hownet/positive_evaluation_zh.txt", "positive"),
    ("hownet/negative_emotion_zh.txt", "negative"),
    ("hownet/negative_evaluation_zh.txt", "negative"),
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


def default_domain_path() -> Path:
    """Return the path of the shipped public-affairs training posts (``text,label`` CSV,
    written by hand for Yuqing, 2026; see ``data/sentiment/README.md`` beside it)."""
    return Path(str(resources.files("yuqing") / "data" / "sentiment" / "public_affairs_train.csv"))


def read_domain_csv(path: Path) -> tuple[list[str], list[str]]:
    """Return ``(texts, labels)`` of a hand-written ``text,label`` training CSV, normalised.

    Unlike the research sets, a file we write ourselves must be clean: the
    first bad row (empty text, label outside ``SENTIMENTS``) raises BadInput
    ``"<file>:<line>: bad row (label '...')"``, as do a missing file, a wrong
    header or a file without rows.
    """
    texts, labels, problems = read_labelled_csv(Path(path))
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise BadInput(f"{problems[0]}{more}; labels are {', '.join(SENTIMENTS)}")
    if not texts:
        raise BadInput(f"{path}: no rows")
    return [normalize_text(t)[0] for t in texts], labels


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


def fit_temperature(
    logits: np.ndarray, classes: list[str], labels: list[str]
) -> tuple[float, float]:
    """Return ``(t, log_loss)``: the temperature of ``TEMPERATURES`` minimising the dev
    log-loss of softmax(``t * logits``) (``logits`` (n, n_classes), columns = ``classes``),
    so that ``sentiment_score`` is a usable P(negative); the labels do not change."""
    gold = np.array([classes.index(y) for y in labels])
    losses = []
    for t in TEMPERATURES:
        z = logits * t
        z -= z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        losses.append(float(-logp[np.arange(len(gold)), gold].mean()))
    best = int(np.argmin(losses))
    return TEMPERATURES[best], losses[best]


def calibrate(model: SentimentModel, texts: list[str], labels: list[str]) -> SentimentModel:
    """Return the linear ``model`` with its weights scaled by :func:`fit_temperature`."""
    logits = np.log(np.maximum(model.linear_proba(texts), 1e-12))
    t, loss = fit_temperature(logits, model.classes, labels)
    meta = {**model.meta, "temperature": t, "dev_log_loss": round(loss, 4)}
    return SentimentModel(model.coef_t.T * t, model.intercept * t, model.idf, meta)


def add_cnn(model: SentimentModel, cnn: SentimentCNN, texts: list[str], labels: list[str],
            cnn_dev_f1: float) -> SentimentModel:
    """Return ``model`` with ``cnn`` (temperature-calibrated on ``texts``) averaged in at the
    weight of ``CNN_WEIGHTS`` with the best macro-F1 on ``texts`` (the smaller on a tie)."""
    t, loss = fit_temperature(cnn.logits(texts), model.classes, labels)
    cnn = cnn.with_temperature(t)
    p_linear, p_cnn = model.predict_proba(texts), softmax(cnn.logits(texts))
    scores = []
    for w in CNN_WEIGHTS:
        predicted = ((1 - w) * p_linear + w * p_cnn).argmax(axis=1)
        scores.append(float(f1_score(labels, [model.classes[i] for i in predicted],
                                     average="macro", labels=list(SENTIMENTS))))
    weight = CNN_WEIGHTS[int(np.argmax(scores))]
    meta = {**model.meta, "cnn": {"file": f"{model.meta['name']}_cnn.npz", "weight": weight,
                                  "temperature": t, "dev_log_loss": round(loss, 4),
                                  "dev_macro_f1_alone": round(cnn_dev_f1, 4),
                                  "widths": list(WIDTHS), "filters": N_FILTERS, "epochs": EPOCHS}}
    return SentimentModel(model.coef_t.T, model.intercept, model.idf, meta, cnn)


def choose_domain_weight(fit: Callable[[float], SentimentModel], base_f1: float,
                         dev_texts: list[str], dev_labels: list[str],
                         report: Progress) -> tuple[float, SentimentModel | None, dict[str, float]]:
    """Return ``(weight, model, dev macro-F1 by weight)``: the largest of ``DOMAIN_WEIGHTS``
    whose linear model ``fit(weight)`` keeps sentiment3 dev macro-F1 within
    ``DOMAIN_DEV_TOLERANCE`` of ``base_f1`` (the fit without domain posts).

    Dev (Weibo chat) can only show what the domain posts cost, not what they
    bring to public-affairs posts, hence "as much as dev allows" rather than
    the dev maximum; the public-affairs eval set is never used. Weights are
    tried largest first and the search stops at the first acceptable one;
    ``(0.0, None, scores)`` when none is.
    """
    scores: dict[str, float] = {}
    for weight in DOMAIN_WEIGHTS:
        report(f"domain posts, weight {weight}", 0.3)
        model = fit(weight)
        scores[str(weight)] = round(macro_f1(model, dev_texts, dev_labels), 4)
        if scores[str(weight)] >= base_f1 - DOMAIN_DEV_TOLERANCE:
            return weight, model, scores
    return 0.0, None, scores


def _hash(texts: list[str], report: Progress, start: float, span: float) -> sp.csr_matrix:
    """Hash ``texts`` in chunks, reporting progress from ``start`` over ``span``."""
    step = 2000
    parts = []
    for i in range(0, len(texts), step):
        parts.append(hashed_counts(texts[i : i + step], N_FEATURES))
        report(
            f"features {min(i + step, len(texts))}/{len(texts)}",
            start + span * min(1.0, (i + step) / len(texts)),
        )
    return sp.vstack(parts).tocsr() if parts else sp.csr_matrix((0, N_FEATURES), dtype=np.float64)


def train_sentiment(
    train_csv: Path,
    dev_csv: Path,
    out_dir: Path,
    progress: Progress | None = None,
    test_csv: Path | None = None,
    lexicon_dir: Path | None = None,
    unlabelled_dir: Path | None = None,
    domain_csv: Path | None = None,
) -> dict[str, Any]:
    """Train on ``train_csv``, pick C, the temperatures, the CNN epoch and the
    ensemble weight on ``dev_csv``, write ``out_dir/sentiment3.{npz,json}`` and
    ``sentiment3_cnn.npz``.

    ``lexicon_dir`` (optional) adds :func:`lexicon_documents` to the training
    data of both models. The CNN's embeddings are pretrained
    (:mod:`yuqing.pipeline.sentiment_embed`) on the training texts plus the
    unlabelled posts of ``unlabelled_dir`` (optional; dev and test texts are
    left out). ``domain_csv`` (optional; :func:`read_domain_csv`, normally
    :func:`default_domain_path`) adds hand-written public-affairs posts to both
    models at the weight :func:`choose_domain_weight` picks on dev, and to the
    pretraining corpus. ``progress(message, fraction)`` is called at each step
    (fraction in 0..1). ``test_csv``, when given, is scored once at the end
    and recorded (never used to choose anything). Returns the metadata
    written. Raises BadInput for an unreadable CSV, a bad row of ``domain_csv``
    (before any training), or when torch (the ``train`` extra) is missing.
    """
    report = progress or (lambda _msg, _frac: None)
    dom_texts, dom_labels = read_domain_csv(Path(domain_csv)) if domain_csv else ([], [])
    require_torch()
    report("reading data", 0.0)
    texts, labels, problems = read_labelled_csv(Path(train_csv))
    dev_texts, dev_labels, dev_problems = read_labelled_csv(Path(dev_csv))
    test_texts, test_labels = read_labelled_csv(Path(test_csv))[:2] if test_csv else ([], [])
    texts = [normalize_text(t)[0] for t in texts]
    dev_texts = [normalize_text(t)[0] for t in dev_texts]
    test_texts = [normalize_text(t)[0] for t in test_texts]
    lex_texts, lex_labels = lexicon_documents(lexicon_dir) if lexicon_dir else ([], [])
    x_train = _hash(texts, report, 0.02, 0.15)
    x_extra = _hash(lex_texts, report, 0.17, 0.03)
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
        "model": "average of a one-vs-rest linear SVM (class_weight=balanced, softmax over "
                 "its decision values) and a char+word CNN, temperatures and weight fitted on "
                 "dev; emoticons weigh only in posts without words (strict_emoticons)",
        "strict_emoticons": True,
    }
    scored: list[tuple[float, SentimentModel]] = []
    for i, c in enumerate(C_GRID):
        report(f"fitting C={c}", 0.2 + 0.15 * i / len(C_GRID))
        model = _fit(x, labels + lex_labels, weights, c, idf, meta)
        scored.append((macro_f1(model, dev_texts, dev_labels), model))
    dev_f1, model = max(scored, key=lambda pair: pair[0])
    dom_weight, c_chosen, base_f1 = 0.0, model.meta["C"], dev_f1
    if dom_texts:
        x_all = sp.vstack([x, tfidf.transform(_hash(dom_texts, report, 0.35, 0.0))]).tocsr()

        def fit_with(weight: float) -> SentimentModel:
            return _fit(x_all, labels + lex_labels + dom_labels,
                        np.concatenate([weights, np.full(len(dom_texts), weight)]),
                        c_chosen, idf, meta)

        dom_weight, dom_model, by_weight = choose_domain_weight(fit_with, dev_f1, dev_texts,
                                                                dev_labels, report)
        if dom_model is not None:
            model, dev_f1 = dom_model, by_weight[str(dom_weight)]
        model.meta.update({"domain_data": Path(domain_csv or "").name, "n_domain": len(dom_texts),
                           "domain_weight": dom_weight,
                           "domain_dev_macro_f1_by_weight": by_weight,
                           "linear_dev_macro_f1_without_domain": round(base_f1, 4)})
    model = calibrate(model, dev_texts, dev_labels)
    model.meta["linear_dev_macro_f1"] = round(dev_f1, 4)
    report("pretraining embeddings", 0.35)
    held_out = {t.strip() for t in dev_texts + test_texts}
    kept_dom = dom_texts if dom_weight > 0 else []
    corpus = unique_posts([*texts, *kept_dom,
                           *(unlabelled_posts(unlabelled_dir) if unlabelled_dir else [])], held_out)
    char_vectors = ppmi_embeddings([list(t) for t in corpus])
    cut = segmenter().cut
    word_vectors = ppmi_embeddings([[w for w in cut(t, False) if w.strip()] for t in corpus])
    model.meta["pretraining_posts"] = len(corpus)
    report("training CNN", 0.45)
    cnn_weights = (
        [1.0] * len(texts) + [dom_weight] * len(kept_dom) + [LEXICON_WEIGHT] * len(lex_texts)
    )
    arrays, cnn_f1 = train_cnn(texts + kept_dom + lex_texts,
                               labels + dom_labels[: len(kept_dom)] + lex_labels, cnn_weights,
                               dev_texts, dev_labels, model.classes, char_vectors, word_vectors,
                               report, 0.45, 0.45)
    model = add_cnn(model, SentimentCNN(arrays), dev_texts, dev_labels, cnn_f1)
    model.meta["dev_macro_f1"] = round(macro_f1(model, dev_texts, dev_labels), 4)
    if test_csv is not None:
        model.meta["test_data"] = Path(test_csv).name
        model.meta["test_macro_f1"] = round(macro_f1(model, test_texts, test_labels), 4)
    report("writing model", 0.95)
    save_model(model, Path(out_dir))
    report("done", 1.0)
    return {**model.meta, "problems": problems + dev_problems}


def unique_posts(texts: Iterable[str], held_out: set[str]) -> list[str]:
    """Return the distinct own words (see :func:`split_emoticons`) of ``texts`` after
    ``normalize_text``, in first-seen order, leaving out empty ones and texts in ``held_out``
    (stripped normalised texts of the dev and test sets)."""
    seen: set[str] = set()
    out: list[str] = []
    for raw in texts:
        text = normalize_text(raw)[0].strip()
        if not text or text in held_out or text in seen:
            continue
        seen.add(text)
        words = split_emoticons(without_emoticons(text))[0]
        if words:
            out.append(words)
    return out


def save_model(model: SentimentModel, out_dir: Path) -> Path:
    """Write ``out_dir/<name>.npz`` (float32 arrays), ``<name>.json`` and the CNN's
    ``.npz`` (when the model has one); return the npz path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    npz = out_dir / f"{model.meta['name']}.npz"
    np.savez_compressed(
        npz, coef=model.coef_t.T.astype(np.float32), intercept=model.intercept, idf=model.idf
    )
    if model.cnn is not None:
        model.cnn.save(out_dir / model.meta["cnn"]["file"])
    npz.with_suffix(".json").write_text(
        json.dumps(model.meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return npz
