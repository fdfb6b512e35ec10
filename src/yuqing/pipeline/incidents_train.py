"""Train and measure the incident models of pipeline/incidents.py.

The labelled set (tests/fixtures/incidents/incidents.csv, hand-written by us) has
columns ``text,label,category,type,kind,split``: label 1 (a report of a happening)
or 0, the category and type of a 1, the kind of a hard negative (advice, drill,
history, fiction, metaphor, notice, other) and ``split`` train or test.
:func:`train` fits two logistic regressions (scikit-learn, liblinear/lbfgs) on
the train half and returns the ``model.json`` document; :func:`evaluate`
scores a detector on the rows given. Run ``python -m yuqing.pipeline.incidents_train
CSV OUT`` to rebuild the shipped model (deterministic: fixed solver, no sampling).
"""

from __future__ import annotations

import csv
import itertools
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from yuqing.domain import BadInput
from yuqing.pipeline.incidents import CATEGORIES, IncidentDetector, features
from yuqing.pipeline.sentiment_text import own_words
from yuqing.pipeline.textnorm import normalize_text

MIN_DF = 2  # an n-gram must occur in this many training posts to get a weight
C = 4.0  # inverse regularisation strength of both models (chosen by 5-fold CV on the train half)
THRESHOLD = 0.5
#: kinds of the office training posts that report no happening (data/office/README.md)
OFFICE_NOT_HAPPENING = frozenset({"fiction", "game", "drill", "history", "advice", "metaphor",
                                  "notice", "denial", "mood", "question", "offtopic",
                                  "praise", "news"})


@dataclass(frozen=True)
class Row:
    """One labelled post: ``label`` True for a happening; ``category`` and ``type`` of a
    happening ("" otherwise), ``kind`` of a negative, ``split`` train/test."""

    text: str
    label: bool
    category: str
    type: str
    kind: str
    split: str


