"""Evasion-aware forms of lexicon terms and texts, for sensitive-term matching.

People who want a post past a keyword filter respell the keyword. Two sides
meet here:

* the **text** side (:meth:`EvasionFolder.fold`): separators dropped (the
  skeleton of F11), ASCII letters lower-cased, look-alike characters folded
  to what they stand for (``data/evasion/lookalike.tsv``: CJK radical
  characters, a few rare ideographs such as 㓂 for 刀, Cyrillic and Greek
  letters shaped like Latin ones), and runs of one repeated CJK character
  collapsed to one (``持持刀刀伤人``). Each folded character keeps the first
  and last index of the text characters it came from, so hits map back.
* the **term** side (:meth:`EvasionFolder.variants`): spellings of a term in
  which at most :data:`MAX_REPLACED` of its Chinese characters are written
  another way (a split only when it is the one respelled character), and at
  least one is left as it is: the pinyin syllable
  (pypinyin, the reading in the context of the term: ``chi刀伤人``), its first
  letter (``c刀伤人``, and ``zh``/``ch``/``sh``), an Arabic digit for a Chinese
  numeral (``1党专政``), or the character split into two parts
  (``data/evasion/splits.tsv``, from the 漢語拆字字典 data: ``扌寺刀伤人``).
  Variants with a repeated character next to itself are not made (the text
  side collapses such runs). Initials are offered only in terms of
  :data:`MIN_CHARS_FOR_INITIALS` or more characters (``y闹`` for 医闹 would be
  a guess, not a spelling), and a digit only where two Chinese characters of
  the term stay (``八九年`` -> ``89年`` would hit every year).

Full-width forms, traditional characters and circled digits are already
folded in the match text (textnorm: NFKC, OpenCC ``tw2s``).
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from importlib import resources

from pypinyin import Style, lazy_pinyin

#: most characters of one term written another way in one variant
MAX_REPLACED = 2
#: shortest term (in characters) whose variants may use pinyin initials: in shorter ones a
#: letter is too often something else (Cantonese D for 些: D死人 is not 打死人; T_T考试)
MIN_CHARS_FOR_INITIALS = 4

_KEPT_RUN = re.compile(r"[^\W_]+|[。！？!?；;\n]")
_SEPARATOR = re.compile(r"[^\w。！？!?；;\n]|_")  # one at a time: 4x faster than runs
_REPEAT = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff])\1+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {
    c: str(i) for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")
} | {"两": "2"}
_PINYIN = re.compile(r"[a-z]+")


def _data_lines(name: str) -> list[list[str]]:
    """Return the tab-separated columns of the non-comment lines of ``data/evasion/NAME``."""
    path = resources.files("yuqing") / "data" / "evasion" / name
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


@lru_cache(maxsize=1)
def lookalike_table() -> dict[int, str]:
    """Return the ``str.translate`` table: look-alike characters to what they stand for."""
    return {ord(row[0]): row[1] for row in _data_lines("lookalike.tsv")}


@lru_cache(maxsize=1)
def _lookalike_pattern() -> re.Pattern[str]:
    """Return a pattern finding any look-alike character (lower case; after ``str.lower``)."""
    table = lookalike_table()
    chars = sorted({chr(c).lower() for c in table} | {chr(c) for c in table})
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]")


def fold_chars(text: str) -> str:
    """Return ``text`` lower-cased with look-alike characters folded; same length.

    ``str.lower`` is one-to-one on every character but U+0130 (İ), which is
    made ``i`` first; ``translate`` runs only when a look-alike is present
    (five times faster than always translating).
    """
    low = (text.replace("\u0130", "i") if "\u0130" in text else text).lower()
    return low.translate(lookalike_table()) if _lookalike_pattern().search(low) else low


@lru_cache(maxsize=1)
def split_table() -> dict[str, list[str]]:
    """Return {character: [two-character split, ...]} from ``data/evasion/splits.tsv``."""
    return {row[0]: row[1].split() for row in _data_lines("splits.tsv")}


def skeleton(text: str) -> tuple[str, list[int]]:
    """Return ``text`` without separators, and for each kept character its index in ``text``.

    Separators: anything but letters, digits and the sentence ends ``。！？!?；;``
    and newline (which stay, so a hit never runs across a sentence).
    """
    parts: list[str] = []
    where: list[int] = []
    for m in _KEPT_RUN.finditer(text):
        parts.append(m.group())
        where.extend(range(m.start(), m.end()))
    return "".join(parts), where


def collapse_repeats(text: str) -> tuple[str, list[int], list[int]]:
    """Return ``text`` with runs of one CJK character made one, and (first, last) index lists.

    ``first[i]`` and ``last[i]`` are the indices in ``text`` of the first and
    last character of the run that gave character ``i`` of the result.
    """
    parts: list[str] = []
    first: list[int] = []
    last: list[int] = []
    pos = 0
    for m in _REPEAT.finditer(text):
        start, end = m.span()
        parts.append(text[pos:start])
        first.extend(range(pos, start))
        last.extend(range(pos, start))
        parts.append(m.group(1))
        first.append(start)
        last.append(end - 1)
        pos = end
    parts.append(text[pos:])
    first.extend(range(pos, len(text)))
    last.extend(range(pos, len(text)))
    return "".join(parts), first, last


class EvasionFolder:
    """Folds texts and spells out term variants (see module doc); build once, reuse."""

    def fold_term(self, term: str) -> str:
        """Return ``term`` lower-cased with look-alikes folded (no separator removal)."""
        return fold_chars(term)

    def fold(self, text: str) -> str:
        """Return the folded skeleton of ``text`` (fast: no index maps; see :meth:`maps`)."""
        folded = fold_chars(_SEPARATOR.sub("", text))
        return _REPEAT.sub(r"\1", folded) if _REPEAT.search(folded) else folded

    def maps(self, text: str) -> tuple[list[int], list[int]]:
        """Return ``(first, last)`` for ``fold(text)``: indices in ``text`` behind each character.

        ``first[i]``/``last[i]`` are the first and last original character
        behind folded character ``i`` (they differ where a run collapsed).
        """
        skel, where = skeleton(text)
        skel = fold_chars(skel)
        if _REPEAT.search(skel) is None:
            return where, where
        _, first, last = collapse_repeats(skel)
        return [where[i] for i in first], [where[i] for i in last]

    def variants(self, term: str) -> list[str]:
        """Return spellings of the folded ``term`` with 1..MAX_REPLACED characters respelled.

        Only Chinese characters are respelled and at least one stays as it
        is; the term itself is not in the list. Order: by position, stable.
        Cached per term: matchers built again (tests, restarts) reuse them.
        """
        return list(term_variants(term))


@lru_cache(maxsize=65_536)
def term_variants(term: str) -> tuple[str, ...]:
    """Return :meth:`EvasionFolder.variants` of ``term`` as a tuple (cached)."""
    chars = list(term)
    han = [i for i, c in enumerate(chars) if _HAN.match(c)]
    if len(han) < 2 or _REPEAT.search(term):
        return ()
    options = _options(term, han)
    out: list[str] = []
    seen = {term}
    for k in range(1, min(MAX_REPLACED, len(han) - 1) + 1):
        for picked in itertools.combinations(han, k):
            choices = [options[i] if k == 1 else _spoken(options[i]) for i in picked]
            for spelled in itertools.product(*choices):
                if len(han) - k < 2 and any(x.isdigit() for x in spelled):
                    continue  # 八九年 -> 89年 is a year, not an evasion
                variant = chars.copy()
                for i, s in zip(picked, spelled, strict=True):
                    variant[i] = s
                text = "".join(variant)
                if text not in seen and not _REPEAT.search(text):
                    seen.add(text)
                    out.append(text)
    return tuple(out)


def _options(term: str, han: list[int]) -> dict[int, list[str]]:
    """Return {position: other spellings} for the Chinese characters of ``term``."""
    readings = lazy_pinyin("".join(term[i] for i in han), style=Style.NORMAL)
    initials = len(han) >= MIN_CHARS_FOR_INITIALS
    splits = split_table()
    options: dict[int, list[str]] = {}
    for i, py in zip(han, readings, strict=True):
        ch = term[i]
        spelled: list[str] = []
        if _PINYIN.fullmatch(py):
            spelled.append(py)
            if initials:
                spelled.append(py[0])
                if py[:2] in ("zh", "ch", "sh"):
                    spelled.append(py[:2])
        if ch in _DIGITS:
            spelled.append(_DIGITS[ch])
        spelled.extend(fold_chars(s) for s in splits.get(ch, ()))
        options[i] = list(dict.fromkeys(spelled))
    return options


def _spoken(options: list[str]) -> list[str]:
    """Return the pinyin and digit spellings of ``options`` (a two-part split is left out)."""
    return [o for o in options if o.isascii()]
