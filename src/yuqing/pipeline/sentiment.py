"""Three-class sentiment (negative / neutral / positive) with a compact linear model.

Features: hashed character 1-3-grams of a post's own words plus Weibo
emoticon codes (``[允悲]``) as whole tokens, sublinear TF-IDF, L2 norm; a
multinomial logistic regression gives the class probabilities and
``sentiment_score = P(negative)``. The model is two files: ``NAME.npz``
(float32 coefficients, intercepts, idf) and ``NAME.json`` (classes, hashing
parameters, training data and scores); no pickle. Choice of a linear n-gram
model: MEASURED.md (char TF-IDF + linear classifier 0.82 macro-F1 on
sentiment3 at thousands of posts/s; SnowNLP 0.40).

A repost is judged by its own words: the text before the first ``//@``
(the whole text when nothing precedes it). ``@name`` mentions are dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import HashingVectorizer  # type: ignore[import-untyped]

from yuqing.domain import SENTIMENTS, Item
from yuqing.pipeline.base import StageUnavailable, live

MODEL_NAME = "sentiment3"
FEATURE_VERSION = "char1-3+emoticon/v1"
_EMOTICON = re.compile(r"\[[^\[\]\s]{1,10}\]")
_MENTION = re.compile(r"@[\w\-·・]{1,30}")
_SPACES = re.compile(r"\s+")


def own_words(text: str) -> str:
    """Return the part of a repost written by its author: text before the first ``//@``.

    Returns ``text`` unchanged when it has no ``//@`` or nothing before it.
    """
    cut = text.find("//@")
    if cut > 0 and text[:cut].strip():
        return text[:cut]
    return text


def analyze(text: str) -> list[str]:
    """Return the features of one text: char 1-, 2-, 3-grams and ``E[emoticon]`` tokens.

    The text is reduced to its own words, mentions removed, emoticon codes
    taken out of the character stream, whitespace runs collapsed, lower-cased.
    """
    text = _MENTION.sub(" ", own_words(text))
    emoticons = _EMOTICON.findall(text)
    text = _SPACES.sub(" ", _EMOTICON.sub(" ", text)).strip().lower()
    feats = list(text)
    feats += [text[i : i + 2] for i in range(len(text) - 1)]
    feats += [text[i : i + 3] for i in range(len(text) - 2)]
    feats += ["E" + e for e in emoticons]
    return feats


def hashing_vectorizer(n_features: int) -> HashingVectorizer:
    """Return the stateless hasher (murmurhash3, seed 0) that maps features to columns."""
    return HashingVectorizer(
        analyzer=analyze, n_features=n_features, alternate_sign=False, norm=None
    )


def tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Return sublinear TF-IDF rows, L2-normalised: ``(1 + log tf) * idf / ||.||``.

    ``counts`` is (n_docs, n_features) raw counts; ``idf`` has shape (n_features,).
    Same formula as sklearn's ``TfidfTransformer(sublinear_tf=True)``.
    """
    x = counts.astype(np.float32).tocsr()
    np.log(x.data, out=x.data)
    x.data += 1.0
    x.data *= idf[x.indices]
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms).dot(x))


def default_model_path() -> Path:
    """Return the path of the shipped model's ``.npz`` file inside the package."""
    return Path(str(resources.files("yuqing") / "data" / "models" / f"{MODEL_NAME}.npz"))


class SentimentModel:
    """A loaded sentiment model: ``predict(texts) -> (labels, p_negative)``.

    ``coef`` has shape (n_classes, n_features), ``intercept`` (n_classes,),
    ``idf`` (n_features,); ``meta`` is the JSON metadata.
    """

    def __init__(
        self, coef: np.ndarray, intercept: np.ndarray, idf: np.ndarray, meta: dict[str, Any]
    ) -> None:
        self.coef_t = np.ascontiguousarray(coef.T, dtype=np.float32)
        self.intercept = intercept.astype(np.float32)
        self.idf = idf.astype(np.float32)
        self.meta = meta
        self.classes: list[str] = list(meta["classes"])
        self._neg = self.classes.index("negative")
        self._hasher = hashing_vectorizer(int(meta["n_features"]))

    @classmethod
    def load(cls, path: Path | str | None = None) -> SentimentModel:
        """Load ``path`` (an ``.npz`` with its ``.json`` beside it); None = the shipped model.

        Raises StageUnavailable naming the file when either file is missing,
        or when the features were built by a different feature version.
        """
        npz = Path(path) if path is not None else default_model_path()
        meta_path = npz.with_suffix(".json")
        for p in (npz, meta_path):
            if not p.is_file():
                raise StageUnavailable(f"sentiment: model file {p} not found")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("feature_version") != FEATURE_VERSION:
            raise StageUnavailable(
                f"sentiment: {meta_path} has feature version {meta.get('feature_version')!r},"
                f" this code needs {FEATURE_VERSION!r}"
            )
        with np.load(npz) as arrays:
            return cls(arrays["coef"], arrays["intercept"], arrays["idf"], meta)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Return class probabilities, shape (len(texts), n_classes), columns = ``classes``."""
        if not texts:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        x = tfidf(self._hasher.transform(texts), self.idf)
        scores = np.asarray(x @ self.coef_t) + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores

    def predict(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """Return (labels, p_negative): one label of ``SENTIMENTS`` and P(negative) per text."""
        proba = self.predict_proba(texts)
        labels = [self.classes[i] for i in proba.argmax(axis=1)]
        return labels, proba[:, self._neg].astype(np.float64)


class SentimentStage:
    """Stage ``sentiment``: sets ``item.sentiment`` and ``item.sentiment_score`` (P(negative)).

    Reads ``item.match_text`` (normalised, simplified). Raises StageUnavailable
    at construction when the model files are missing.
    """

    name = "sentiment"

    def __init__(self, model: SentimentModel | None = None) -> None:
        self.model = model if model is not None else SentimentModel.load()
        if set(self.model.classes) != set(SENTIMENTS):
            raise StageUnavailable(f"sentiment: model classes {self.model.classes} != {SENTIMENTS}")

    def process(self, items: list[Item]) -> None:
        """Label every live item of the batch in one vectorised call."""
        todo = live(items)
        labels, p_neg = self.model.predict([it.match_text for it in todo])
        for item, label, p in zip(todo, labels, p_neg.tolist(), strict=True):
            item.sentiment = label
            item.sentiment_score = p
