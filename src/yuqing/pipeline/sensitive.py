"""Sensitive-term flagging: one Aho-Corasick automaton over all lexicons.

Lexicon file format: one term per line, optional tab-separated ``category``
and ``weight`` columns, ``#`` starts a comment line. Matching is
leftmost-longest (ahocorasick-rs ``MatchKind.LeftmostLongest``; choice:
MEASURED.md, 2-3x pyahocorasick, whose ``iter_long`` misses fallbacks, F10)
on ``item.match_text``; spans are reported in the ORIGINAL text through
``item.original_span``.

Evasion by separators (F11): terms made only of letters and digits are also
matched on a *skeleton* of the text with separators (whitespace, punctuation,
symbols, emoji; not sentence ends ``。！？!?；;`` or newlines) removed, so
``假——疫——苗`` hits ``假疫苗``; at most :data:`MAX_GAP` separators between two
characters. A term containing a symbol (``≡国``) is matched only on the text
itself: a keyword is never shortened by stripping its own symbols. Terms with
Latin letters must stand as whole words (``tnt`` does not hit inside ``stnt``).

Other evasions (``evasion=True``, the default; :mod:`yuqing.pipeline.evasion`):
the skeleton is also lower-cased, look-alike characters are folded and runs
of one repeated character collapsed, and the skeleton automaton also holds
spellings of each term with one or two characters written as pinyin, pinyin
initials, digits or two-part splits (``有人chi刀伤人``, ``持㓂伤人``,
``扌寺刀伤人``, ``持持刀刀伤人`` all hit 持刀伤人). A skeleton hit counts only
where it overlaps no hit on the text itself, or covers such hits with a longer
term (they then give way to it). ``evasion=False`` is plain matching
(separators only), the baseline ``benchmarks/sensitive_evasion.py`` measures
against.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import ahocorasick_rs as acrs

from yuqing.config import Config, LexiconConfig
from yuqing.domain import Item, TermHit
from yuqing.pipeline.base import BaseStage, StageUnavailable, live
from yuqing.pipeline.evasion import EvasionFolder, skeleton

log = logging.getLogger(__name__)

_SEPARATOR = re.compile(r"[^\w。！？!?；;\n]|_")
_SKELETON_TERM = re.compile(r"[^\W_]+")
_LATIN = re.compile(r"[A-Za-z0-9]")
_SPACE = re.compile(r"\s")
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


def builtin_allow(path: str) -> list[str]:
    """Return the shipped allow-list of a ``builtin:NAME`` lexicon (``data/lexicons/allow/
    NAME.txt``: phrases holding a term across a word boundary, such as 大麻烦 for 大麻;
    docs/FIELD_CASES.md F20.5), or ``[]`` for another path or a lexicon without one."""
    if not path.startswith("builtin:"):
        return []
    name = path.removeprefix("builtin:")
    file = builtin_lexicon_path(name).parent / "allow" / f"{name}.txt"
    if not file.is_file():
        return []
    lines = (line.strip() for line in file.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def resolve_lexicon_path(path: str, base_dir: Path = Path(".")) -> Path:
    """Return the file for a LexiconConfig path: ``builtin:NAME`` or a path under ``base_dir``."""
    if path.startswith("builtin:"):
        return builtin_lexicon_path(path.removeprefix("builtin:"))
    p = Path(path).expanduser()
    return p if p.is_absolute() else base_dir / p


def read_lexicon(path: Path, category: str) -> tuple[list[Term], list[str]]:
    """Return (terms, problems) of the lexicon file at ``path`` (:func:`parse_lexicon`).
    Raises StageUnavailable naming ``path`` when the file does not exist."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError as exc:
        raise StageUnavailable(f"sensitive: lexicon file {path} not found") from exc
    return parse_lexicon(lines, category, str(path))