def read_incident_csv(path: Path) -> list[Row]:
    """Return the rows of a labelled incident CSV (``#`` lines before the header are
    comments; a post may start with ``#``, as a Weibo hashtag does); raises BadInput
    naming the file and line of a missing file, a missing column or a bad label/category."""
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    with path.open(encoding="utf-8", newline="") as f:
        lines = list(itertools.dropwhile(lambda line: line.startswith("#"), f))
    rows: list[Row] = []
    reader = csv.DictReader(lines)
    missing = {"text", "label"} - set(reader.fieldnames or [])
    if missing:
        raise BadInput(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    for n, rec in enumerate(reader, 2):
        label, category = rec["label"].strip(), (rec.get("category") or "").strip()
        if label not in ("0", "1") or (label == "1" and category not in CATEGORIES):
            raise BadInput(f"{path}:{n}: label {label!r} / category {category!r} "
                           f"(label 0 or 1; a 1 needs one of {', '.join(CATEGORIES)})")
        rows.append(Row(rec["text"], label == "1", category, (rec.get("type") or "").strip(),
                        (rec.get("kind") or "").strip(), (rec.get("split") or "test").strip()))
    if not rows:
        raise BadInput(f"{path}: no rows")
    return rows


def prepared(text: str) -> str:
    """Return ``text`` as the stage sees it: normalised (simplified) own words."""
    return own_words(normalize_text(text)[0])


def _featurise(detector: IncidentDetector, rows: Sequence[Row]) -> list[set[str]]:
    out = []
    for row in rows:
        text = prepared(row.text)
        out.append(features(text, [t for _, t in detector.cues(text)]))
    return out


def office_posts(path: Path | None = None) -> list[Row]:
    """Return the office polarity training posts (``data/office/office_train.csv``, see
    pipeline/office_train.py; ``path`` another file of its columns) whose ``kind`` says
    whether they report a happening, as ``train`` rows with no category: ``incident`` a
    happening; ``OFFICE_NOT_HAPPENING`` kinds (fiction, a drill, history, advice ...) not.
    Complaints, rumours and other-county posts are left out (a complaint is no happening,
    and another county's fire is one), and so are rescues told as good news: their words
    (无生命危险, 已送医院) are those of a real report that ends well (23 pupils poisoned, none
    in danger), which an office must still hear of. Raises BadInput naming a missing file."""
    from yuqing.pipeline.office_train import csv_rows

    where = path if path is not None else Path(str(resources.files("yuqing") / "data" /
                                                   "office" / "office_train.csv"))
    return [Row(rec["text"], rec["kind"] == "incident", "", "", rec["kind"], "train")
            for rec in csv_rows(where)
            if rec["kind"] == "incident" or rec["kind"] in OFFICE_NOT_HAPPENING]


def train(rows: Sequence[Row], detector: IncidentDetector,
          extra: Sequence[Row] = ()) -> dict[str, Any]:
    """Return the ``model.json`` document trained on the ``train`` rows of ``rows``
    (``detector`` supplies the cue lexicon); ``extra`` rows (:func:`office_posts`) teach
    the happening model only (they carry no category). Posts without a cue are left out:
    the stage never asks the model about them."""
    from sklearn.feature_extraction import DictVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    train_rows = [r for r in [*rows, *extra]
                  if r.split == "train" and detector.cues(prepared(r.text))]
    feats = _featurise(detector, train_rows)
    df: dict[str, int] = {}
    for fs in feats:
        for f in fs:
            df[f] = df.get(f, 0) + 1
    kept = [{f: 1 for f in fs if df[f] >= MIN_DF or ":" in f} for fs in feats]
    vec = DictVectorizer()
    x = vec.fit_transform(kept)
    names = list(vec.get_feature_names_out())
    happening = LogisticRegression(C=C, class_weight="balanced", max_iter=2000)
    happening.fit(x, [r.label for r in train_rows])
    pos = [i for i, r in enumerate(train_rows) if r.label and r.category]
    category = LogisticRegression(C=C, max_iter=2000)
    category.fit(x[pos], [CATEGORIES.index(train_rows[i].category) for i in pos])
    cat_w = category.coef_.T.tolist()
    return {
        "about": "incident models trained by pipeline/incidents_train.py on the train half "
                 "of tests/fixtures/incidents/incidents.csv (hand-written by us)"
                 + (f" and {len(extra)} posts of data/office/office_train.csv" if extra else ""),
        "bias": round(float(happening.intercept_[0]), 5), "threshold": THRESHOLD,
        "happening": {n: round(float(w), 5) for n, w in zip(names, happening.coef_[0],
                                                              strict=True) if abs(w) > 1e-4},
        "category_bias": [round(float(b), 5) for b in category.intercept_],
        "category": {n: [round(w, 4) for w in row] for n, row in zip(names, cat_w, strict=True)
                     if max(abs(w) for w in row) > 1e-3},
    }


def evaluate(detector: IncidentDetector, rows: Sequence[Row]) -> dict[str, Any]:
    """Return ``{"n", "precision", "recall", "f1", "category_accuracy", "errors"}`` of
    ``detector`` on ``rows``: precision/recall/F1 of label 1; category accuracy over the
    true positives; ``errors`` lists up to 20 misread posts."""
    tp = fp = fn = cat_ok = 0
    errors: list[dict[str, Any]] = []
    for row in rows:
        found = detector.detect(prepared(row.text))
        if found and row.label:
            tp += 1
            cat_ok += found["category"] == row.category
            if found["category"] != row.category and len(errors) < 20:
                errors.append({"text": row.text, "gold": row.category,
                               "got": found["category"]})
        elif found or row.label:
            fp += bool(found)
            fn += row.label
            if len(errors) < 20:
                errors.append({"text": row.text, "gold": row.label, "got": bool(found)})
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"n": len(rows), "precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(f1, 4), "category_accuracy": round(cat_ok / tp, 4) if tp else 0.0,
            "errors": errors}


def main(argv: list[str]) -> None:
    """``python -m yuqing.pipeline.incidents_train CSV OUT``: write the model to OUT."""
    rows = read_incident_csv(Path(argv[0]))
    doc = train(rows, IncidentDetector.shipped(baseline=True), office_posts())
    Path(argv[1]).write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n",
                             encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
