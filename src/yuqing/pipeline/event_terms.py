"""Terms and IDF weights for event clustering: character bigrams of normalised text.

Terms come from ``item.match_text`` (already simplified and NFKC-folded, so a
traditional and a simplified telling of one matter share their terms, F5):
``//@name:`` chain names, ``@mentions``, URLs and ``[emoji]`` codes are cut
first (they name people and links, not the matter), then every CJK run of two
or more characters gives its character bigrams and every ASCII word of two or
more letters/digits (lower-cased) is one term. Bigrams need no dictionary and
match across word-segmentation differences; IDF (online document frequency)
pushes down the bigrams every post shares.

Numbers and dates are written one way first, so two tellings share them:
a Chinese numeral with a unit (``一百八十四万`` -> ``184万``, ``三十多名`` ->
``30多名``; a lone ``十`` or a numeral without a unit, as in ``一起`` or ``两三``,
stays) and a day of the month with or without its month (``3月5日``,
``3月5号``, ``5日`` -> the term ``d5``; ``5号线`` stays). Common synonyms are
written one way too (``data/events/synonyms.tsv``, our table of everyday news
words: 病人 -> 患者, 去世/身亡/遇难 -> 死亡, 小朋友 -> 孩子, 新型冠状病毒 -> 新冠).
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Callable, Collection, Iterable, Mapping
from functools import cache
from importlib import resources
from sys import intern
from typing import TypeAlias

import ahocorasick_rs as acrs

#: a term vector packed: its terms (interned) and their weights (float64), in its order
PackedVector: TypeAlias = "tuple[tuple[str, ...], array[float]]"

_NOISE = re.compile(
    r"//@[^:：/\s]{1,30}[:：]"          # repost chain names
    r"|@[^\s:：@,，。!！?？/]{1,30}"     # mentions
    r"|https?://\S+|www\.\S+"           # links
    r"|\[[^\[\]\s]{1,8}\]"              # emoji codes such as [心]
    r"|\bl\S{1,30}的微博视频|\bo网页链接",   # Weibo's link cards (video, web page)
    re.IGNORECASE,
)
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千]{2,}")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_DAY = re.compile(r"(?<![0-9])(?:[0-9]{1,2}月([0-9]{1,2})[日号]|([0-9]{1,2})日)")
_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}|[a-z0-9]{2,}")
#: document frequencies kept at most; beyond it, terms seen once are forgotten
MAX_VOCABULARY = 1_000_000


def term_runs(match_text: str) -> list[str]:
    """Return the runs terms come from (see module doc): the CJK runs of two or more
    characters and the lower-cased ASCII words of ``match_text``, noise cut, numbers,
    days and synonyms written one way, in order."""
    text = _DAY.sub(_day_term, _CN_NUMBER.sub(_arabic, _NOISE.sub(" ", match_text)))
    runs: list[str] = _RUNS.findall(synonym_writer()(text).lower())
    return runs


def read_synonyms(text: str) -> dict[str, str]:
    """Return ``{other form: the form kept}`` of a synonym table (``kept<TAB>forms``
    lines, ``#`` comments); raises ValueError naming the line of a form listed twice."""
    table: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        kept, _, others = line.partition("\t")
        for form in others.split():
            if form in table or form == kept:
                raise ValueError(f"synonyms line {n}: {form!r} listed twice")
            table[form] = kept
    return table


def replace_matches(automaton: acrs.AhoCorasick, text: str,
                    replacement: Callable[[int], str]) -> str:
    """Return ``text`` with each match of ``automaton`` (its pattern index ``i``) replaced
    by ``replacement(i)``; the same string when nothing matches."""
    parts: list[str] = []
    last = 0
    for i, start, end in automaton.find_matches_as_indexes(text):
        parts += (text[last:start], replacement(i))
        last = end
    return "".join(parts) + text[last:] if parts else text


@cache
def synonym_writer() -> Callable[[str], str]:
    """Return the function that writes the synonyms of the shipped table
    (``data/events/synonyms.tsv``) as their kept form, the longest form found at a
    place first (one automaton, built once per process)."""
    table = read_synonyms((resources.files("yuqing") / "data" / "events" / "synonyms.tsv")
                          .read_text(encoding="utf-8"))
    forms = list(table)
    automaton = acrs.AhoCorasick(forms, matchkind=acrs.MatchKind.LeftmostLongest)

    def write(text: str) -> str:
        return replace_matches(automaton, text, lambda i: table[forms[i]])

    return write


def _arabic(match: re.Match[str]) -> str:
    """Return the Chinese numeral ``match`` in Arabic digits, or as it is when it has no
    unit or is not a well-formed numeral (``两三``, ``千千``)."""
    total, digit, last_unit = 0, -1, 10_000
    for char in match[0]:
        unit = _CN_UNITS.get(char)
        if unit is None:
            if digit > 0:  # two digits in a row: not one number
                return match[0]
            digit = _CN_DIGITS[char]
        elif unit >= last_unit:
            return match[0]
        else:
            total += (digit if digit > 0 else 1) * unit
            digit, last_unit = -1, unit
    if last_unit == 10_000:
        return match[0]
    return str(total + max(digit, 0))


def _day_term(match: re.Match[str]) -> str:
    """Return the term of the day of the month ``match`` names: `` d5 ``."""
    return f" d{int(match[1] or match[2])} "


def item_terms(match_text: str) -> list[str]:
    """Return the distinct clustering terms of ``match_text`` (see module doc), in the
    order they first occur, so that every run weighs and indexes them in the same order."""
    return run_terms(term_runs(match_text))


def run_terms(runs: Iterable[str]) -> list[str]:
    """Return the distinct terms of ``runs`` (from :func:`term_runs`), in order, interned:
    the vocabulary, the centroids, the member vectors and the term index of open events
    then share one string per term instead of one per occurrence (78 bytes each)."""
    terms: dict[str, None] = {}
    for run in runs:
        if run[0].isascii():
            terms[intern(run)] = None
        else:
            for i in range(len(run) - 1):
                terms[intern(run[i : i + 2])] = None
    return list(terms)


def pack(vec: Mapping[str, float]) -> PackedVector:
    """Return ``vec`` packed (:data:`PackedVector`): 16 bytes a term, where the dict
    with its float objects took about 50."""
    return tuple(vec), array("d", tuple(vec.values()))


def unpack(packed: PackedVector) -> dict[str, float]:
    """Return the dict ``{term: weight}`` of a packed vector, in its order (the same
    keys, order and weights as the dict packed)."""
    return dict(zip(packed[0], packed[1]))  # noqa: B905 (packed together)


class DocumentFrequency:
    """Online document frequency of terms; ``idf`` is smoothed and always > 0.

    ``idf(t) = ln((N + B + 1) / (df(t) + b(t) + 1)) + 1`` (scikit-learn's smooth IDF),
    where ``N`` documents were added and ``b(t)`` of ``B`` background documents hold
    ``t`` (pipeline/event_background.py: without them, on an empty store every word was
    rare, and two posts sharing only 建议 or 出现 looked alike). Memory: when more than
    ``MAX_VOCABULARY`` terms are known, those seen only once are dropped (the background
    is kept apart and never dropped).
    """

    def __init__(self, prior: Mapping[str, int] | None = None, prior_docs: int = 0) -> None:
        """Start with no document counted, over the background counts ``prior`` of
        ``prior_docs`` documents (none when None)."""
        self.n_docs = 0
        self._df: dict[str, int] = {}
        self._prior = prior or {}
        self._prior_docs = prior_docs

    def add(self, terms: Iterable[str]) -> None:
        """Count one document with ``terms``."""
        self.add_and_weigh(terms)

    def add_and_weigh(self, terms: Iterable[str], unweighed: Collection[str] = ()
                      ) -> tuple[dict[str, float], dict[str, float]]:
        """Count one document with ``terms``; return its L2-normalised IDF vector
        ``{term: weight}`` (IDF after counting it) and the same vector restricted to the
        terms seen in an earlier document, L2-normalised again (``{}`` when none was; the
        same dict when all were). Terms in ``unweighed`` are counted but left out of both
        vectors."""
        self.n_docs += 1
        df = self._df
        log_n1 = math.log(self.n_docs + self._prior_docs + 1) + 1.0
        log = math.log
        prior = self._prior
        vec: dict[str, float] = {}
        seen: dict[str, float] = {}
        for term in terms:
            count = df.get(term, 0) + 1
            df[term] = count
            if unweighed and term in unweighed:
                continue
            vec[term] = weight = log_n1 - log(count + prior.get(term, 0) + 1)
            if count > 1:
                seen[term] = weight
        if len(df) > MAX_VOCABULARY:
            self._df = {t: n for t, n in df.items() if n > 1}
        norm = math.sqrt(sum([w * w for w in vec.values()])) or 1.0
        unit = {t: w / norm for t, w in vec.items()}
        if len(seen) == len(vec):
            return unit, unit
        norm = math.sqrt(sum([w * w for w in seen.values()]))
        return unit, ({t: w / norm for t, w in seen.items()} if norm else {})

    @property
    def counts(self) -> Mapping[str, int]:
        """The document frequencies, term -> documents (read-only view; for hot loops)."""
        return self._df

    def df(self, term: str) -> int:
        """Return how many added documents contained ``term``."""
        return self._df.get(term, 0)

