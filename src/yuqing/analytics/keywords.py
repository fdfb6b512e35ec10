"""Keywords of a set of stored texts, scored TF-IDF-style against the whole store.

A keyword candidate follows the one rule of the ``keywords`` stage
(pipeline/keywords.py: segmented tokens without emoticon codes, mentions,
URLs, stop words, punctuation or bare numbers).

Score of a word: ``df_range / n_range * (ln((n_background + 1) / (df_background + 1)) + 1)``
where df counts documents containing the word; the background is a sample of
the newest stored items (the whole store when it is small). This is the
classic TF-IDF weighting (Salton & Buckley 1988; +1 as scikit-learn's
``smooth_idf``) with document frequency in place of term frequency, so one
long post cannot dominate.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

from yuqing.pipeline.keywords import KeywordExtractor as ItemKeywords
from yuqing.pipeline.segment import Segmenter


class KeywordExtractor:
    """Extracts keywords from texts; build once, call :meth:`top` many times.

    ``segmenter`` defaults to a plain :class:`Segmenter` (no user words).
    """

    def __init__(self, segmenter: Segmenter | None = None) -> None:
        self.items = ItemKeywords(segmenter)

    def words(self, text: str) -> set[str]:
        """Return the distinct keyword candidates of ``text``."""
        return set(self.items.candidates(text))

    def document_frequency(self, texts: Iterable[str]) -> tuple[Counter[str], int]:
        """Return (documents containing each word, number of documents)."""
        df: Counter[str] = Counter()
        n = 0
        for text in texts:
            df.update(self.words(text))
            n += 1
        return df, n

    def top(self, texts: Iterable[str], background: Iterable[str],
            k: int = 20) -> list[dict[str, float | int | str]]:
        """Return the ``k`` best keywords of ``texts``: ``[{"word", "count", "score"}]``.

        ``count`` is the number of texts containing the word; ``score`` the
        weight of the module docstring, rounded to 4 places. Best first; ties
        by count, then word. Empty when ``texts`` is empty.
        """
        df, n = self.document_frequency(texts)
        if n == 0:
            return []
        bg_df, bg_n = self.document_frequency(background)
        scored = []
        for word, count in df.items():
            idf = math.log((bg_n + 1) / (bg_df.get(word, 0) + 1)) + 1.0
            scored.append((count / n * idf, count, word))
        scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
        return [{"word": w, "count": c, "score": round(s, 4)} for s, c, w in scored[:k]]
