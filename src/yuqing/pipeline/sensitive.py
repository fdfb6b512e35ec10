"""Sensitive-term flagging: one Aho-Corasick automaton over all lexicons.

Lexicon file format: one term per line, optional tab-separated ``category``
and ``weight`` columns, ``#`` starts a comment line. Matching is
leftmost-longest (ahocorasick-rs ``MatchKind.LeftmostLongest``; choice:
MEASURED.md, 2-3x pyahocorasick, whose ``iter_long`` misses fallbacks, F10)
on ``item.match_text``; spans are reported in the ORIGINAL text through
``item.original_span``.

Evasion by separators (F11): terms made only of letters and digits are also
matched on a *skeleton* of the text with separators (whitespace, punctuation,
symbols; not sentence ends ``。！？!?；;`` or newlines) removed, so
``假——疫——苗`` hits ``假疫苗``. A term containing a symbol (``≡国``) is matched
only on the text itself: a keyword is never shortened by stripping its own
symbols. Terms with Latin letters must stand as whole words (``tnt`` does not
hit inside ``stnt``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import ahocorasick_rs as acrs

from yuqing.config import Config, LexiconConfig
from yuqing.domain import Item, TermHit
from yuqing.pipeline.base import BaseStage, StageUnavailable, live

log = logging.getLogger(__name__)

_SEPARATOR = re.compile(r"[^\w。！？!?；;\n]|_")
_KEPT_RUN = re.compile(r"[^\W_]+|[。！？!?；;\n]")
_SKELETON_TERM = re.compile(r"[^\W_]+")
_LATIN = re.compile(r"[A-Za-z0-9]")
#: longest separator run allowed between two letters of a skeleton hit
MAX_GAP = 3


@dataclass(frozen=True)
class Term:
    """One lexicon entry: normalised ``term``, its ``category`` and ``weight``."""

    term: str
    category: str
    weight: float = 1.0


def builtin_lexicon_path(name: str) -> Path:
    """Return the path of the shipped lexicon ``name`` (``data/lexicons/NAME.txt``)."""
    return Path(str(resources.files("yuqing") / "data" / "lexicons" / f"{name}.txt"))


def resolve_lexicon_path(path: str, base_dir: Path = Path(".")) -> Path:
    """Return the file for a LexiconConfig path: ``builtin:NAME`` or a path under ``base_dir``."""
    if path.startswith("builtin:"):
        return builtin_lexicon_path(path.removeprefix("builtin:"))
    p = Path(path).expanduser()
    return p if p.is_absolute() else base_dir / p


def read_lexicon(path: Path, category: str) -> tuple[list[Term], list[str]]:
    """Return (terms, problems) of the lexicon file at ``path``.

    ``category`` is used for lines without a category column. A line with a
    weight that is not a number is skipped and described in ``problems`` as
    ``file:line: problem``. Raises StageUnavailable naming ``path`` when the
    file does not exist.
    """
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError as exc:
        raise StageUnavailable(f"sensitive: lexicon file {path} not found") from exc
    terms: list[Term] = []
    problems: list[str] = []
    for no, line in enumerate(lines, 1):
        cols = [c.strip() for c in line.split("\t")]
        if not cols[0] or cols[0].startswith("#"):
            continue
        try:
            weight = float(cols[2]) if len(cols) > 2 and cols[2] else 1.0
        except ValueError:
            problems.append(f"{path}:{no}: weight {cols[2]!r} is not a number")
            continue
        terms.append(Term(cols[0], cols[1] if len(cols) > 1 and cols[1] else category, weight))
    return terms, problems


def skeleton(text: str) -> tuple[str, list[int]]:
    """Return ``text`` without separators, and for each kept character its index in ``text``."""
    parts: list[str] = []
    where: list[int] = []
    for m in _KEPT_RUN.finditer(text):
        parts.append(m.group())
        where.extend(range(m.start(), m.end()))
    return "".join(parts), where


class SensitiveMatcher(BaseStage):
    """Stage ``sensitive``: fills ``item.sensitive_terms`` with :class:`TermHit` objects.

    ``terms`` are raw (un-normalised) lexicon entries; ``normalize`` is the
    same normalisation that produced ``match_text`` (identity in tests).
    When a term occurs in several lexicons, the first one's category wins.
    ``allow`` phrases suppress every hit lying inside one of their occurrences.
    Raises StageUnavailable when there are no terms.
    """

    name = "sensitive"

    def __init__(
        self,
        terms: Iterable[Term],
        allow: Iterable[str] = (),
        normalize: Callable[[str], str] = lambda s: s,
    ) -> None:
        by_text: dict[str, Term] = {}
        for t in terms:
            norm = normalize(t.term).strip()
            if norm and norm not in by_text:
                by_text[norm] = Term(norm, t.category, t.weight)
        if not by_text:
            raise StageUnavailable("sensitive: the lexicons hold no terms")
        self.terms = list(by_text.values())
        kind = acrs.MatchKind.LeftmostLongest
        self._direct = acrs.AhoCorasick([t.term for t in self.terms], matchkind=kind)
        self._skel_terms = [t for t in self.terms if _SKELETON_TERM.fullmatch(t.term)]
        self._skel = (
            acrs.AhoCorasick([t.term for t in self._skel_terms], matchkind=kind)
            if self._skel_terms
            else None
        )
        allow_words = sorted({a for a in (normalize(x).strip() for x in allow) if a})
        self._allow = acrs.AhoCorasick(allow_words) if allow_words else None

    @classmethod
    def from_config(
        cls, config: Config, normalize: Callable[[str], str] = lambda s: s
    ) -> SensitiveMatcher:
        """Build the matcher from ``config.lexicons``; StageUnavailable names a missing file."""
        return cls.from_lexicons(config.lexicons, config.base_dir, normalize)

    @classmethod
    def from_lexicons(
        cls,
        lexicons: list[LexiconConfig],
        base_dir: Path = Path("."),
        normalize: Callable[[str], str] = lambda s: s,
    ) -> SensitiveMatcher:
        """Read every lexicon of ``lexicons`` and build one matcher; bad lines are logged."""
        terms: list[Term] = []
        allow: list[str] = []
        for lex in lexicons:
            found, problems = read_lexicon(resolve_lexicon_path(lex.path, base_dir), lex.category)
            for problem in problems:
                log.warning("sensitive: %s", problem)
            terms.extend(found)
            allow.extend(lex.allow)
        return cls(terms, allow, normalize)

    def find(self, text: str) -> list[tuple[Term, int, int]]:
        """Return ``(term, start, end)`` hits in ``text`` (match-text offsets), sorted by start."""
        hits = [(self.terms[i], s, e) for i, s, e in self._direct.find_matches_as_indexes(text)]
        if self._skel is not None and _SEPARATOR.search(text):
            hits.extend(self._skeleton_hits(self._skel, text))
            hits.sort(key=lambda h: (h[1], -h[2]))
        if hits and _LATIN.search(text):
            hits = [h for h in hits if _whole_word(text, h[0].term, h[1], h[2])]
        if hits and self._allow is not None:
            hits = _drop_allowed(self._allow, text, hits)
        return hits

    def _skeleton_hits(
        self, automaton: acrs.AhoCorasick, text: str
    ) -> list[tuple[Term, int, int]]:
        """Hits that only the skeleton shows: they span at least one removed separator."""
        skel, where = skeleton(text)
        found = []
        for i, s, e in automaton.find_matches_as_indexes(skel):
            start, end = where[s], where[e - 1] + 1
            gaps = (where[k + 1] - where[k] - 1 for k in range(s, e - 1))
            if end - start > e - s and max(gaps) <= MAX_GAP:
                found.append((self._skel_terms[i], start, end))
        return found

    def process(self, items: list[Item]) -> None:
        """Set ``item.sensitive_terms`` (spans in ``item.text``) for every live item."""
        for item in live(items):
            hits = self.find(item.match_text)
            item.sensitive_terms = [
                TermHit(t.term, t.category, *item.original_span(s, e), weight=t.weight)
                for t, s, e in hits
            ]


def _whole_word(text: str, term: str, start: int, end: int) -> bool:
    """False when a term starting/ending with a Latin letter or digit is glued to another."""
    if _LATIN.match(term[0]) and start > 0 and _LATIN.match(text[start - 1]):
        return False
    return not (_LATIN.match(term[-1]) and end < len(text) and _LATIN.match(text[end]))


def _drop_allowed(
    allow: acrs.AhoCorasick, text: str, hits: list[tuple[Term, int, int]]
) -> list[tuple[Term, int, int]]:
    """Return ``hits`` without those lying inside an occurrence of an allow-list phrase."""
    spans = allow.find_matches_as_indexes(text, overlapping=True)
    if not spans:
        return hits
    return [h for h in hits if not any(s <= h[1] and h[2] <= e for _, s, e in spans)]
