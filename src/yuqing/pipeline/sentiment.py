"""Three-class sentiment (negative / neutral / positive): a linear model averaged with a CNN.

Linear part, features (:func:`analyze`) hashed into 2**20 columns: character 1-3-grams
and rjieba words/word bigrams of a post's own words, with negation scope
marked (不难过 is not 难过), the clause after a contrast marker (但是, 可是,
然而 ...) repeated, and Weibo emoticon codes (``[允悲]``) as whole tokens;
sublinear TF-IDF, L2 norm. A one-vs-rest linear SVM's decision values,
temperature-scaled, give class probabilities. The char+word CNN of
:mod:`yuqing.pipeline.sentiment_cnn` (numpy inference) gives a second set,
averaged in with the weight chosen on dev; ``sentiment_score =
P(negative)``. Traditional characters reach the model already simplified
(the pipeline's match text; the trainer normalises the same way). The
model is three files: ``NAME.npz`` (float32 coefficients, intercepts, idf),
``NAME_cnn.npz`` (the CNN's weights and vocabularies) and ``NAME.json``
(classes, hashing parameters, temperatures, averaging weight, training data
and scores); no pickle. Figures and what was tried: the README ("How good
is the analysis?").

The label is the most probable class, except that a post whose clause after its last
contrast marker holds a plain negative verdict is negative (:func:`turns_negative`). The
stage keeps that label as the writer's ``emotion`` and sets ``sentiment`` to the office
polarity (:mod:`yuqing.pipeline.polarity`: complaints are negative).

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

import mmh3
import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from yuqing.domain import SENTIMENTS, Item
from yuqing.pipeline.base import BaseStage, StageUnavailable, live
from yuqing.pipeline.office import OfficeModel, shipped_office_model
from yuqing.pipeline.polarity import office_polarity
from yuqing.pipeline.sentiment_cnn import SentimentCNN
from yuqing.pipeline.sentiment_text import cut_words, split_emoticons, without_emoticons

MODEL_NAME = "sentiment3"
FEATURE_VERSION = "char1-3+word1-2+negation+contrast+emoticon/v2"
#: negators (list after ../shared/data/sentiment_lexicons/misc/negation_words.txt, trimmed to
#: the ones that negate what follows; 不/没 inside a two-character word such as 不好 count too)
NEGATORS = frozenset({"不", "没", "没有", "不是", "别", "无", "非", "未", "不要", "不会", "不能",
                      "从不", "从未", "毫无", "并非", "绝不", "决不", "不用", "不必", "甭", "莫",
                      "勿", "木有", "没什么", "不算", "不太", "不怎么", "并不", "并没有", "不再"})
#: words that start with 不/没 but are not a negation of what follows or of their second character
LEXICALISED = frozenset({"不错", "不过", "不少", "不断", "不仅", "不久", "不管", "不如", "不然",
                         "不禁", "不住", "不得", "不同", "不停", "不论", "不愧", "不止", "不由",
                         "没事", "没准", "无论", "无限", "非常", "非要", "未来", "别人", "别的"})
#: contrast markers: the clause after them weighs more (turning-point words, same lexicon folder)
CONTRAST = frozenset({"但", "但是", "可是", "然而", "不过", "却", "只是", "可惜", "偏偏", "反而"})
NEGATION_SPAN = 4
#: plain negative verdicts (ours): one in the clause after the last contrast marker makes the
#: post negative (拍照也不错。但是！！！信号是真差); a negator or a compound right before
#: (不差, 相差) or after (差不多, 坑位) keeps it out. sentiment3 dev macro-F1 0.7969 either way,
#: test 0.8157 -> 0.8160 (README, "How good is the analysis?")
TURN_VERDICT = re.compile(
    r"(?<![不没别相误出偏落温时])(?:差(?!不多|点|距|异|别|价|评)|烂(?!漫)|垃圾(?!分类|桶|站|袋|车)"
    r"|失望|后悔|糟糕|难用|难吃|难看|差劲|不值|坑(?!位|道)|太贵|太慢|很慢|恶心|坑爹|骗人|退货"
    r"|不行|不好用|不靠谱)"
)
_CONTRAST_CHARS = re.compile("[但可然不却只惜偏反]")
_PUNCT = "!！,，.。…~～、;；:：?？ "
_NEGATION_CHARS = re.compile("[不没无非未别莫勿甭木并毫从绝决]")


def negation_scope(words: Sequence[str]) -> list[bool]:
    """Return, per word, whether it lies in the scope of a negation.

    A negator opens a scope over the next ``NEGATION_SPAN`` characters of
    the clause; a second negator inside the scope closes it (不是不好 is not
    negative). A two-character word 不X/没X (not in ``LEXICALISED``) carries
    its own negation: inside a scope it is marked (double negation), and it
    toggles the scope like a negator.
    """
    scoped: list[bool] = []
    left = 0
    for w in words:
        if not w.isalnum():
            left = 0
            scoped.append(False)
        elif w in NEGATORS:
            left = 0 if left else NEGATION_SPAN
            scoped.append(False)
        elif len(w) == 2 and w[0] in "不没" and w not in LEXICALISED:
            scoped.append(left > 0)
            left = 0 if left else NEGATION_SPAN - 1
        else:
            scoped.append(left > 0)
            left = max(0, left - len(w))
    return scoped


def _char_grams(chars: str, spans: list[tuple[int, int]]) -> list[str]:
    """Character 1-3-grams (all unigrams, then bigrams, then trigrams); a gram lying wholly
    inside one of the negated character ``spans`` ``[start, end)`` gets a ``~`` prefix."""
    n = len(chars)
    grams = [*chars, *(chars[i : i + 2] for i in range(n - 1)),
             *(chars[i : i + 3] for i in range(n - 2))]
    for start, end in spans:
        for size, base in ((1, 0), (2, n), (3, 2 * n - 1)):
            for i in range(start, end - size + 1):
                grams[base + i] = "~" + grams[base + i]
    return grams


def _negated_spans(words: Sequence[str], scope: list[bool]) -> list[tuple[int, int]]:
    """Return the ``[start, end)`` character spans of consecutive negated words."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for w, neg in zip(words, scope, strict=True):
        if neg:
            if spans and spans[-1][1] == pos:
                spans[-1] = (spans[-1][0], pos + len(w))
            else:
                spans.append((pos, pos + len(w)))
        pos += len(w)
    return spans


