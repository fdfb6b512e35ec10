"""Stage ``keywords``: TF-IDF keywords of one item and of a set of items.

Tokens come from the segmenter (rjieba) run on the text with Weibo
emoticon codes (``[允悲]``), ``@mentions``, URLs and ``#`` hashtag marks
removed; a token is a keyword candidate when it has at least two
characters, at least one letter or CJK character, is not all digits and is
not a stop word (``data/keywords/stopwords.txt``, ours). Weights: term
frequency times IDF from ``data/keywords/idf.tsv.gz``, derived from jieba's
``analyse/idf.txt`` (MIT, (c) Sun Junyi) by :func:`write_idf_table`;
a word missing from the table gets ``UNKNOWN_IDF`` (the table keeps the
most common words, so a missing word is rare). This is jieba's own
TF-IDF keyword rule, without jieba at run time.

Per item: ``item.keywords`` = top ``TOP_K`` words. Per set:
:func:`set_keywords` sums each word's TF-IDF share over items (each item's
weights normalised to 1, so a long post does not drown short ones).
"""

from __future__ import annotations

import gzip
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

from yuqing.config import Config
from yuqing.domain import Item
from yuqing.pipeline.base import BaseStage, StageUnavailable, live
from yuqing.pipeline.segment import Segmenter

TOP_K = 8
IDF_KEEP_MAX = 11.0
UNKNOWN_IDF = 11.5
_NOISE = re.compile(r"\[[^\[\]\s]{1,10}\]|@[\w\-·・]{1,30}|https?://\S+|www\.\S+|#")
_HAS_LETTER = re.compile(r"[^\W\d_]")


def _data_path(name: str) -> Path:
    return Path(str(resources.files("yuqing") / "data" / "keywords" / name))


def read_stopwords(path: Path | None = None) -> frozenset[str]:
    """Return the stop words of ``path`` (whitespace-separated, ``#`` comments); default ours."""
    path = path or _data_path("stopwords.txt")
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            words.update(line.split())
    return frozenset(words)


def read_idf(path: Path | None = None) -> dict[str, float]:
    """Return ``{word: idf}`` from a gzipped ``word<TAB>idf`` file; default the shipped one.

    Raises StageUnavailable naming the file when it is missing.
    """
    path = path or _data_path("idf.tsv.gz")
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            rows = (ln.rstrip("\n").split("\t") for ln in fh if ln.strip())
            return {w: float(v) for w, v in rows}
    except FileNotFoundError as exc:
        raise StageUnavailable(f"keywords: IDF table {path} not found") from exc


def write_idf_table(jieba_idf: Path, out: Path, keep_max: float = IDF_KEEP_MAX) -> int:
    """Write the words of jieba's ``idf.txt`` with idf <= ``keep_max`` to ``out`` (gzip,
    sorted by word, reproducible); return how many were kept."""
    rows = []
    for line in jieba_idf.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2 and float(parts[1]) <= keep_max:
            rows.append(f"{parts[0]}\t{float(parts[1]):.3f}\n")
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(out, "wb", mtime=0) as fh:
        fh.write("".join(sorted(rows)).encode("utf-8"))
    return len(rows)


def clean_for_keywords(text: str) -> str:
    """Return ``text`` without emoticon codes, mentions, URLs and ``#`` marks."""
    return _NOISE.sub(" ", text)


class KeywordExtractor(BaseStage):
    """Stage ``keywords``: sets ``item.keywords`` to ``[(word, weight), ...]``.

    ``weight`` is TF-IDF normalised so an item's weights sum to 1 (rounded
    to 4 places). Raises StageUnavailable when the IDF table is missing.
    """

    name = "keywords"

    def __init__(self, segmenter: Segmenter | None = None, top_k: int = TOP_K) -> None:
        self.segmenter = segmenter or Segmenter()
        self.stopwords = read_stopwords()
        self.idf = read_idf()
        self.top_k = top_k

    @classmethod
    def from_config(cls, config: Config) -> KeywordExtractor:
        """Build with the config's user dictionaries (so user words stay whole)."""
        return cls(Segmenter.from_config(config))

    def candidates(self, text: str, tokens: list[str] | None = None) -> list[str]:
        """Return the keyword-candidate tokens of ``text``, in order (see module doc).

        ``tokens``, when given, are the segmenter's tokens of ``text`` (the
        ``segment`` stage's ``item.tokens``): they are reused, minus those
        that lie inside an emoticon code, mention or URL, instead of cutting again.
        """
        if tokens is None:
            tokens = self.segmenter.cut(clean_for_keywords(text))
        else:
            noise = [m.group() for m in _NOISE.finditer(text) if len(m.group()) > 1]
            if noise:
                tokens = [t for t in tokens if not any(t in n for n in noise)]
        return [t for t in tokens
                if len(t) > 1 and t not in self.stopwords and _HAS_LETTER.search(t)]

    def weights(self, text: str, tokens: list[str] | None = None) -> dict[str, float]:
        """Return ``{word: tf-idf share}`` over the candidates of ``text`` (sums to 1)."""
        counts = Counter(self.candidates(text, tokens))
        raw = {w: n * self.idf.get(w, UNKNOWN_IDF) for w, n in counts.items()}
        total = sum(raw.values())
        return {w: v / total for w, v in raw.items()} if total else {}

    def extract(self, text: str, top_k: int | None = None,
                tokens: list[str] | None = None) -> list[tuple[str, float]]:
        """Return the top ``top_k`` ``(word, weight)`` pairs of ``text``, heaviest first
        (ties by first occurrence); ``tokens`` as in :meth:`candidates`."""
        ranked = sorted(self.weights(text, tokens).items(), key=lambda kv: -kv[1])
        return [(w, round(v, 4)) for w, v in ranked[: top_k or self.top_k]]

    def process(self, items: list[Item]) -> None:
        """Set ``item.keywords`` on every live item (reusing ``item.tokens`` when the
        segment stage filled them)."""
        for item in live(items):
            found = self.extract(item.match_text, tokens=item.tokens or None)
            item.keywords = found


def set_keywords(extractor: KeywordExtractor, texts: Iterable[str],
                 top_k: int = 20) -> list[tuple[str, float]]:
    """Return the top ``top_k`` ``(word, score)`` of a set of texts, heaviest first.

    ``score`` is the sum over texts of the word's per-text TF-IDF share, so it
    counts roughly "in how many texts it is a main word".
    """
    total: Counter[str] = Counter()
    for text in texts:
        total.update(extractor.weights(text))
    return [(w, round(v, 4)) for w, v in total.most_common(top_k)]


def keywords_of_items(extractor: KeywordExtractor, items: Sequence[Item],
                      top_k: int = 20) -> list[tuple[str, float]]:
    """Return :func:`set_keywords` over the match texts of ``items``."""
    return set_keywords(extractor, (it.match_text for it in items), top_k)