def parse_lexicon(lines: Iterable[str], category: str,
                  where: str) -> tuple[list[Term], list[str]]:
    """Return (terms, problems) of lexicon ``lines`` (``term[TAB category[TAB weight]]``;
    blank lines and ``#`` comments skipped). ``category`` is used for lines without a
    category column. A line with a weight that is not a number is skipped and described in
    ``problems`` as ``where:line: problem``."""
    terms: list[Term] = []
    problems: list[str] = []
    for no, line in enumerate(lines, 1):
        cols = [c.strip() for c in line.split("\t")]
        if not cols[0] or cols[0].startswith("#"):
            continue
        try:
            weight = float(cols[2]) if len(cols) > 2 and cols[2] else 1.0
        except ValueError:
            problems.append(f"{where}:{no}: weight {cols[2]!r} is not a number")
            continue
        terms.append(Term(cols[0], cols[1] if len(cols) > 1 and cols[1] else category, weight))
    return terms, problems


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
        *,
        evasion: bool = True,
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
        self._folder = EvasionFolder() if evasion else None
        self._skel, self._skel_forms, self._skel_terms = skeleton_automaton(
            tuple(self.terms), evasion
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
        *,
        evasion: bool = True,
    ) -> SensitiveMatcher:
        """Read every lexicon of ``lexicons`` and build one matcher; bad lines are logged.

        A built-in lexicon brings its shipped allow-list (:func:`builtin_allow`) besides
        the ``allow`` phrases of its config entry.
        """
        terms: list[Term] = []
        allow: list[str] = []
        for i, lex in enumerate(lexicons):
            found, problems = parse_lexicon(lex.terms, lex.category, f"lexicons[{i}].terms")
            if lex.path is not None:
                from_file, more = read_lexicon(resolve_lexicon_path(lex.path, base_dir),
                                               lex.category)
                found, problems = from_file + found, more + problems
                allow.extend(builtin_allow(lex.path))
            for problem in problems:
                log.warning("sensitive: %s", problem)
            terms.extend(found)
            allow.extend(lex.allow)
        return cls(terms, allow, normalize, evasion=evasion)

    def find(self, text: str) -> list[tuple[Term, int, int]]:
        """Return ``(term, start, end)`` hits in ``text`` (match-text offsets), sorted by start."""
        hits = [
            (self.terms[i], s, e, self.terms[i].term)
            for i, s, e in self._direct.find_matches_as_indexes(text)
        ]
        if self._skel is not None and (self._folder is not None or _SEPARATOR.search(text)):
            extra = self._skeleton_hits(self._skel, text, hits)
            if extra:
                hits = [h for h in hits if not any(x[1] <= h[1] and h[2] <= x[2] for x in extra)]
                hits.extend(extra)
                hits.sort(key=lambda h: (h[1], -h[2]))
        if hits and _LATIN.search(text):
            hits = [h for h in hits if _whole_word(text, h[3], h[1], h[2])]
        found = [(t, s, e) for t, s, e, _ in hits]
        if found and self._allow is not None:
            found = _drop_allowed(self._allow, text, found)
        return found

    def _skeleton_hits(
        self, automaton: acrs.AhoCorasick, text: str, direct: list[tuple[Term, int, int, str]]
    ) -> list[tuple[Term, int, int, str]]:
        """Hits the skeleton adds, at most MAX_GAP separators between two characters.

        A skeleton hit overlapping a ``direct`` hit is kept only when it covers
        it and is longer (``持持刀刀伤人``: 持刀伤人, not 持刀); the caller then
        drops the direct hits it covers.
        """
        if self._folder is None:
            skel, first = skeleton(text)
            last = first
            matches = automaton.find_matches_as_indexes(skel)
        else:
            folded = self._folder.fold(text)
            matches = automaton.find_matches_as_indexes(folded)
            if not matches:
                return []
            first, last = self._folder.maps(text)
            matches = [m for m in matches if not _glued(text, folded, first, last, m[1], m[2])]
        found = []
        for i, s, e in matches:
            start, end = first[s], last[e - 1] + 1
            if any(_blocks(d[1], d[2], len(d[3]), start, end, e - s) for d in direct):
                continue
            if all(first[k + 1] - last[k] - 1 <= MAX_GAP for k in range(s, e - 1)):
                found.append((self._skel_terms[i], start, end, self._skel_forms[i]))
        return found

    def process(self, items: list[Item]) -> None:
        """Set ``item.sensitive_terms`` (spans in ``item.text``) for every live item."""
        for item in live(items):
            hits = self.find(item.match_text)
            item.sensitive_terms = [
                TermHit(t.term, t.category, *item.original_span(s, e), weight=t.weight)
                for t, s, e in hits
            ]


SkeletonAutomaton = tuple[acrs.AhoCorasick | None, tuple[str, ...], tuple[Term, ...]]


@lru_cache(maxsize=4)
def skeleton_automaton(terms: tuple[Term, ...], evasion: bool) -> SkeletonAutomaton:
    """Return ``(automaton or None, forms, term of each form)`` for the skeleton pass.

    Plain: the terms made of letters and digits. Evasion-aware: those terms
    folded, then their respelled variants (first term wins a shared form).
    Cached: every matcher built from the same lexicons (one per app, worker
    or test) shares one automaton, about 10 MB for the built-ins' 74k forms.
    """
    eligible = [t for t in terms if _SKELETON_TERM.fullmatch(t.term)]
    forms: dict[str, Term] = {}
    if not evasion:
        forms = {t.term: t for t in eligible}
    else:
        folder = EvasionFolder()
        folded = [(folder.fold_term(t.term), t) for t in eligible]
        for form, t in folded:
            forms.setdefault(form, t)
        for form, t in folded:
            for variant in folder.variants(form):
                forms.setdefault(variant, t)
    if not forms:
        return None, (), ()
    # ContiguousNFA: with the ~74k evasion forms of the built-ins, the default choice
    # (a non-contiguous NFA at that size) matched 5x slower (160k vs 780k texts/s)
    automaton = acrs.AhoCorasick(list(forms), matchkind=acrs.MatchKind.LeftmostLongest,
                                 implementation=acrs.Implementation.ContiguousNFA)
    return automaton, tuple(forms), tuple(forms.values())


def _blocks(d_start: int, d_end: int, d_len: int, start: int, end: int, length: int) -> bool:
    """True when a direct hit overlaps ``[start, end)`` and a hit there of ``length`` folded
    characters does not cover it with a longer term (``识识`` stays two hits of 识)."""
    overlaps = start < d_end and d_start < end
    covers = start <= d_start and d_end <= end and length > d_len
    return overlaps and not covers


def _glued(text: str, folded: str, first: list[int], last: list[int], s: int, e: int) -> bool:
    """True when folded hit ``[s, e)`` runs on into a letter joined to it by a non-space (``T_T``).

    The text-side whole-word check (:func:`_whole_word`) sees only the
    separator; here a Latin letter or digit at the edge of the hit, and one
    next to it in the skeleton, count as one word unless white space parts them.
    """
    if (
        s > 0
        and _LATIN.match(folded[s])
        and _LATIN.match(folded[s - 1])
        and not _SPACE.search(text, last[s - 1] + 1, first[s])
    ):
        return True
    if e < len(folded) and _LATIN.match(folded[e - 1]) and _LATIN.match(folded[e]):
        return not _SPACE.search(text, last[e - 1] + 1, first[e])
    return False


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