def analyze(text: str) -> list[str]:
    """Return the features of one text (strings hashed into columns by the model).

    The text is reduced to its own words (see
    :func:`~yuqing.pipeline.sentiment_text.own_words`), mentions removed,
    emoticon codes taken out. Features: character 1-3-grams
    (prefixed ``~`` when all their characters are negated, see
    :func:`negation_scope`); rjieba words (``W``, negated ones ``W~``) and
    word bigrams (``B``, punctuation skipped); the words after the first
    contrast marker (但是, 可是, 然而 ...) once more with an ``A`` prefix, so
    the clause after the turn weighs more; each emoticon code as one
    ``E[code]`` token (never split into characters: ``[允悲]`` is not 悲).
    """
    chars, emoticons = split_emoticons(text)
    words = cut_words(chars)
    scope = negation_scope(words) if _NEGATION_CHARS.search(chars) else None
    if scope is not None and any(scope):
        spans = _negated_spans(words, scope)
        tokens = [("W~" if neg else "W") + w
                  for w, neg in zip(words, scope, strict=True) if w.isalnum()]
    else:
        spans = []
        tokens = ["W" + w for w in words if w.isalnum()]
    feats = _char_grams(chars, spans)
    feats += tokens
    feats += ["B" + a + "|" + b for a, b in zip(tokens, tokens[1:], strict=False)]
    turn = -1 if CONTRAST.isdisjoint(words) else next(
        (i for i, t in enumerate(tokens) if t[1:] in CONTRAST), -1)
    if turn >= 0:
        feats += ["A" + t for t in tokens[turn + 1 :]]
    feats += ["E" + e for e in emoticons]
    return feats


