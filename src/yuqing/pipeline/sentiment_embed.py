"""Pretrained character and word embeddings for the sentiment CNN (train time only).

Embeddings are the truncated SVD of a positive PMI co-occurrence matrix
(window ``WINDOW``, co-occurrences weighted 1/distance, context counts
smoothed with exponent 0.75; Levy, Goldberg & Dagan 2015, "Improving
Distributional Similarity with Lessons Learned from Word Embeddings"): a
deterministic alternative to word2vec that takes seconds on one core. The
text comes from the unlabelled posts of the research data folder
(:func:`unlabelled_posts`, never copied into the repo: only the trained
weights are shipped); texts also in the dev or test set are left out so that
nothing is learnt from the posts the model is scored on.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from scipy.sparse.linalg import svds  # type: ignore[import-untyped]

DIM = 64
WINDOW = 3
MIN_COUNT = 5
CONTEXT_SMOOTHING = 0.75


def _csv_column(path: Path, column: str, opener: Callable[..., IO[str]] = open) -> Iterator[str]:
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            yield row.get(column) or ""


def _tsv_texts(path: Path) -> Iterator[str]:
    # split on newlines only: texts hold U+2028 and other characters splitlines() cuts at
    for line in path.read_text(encoding="utf-8").split("\n")[1:]:
        if line.strip():
            yield line.rstrip("\r").split("\t", 1)[-1]


def _ced_texts(folder: Path) -> Iterator[str]:
    originals = folder / "all_originals.jsonl"
    if originals.is_file():
        for line in originals.read_text(encoding="utf-8").split("\n"):
            if line.strip():
                yield json.loads(line)["text"]
    for path in sorted(folder.glob("*-repost/*.json")):
        for record in json.loads(path.read_text(encoding="utf-8")):
            yield record.get("text") or ""


def unlabelled_posts(folder: Path) -> Iterator[str]:
    """Yield the post texts of the unlabelled Weibo sources found in ``folder``.

    ``folder`` is the research data folder (../shared/data, README there):
    smp2020_ewect train splits, covid_weibo_emotion7 (its texts only),
    covid_weibo_unlabeled, checked_covid_fake (posts and replay stream),
    ced_rumor (originals and reposts). Sources that are absent are skipped;
    the review sets are not used (they are evaluation sets). Labels are never
    read. A csv.Error or OSError of a damaged file propagates.
    """
    csv.field_size_limit(2**27)
    sources: list[tuple[Path, Callable[[Path], Iterable[str]]]] = [
        (folder / "smp2020_ewect" / "usual" / "train.tsv", _tsv_texts),
        (folder / "smp2020_ewect" / "virus" / "train.tsv", _tsv_texts),
        (folder / "covid_weibo_emotion7" / "labeledData.csv", lambda p: _csv_column(p, "review")),
        *((p, lambda p: _csv_column(p, "text"))
          for p in sorted((folder / "covid_weibo_unlabeled").glob("*.csv"))),
        (folder / "checked_covid_fake" / "posts_all.csv", lambda p: _csv_column(p, "text")),
        (folder / "checked_covid_fake" / "replay_stream.csv.gz",
         lambda p: _csv_column(p, "text", gzip.open)),
        (folder / "ced_rumor", _ced_texts),
    ]
    for path, read in sources:
        if path.exists():
            yield from read(path)


def ppmi_embeddings(sequences: Iterable[Sequence[str]], dim: int = DIM,
                    window: int = WINDOW, min_count: int = MIN_COUNT) -> dict[str, np.ndarray]:
    """Return ``{token: vector}`` (float32, shape (d,), unit length) for tokens seen
    ``min_count`` times or more in ``sequences`` (lists of tokens).

    ``d`` is ``dim``; a vocabulary too small for ``dim`` singular vectors gets
    fewer, padded with zeros (an empty dict when it has fewer than 3 tokens).
    Deterministic: ARPACK starts from a fixed vector.
    """
    seqs = [list(s) for s in sequences]
    counts = Counter(t for s in seqs for t in s)
    vocab = sorted(t for t, n in counts.items() if n >= min_count)
    n = len(vocab)
    k = min(dim, n - 2)
    if k < 1:
        return {}
    index = {t: i for i, t in enumerate(vocab)}
    ids = np.array([i for s in seqs for i in ([index.get(t, -1) for t in s] + [-1] * window)],
                   dtype=np.int64)
    rows, cols, vals = [], [], []
    for dist in range(1, window + 1):
        a, b = ids[:-dist], ids[dist:]
        ok = (a >= 0) & (b >= 0)
        rows += [a[ok], b[ok]]
        cols += [b[ok], a[ok]]
        vals += [np.full(int(ok.sum()), 1.0 / dist)] * 2
    co = sp.coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                       shape=(n, n)).tocsr().tocoo()
    total = co.data.sum()
    row_p = np.asarray(co.tocsr().sum(axis=1)).ravel() / total
    ctx = np.asarray(co.tocsr().sum(axis=0)).ravel() ** CONTEXT_SMOOTHING
    ctx /= ctx.sum()
    pmi = np.log(co.data / total / row_p[co.row] / ctx[co.col])
    keep = pmi > 0
    ppmi = sp.csr_matrix((pmi[keep], (co.row[keep], co.col[keep])), shape=(n, n))
    u, s, _ = svds(ppmi, k=k, v0=np.full(n, 1.0 / np.sqrt(n)))
    vectors = u * np.sqrt(s)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-6)
    vectors = np.pad(vectors, ((0, 0), (0, dim - k)))
    return {t: vectors[i].astype(np.float32) for i, t in enumerate(vocab)}
