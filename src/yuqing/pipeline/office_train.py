"""Train the office polarity model of pipeline/office.py from the shipped posts we wrote.

Training posts (all hand-written by us, all shipped in the repository), label 1 = negative
for the office (something happened, or someone complains or accuses):

- ``data/office/office_train.csv`` (``text,label,kind``): complaints told as plain facts,
  harm told calmly, polite requests, rumours to check (1); rescues told as good news, the
  writer's own mood, games, dreams and films, praise, routine news, notices, drills,
  advice, history, denials, weather and metaphors (0);
- ``data/sentiment/public_affairs_train.csv``: ``negative`` → 1, ``neutral``/``positive`` → 0;
- the ``train`` half of ``tests/fixtures/incidents/incidents.csv``: a report of a
  happening → 1, its hard negatives → 0.

``python -m yuqing.pipeline.office_train OUT`` writes the model (deterministic: lbfgs,
no sampling); ``--cv`` prints the 5-fold cross-validated F1 of each ``C`` in ``CS`` instead.
Neither the whole-alert set nor the sentiment eval sets are read.
"""

from __future__ import annotations

import csv
import itertools
import json
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from yuqing.domain import BadInput
from yuqing.pipeline.office import features
from yuqing.pipeline.textnorm import normalize_text

MIN_DF = 2  # an n-gram must occur in this many training posts to get a weight
CS = (0.5, 1.0, 2.0, 4.0)
#: inverse regularisation strength, chosen by 5-fold cross-validation on the training posts
C = 4.0
#: P(negative for the office) at or above which a post is negative, and below which a post
#: the writer's emotion calls negative is not (chosen on the dev split of the whole-alert set)
THRESHOLDS = {"negative": 0.85, "not_negative": 0.3,
              "subject_negative": 0.5, "subject_not_negative": 0.3,
              "subject_not_incident": 0.1}
INCIDENTS_CSV = Path(__file__).resolve().parents[3] / "tests/fixtures/incidents/incidents.csv"


def csv_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV whose ``#`` lines before the header are comments; raises BadInput
    naming a missing file."""
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    with path.open(encoding="utf-8", newline="") as f:
        lines = list(itertools.dropwhile(lambda line: line.startswith("#"), f))
    return list(csv.DictReader(lines))


def training_posts(incidents_csv: Path = INCIDENTS_CSV) -> list[tuple[str, int]]:
    """Return ``[(text, label)]`` of the three sources of the module docstring; raises
    BadInput naming the file and line of a label that is not one of its file's labels."""
    data = Path(str(resources.files("yuqing") / "data"))
    labels = {"office/office_train.csv": {"1": 1, "0": 0},
              "sentiment/public_affairs_train.csv": {"negative": 1, "neutral": 0,
                                                     "positive": 0}}
    posts: list[tuple[str, int]] = []
    for name, mapping in labels.items():
        for n, row in enumerate(csv_rows(data / name), 2):
            if row["label"] not in mapping:
                raise BadInput(f"{data / name}:{n}: label {row['label']!r}")
            posts.append((row["text"], mapping[row["label"]]))
    posts += [(row["text"], int(row["label"])) for row in csv_rows(incidents_csv)
              if row.get("split") == "train"]
    return posts


def _matrix(posts: Sequence[tuple[str, int]]) -> tuple[list[dict[str, int]], list[int]]:
    feats = [features(normalize_text(text)[0]) for text, _ in posts]
    df: dict[str, int] = {}
    for fs in feats:
        for f in fs:
            df[f] = df.get(f, 0) + 1
    return ([{f: 1 for f in fs if df[f] >= MIN_DF} for fs in feats],
            [label for _, label in posts])


def train(posts: Sequence[tuple[str, int]], c: float = C) -> dict[str, Any]:
    """Return the ``office.json`` document fitted on ``posts`` (``[(text, label)]``)."""
    from sklearn.feature_extraction import DictVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    rows, y = _matrix(posts)
    vec = DictVectorizer()
    x = vec.fit_transform(rows)
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
    model.fit(x, y)
    names = vec.get_feature_names_out()
    return {
        "about": "office polarity model trained by pipeline/office_train.py on posts we wrote "
                 f"({len(posts)}: data/office/office_train.csv, "
                 "data/sentiment/public_affairs_train.csv, the train half of "
                 "tests/fixtures/incidents/incidents.csv)",
        "C": c, "min_df": MIN_DF, "bias": round(float(model.intercept_[0]), 5),
        "thresholds": THRESHOLDS,
        "weights": {str(n): round(float(w), 5) for n, w in zip(names, model.coef_[0],
                                                              strict=True) if abs(w) > 1e-4},
    }


def cross_validate(posts: Sequence[tuple[str, int]]) -> dict[float, float]:
    """Return ``{C: mean F1 of label 1}`` over 5 stratified folds (seed 0) of ``posts``."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import (  # type: ignore[import-untyped]
        StratifiedKFold,
        cross_val_score,
    )
    from sklearn.pipeline import make_pipeline  # type: ignore[import-untyped]

    rows, y = _matrix(posts)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    return {c: float(cross_val_score(make_pipeline(DictVectorizer(), LogisticRegression(
        C=c, class_weight="balanced", max_iter=3000)), rows, y, cv=folds,
        scoring="f1").mean()) for c in CS}


def main(argv: list[str]) -> None:
    """``python -m yuqing.pipeline.office_train OUT`` or ``… --cv``."""
    posts = training_posts()
    if argv == ["--cv"]:
        print(json.dumps(cross_validate(posts)))
        return
    Path(argv[0]).write_text(json.dumps(train(posts), ensure_ascii=False,
                                        separators=(",", ":")) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