def contrast_clause(text: str) -> str | None:
    """Return what follows the last contrast marker (但是, 可是, 不过, 然而 ...) of
    ``text``'s own words, punctuation in between skipped (``但是！！！信号是真差`` gives
    ``信号是真差``); None when there is no marker or fewer than two letters follow it."""
    chars = split_emoticons(text)[0]
    if not _CONTRAST_CHARS.search(chars):
        return None
    words = cut_words(chars)
    last = max((i for i, w in enumerate(words) if w in CONTRAST), default=-1)
    if last < 0:
        return None
    clause = "".join(words[last + 1 :]).lstrip(_PUNCT)
    return clause if sum(c.isalnum() for c in clause) >= 2 else None


def turns_negative(text: str) -> bool:
    """True when the clause after ``text``'s last contrast marker (:func:`contrast_clause`)
    holds a plain negative verdict (``TURN_VERDICT``): the turn decides the post."""
    clause = contrast_clause(text)
    return clause is not None and TURN_VERDICT.search(clause) is not None


def hashed_counts(texts: Sequence[str], n_features: int) -> sp.csr_matrix:
    """Return the feature counts of ``texts`` (``analyze``), shape (len(texts), n_features),
    float64 CSR with sorted indices: a feature goes to column ``|murmurhash3_32(utf-8,
    seed 0)| mod n_features``, exactly as scikit-learn's ``HashingVectorizer(analyzer=
    analyze, alternate_sign=False, norm=None)`` puts it (the models were trained with it;
    tests/pipeline compares the two). Without scikit-learn, whose import takes about
    100 MB (it loads scipy.stats and pandas), in every worker."""
    indices: list[int] = []
    indptr = [0]
    for text in texts:
        for feature in analyze(text):
            h = mmh3.hash(feature, 0)
            # sklearn's rule for -2**31, whose abs() overflows an int32
            indices.append((2147483647 - (n_features - 1)) % n_features if h == -2147483648
                           else abs(h) % n_features)
        indptr.append(len(indices))
    counts = sp.csr_matrix((np.ones(len(indices)), np.asarray(indices, dtype=np.int32),
                            np.asarray(indptr, dtype=np.int64)),
                           shape=(len(texts), n_features))
    counts.sum_duplicates()
    return counts


def tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Return sublinear TF-IDF rows, L2-normalised: ``(1 + log tf) * idf / ||.||``.

    ``counts`` is (n_docs, n_features) raw counts; ``idf`` has shape (n_features,).
    Same formula as sklearn's ``TfidfTransformer(sublinear_tf=True)``.
    """
    x = counts.astype(np.float32).tocsr()
    np.log(x.data, out=x.data)
    x.data += 1.0
    x.data *= idf[x.indices]
    # row norms and scaling over the stored values only: sparse matrix products here cost
    # O(n_features) per call, which dominated single-item batches
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    norms = np.sqrt(np.bincount(rows, weights=x.data * x.data, minlength=x.shape[0]))
    norms[norms == 0] = 1.0
    x.data /= norms[rows].astype(x.data.dtype)
    return x


def default_model_path() -> Path:
    """Return the path of the shipped model's ``.npz`` file inside the package."""
    return Path(str(resources.files("yuqing") / "data" / "models" / f"{MODEL_NAME}.npz"))


def softmax(scores: np.ndarray) -> np.ndarray:
    """Return row-wise softmax of ``scores`` (n, k) as a new array."""
    scores = scores - scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores


class SentimentModel:
    """A loaded sentiment model: ``predict(texts) -> (labels, p_negative)``.

    Arrays: ``coef`` (n_classes, n_features), ``intercept`` (n_classes,),
    ``idf`` (n_features,). ``meta`` is the JSON metadata, which also holds
    ``strict_emoticons`` (default true: a post
    with words of its own is judged without its emoticon codes, so adding or
    removing one never flips its label; a post of emoticons only is judged
    by them. Measured on sentiment3/dev: strict 0.793 macro-F1, emoticons
    weighed 0.801, with 11% of the emoticon posts flipping when their codes
    are removed). ``cnn`` (optional, :class:`~yuqing.pipeline.sentiment_cnn.SentimentCNN`)
    is averaged in: P = (1 - w) * P_linear + w * P_cnn with
    ``w = meta["cnn"]["weight"]`` (chosen on dev by the trainer).
    """

    def __init__(
        self, coef: np.ndarray, intercept: np.ndarray, idf: np.ndarray, meta: dict[str, Any],
        cnn: SentimentCNN | None = None,
    ) -> None:
        self.coef_t = np.ascontiguousarray(coef.T, dtype=np.float32)
        self.intercept = intercept.astype(np.float32)
        self.idf = idf.astype(np.float32)
        self.meta = meta
        self.classes: list[str] = list(meta["classes"])
        self._neg = self.classes.index("negative")
        self.n_features = int(meta["n_features"])
        self.strict_emoticons = bool(meta.get("strict_emoticons", True))
        self.cnn = cnn
        self.cnn_weight = float(meta["cnn"]["weight"]) if cnn is not None else 0.0

    @classmethod
    def load(cls, path: Path | str | None = None) -> SentimentModel:
        """Load ``path`` (an ``.npz`` with its ``.json`` beside it, and the CNN's
        ``.npz`` the JSON names, if any); None = the shipped model.

        Raises StageUnavailable naming the file when a file is missing,
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
        cnn = None
        if meta.get("cnn"):
            cnn_path = npz.parent / meta["cnn"]["file"]
            if not cnn_path.is_file():
                raise StageUnavailable(f"sentiment: model file {cnn_path} not found")
            cnn = SentimentCNN.load(cnn_path)
        with np.load(npz) as arrays:
            return cls(arrays["coef"], arrays["intercept"], arrays["idf"], meta, cnn)

    def linear_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Return the linear model's class probabilities, shape (len(texts), n_classes)."""
        x = tfidf(hashed_counts(texts, self.n_features), self.idf)
        return softmax(np.asarray(x @ self.coef_t) + self.intercept)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Return class probabilities, shape (len(texts), n_classes), columns = ``classes``."""
        if not texts:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        if self.strict_emoticons:
            texts = [without_emoticons(t) for t in texts]
        proba = self.linear_proba(texts)
        if self.cnn is not None and self.cnn_weight > 0:
            proba *= 1.0 - self.cnn_weight
            proba += self.cnn_weight * softmax(self.cnn.logits(texts))
        return proba

    def predict(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """Return (labels, p_negative): one label of ``SENTIMENTS`` and P(negative) per text.

        The label is the most probable class, except that a post whose last contrast turns
        negative (:func:`turns_negative`) is negative; P(negative) stays the model's.
        """
        proba = self.predict_proba(texts)
        labels = [self.classes[i] for i in proba.argmax(axis=1)]
        for i, text in enumerate(texts):
            if labels[i] != "negative" and turns_negative(text):
                labels[i] = "negative"
        return labels, proba[:, self._neg].astype(np.float64)


class SentimentStage(BaseStage):
    """Stage ``sentiment``: sets ``item.emotion`` (the writer's emotion, the model's label),
    ``item.sentiment`` (the office polarity, :func:`~yuqing.pipeline.polarity.office_polarity`:
    a complaint is negative; read with the office polarity model ``office``) and
    ``item.sentiment_score`` (the model's P(negative)).

    Reads ``item.match_text`` (normalised, simplified). Raises StageUnavailable
    at construction when the model files are missing.
    """

    name = "sentiment"

    def __init__(self, model: SentimentModel | None = None,
                 office: OfficeModel | None = None) -> None:
        self.model = model if model is not None else SentimentModel.load()
        self.office = office if office is not None else shipped_office_model()
        if set(self.model.classes) != set(SENTIMENTS):
            raise StageUnavailable(f"sentiment: model classes {self.model.classes} != {SENTIMENTS}")

    def process(self, items: list[Item]) -> None:
        """Label every live item of the batch in one vectorised call."""
        todo = live(items)
        labels, p_neg = self.model.predict([it.match_text for it in todo])
        for item, label, p in zip(todo, labels, p_neg.tolist(), strict=True):
            item.emotion = label
            item.sentiment = office_polarity(label, item.match_text, self.office)
            item.sentiment_score = p
