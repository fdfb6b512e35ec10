"""Monitoring-scheme (监测方案) matching: which schemes each item belongs to.

Rule (SchemeConfig, issue text): an item matches a scheme when its
normalised text contains a region word (if any are set) AND a subject word
AND an event word (if any are set) AND no exclusion word, OR when the
scheme's expression is true. A scheme with an expression and no subject
words is decided by the expression alone. Designated sources (non-empty
``sources``) restrict a scheme to items whose ``source`` is one of them; an
item of one of the scheme's ``region_sources`` (a local forum) needs no region
word.

All words of all schemes are found in one pass with ONE Aho-Corasick
automaton (ahocorasick-rs, standard semantics, overlapping matches); each
scheme is then evaluated on the set of words present.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass

import ahocorasick_rs as acrs

from yuqing.config import SchemeConfig
from yuqing.domain import BadInput, Item
from yuqing.pipeline.base import BaseStage, live
from yuqing.pipeline.expr import Node, parse


def _word_set(words: Iterable[str], normalize: Callable[[str], str]) -> frozenset[str]:
    return frozenset(w for w in (normalize(x).strip() for x in words) if w)


@dataclass(frozen=True)
class CompiledScheme:
    """A scheme ready to evaluate: normalised word sets and the parsed expression."""

    name: str
    regions: frozenset[str]
    subjects: frozenset[str]
    events: frozenset[str]
    exclusions: frozenset[str]
    expression: Node | None
    sources: frozenset[str]
    region_sources: frozenset[str] = frozenset()

    @classmethod
    def build(cls, scheme: SchemeConfig, normalize: Callable[[str], str]) -> CompiledScheme:
        """Normalise the words and parse the expression of ``scheme``.

        Raises BadInput naming the scheme for a syntax error, or when it has
        neither subject words nor an expression (it could never match).
        """
        expression = None
        if scheme.expression and scheme.expression.strip():
            expression = parse(scheme.expression, normalize, name=f"scheme {scheme.name!r}")
        subjects = _word_set(scheme.subject_words, normalize)
        if not subjects and expression is None:
            raise BadInput(f"scheme {scheme.name!r}: needs subject words or an expression")
        return cls(
            name=scheme.name,
            regions=_word_set(scheme.region_words, normalize),
            subjects=subjects,
            events=_word_set(scheme.event_words, normalize),
            exclusions=_word_set(scheme.exclusion_words, normalize),
            expression=expression,
            sources=frozenset(scheme.sources),
            region_sources=frozenset(scheme.region_sources),
        )

    def words(self) -> set[str]:
        """Return every word this scheme looks for."""
        found = set(self.regions | self.subjects | self.events | self.exclusions)
        return found | (self.expression.words() if self.expression is not None else set())

    def matches(self, present: Set[str], source: str) -> bool:
        """Return whether an item from ``source`` whose text holds ``present`` words matches."""
        if self.sources and source not in self.sources:
            return False
        if self.expression is not None and self.expression.evaluate(present):
            return True
        return bool(
            self.subjects
            and (not self.regions or source in self.region_sources
                 or not self.regions.isdisjoint(present))
            and not self.subjects.isdisjoint(present)
            and (not self.events or not self.events.isdisjoint(present))
            and self.exclusions.isdisjoint(present)
        )


class SchemeMatcher(BaseStage):
    """Stage ``schemes``: fills ``item.schemes`` with the names of matching schemes.

    ``normalize`` is the normalisation that produced ``match_text`` (identity
    in tests). Raises BadInput at construction for a bad scheme (see
    :meth:`CompiledScheme.build`).
    """

    name = "schemes"

    def __init__(
        self, schemes: list[SchemeConfig], normalize: Callable[[str], str] = lambda s: s
    ) -> None:
        self.schemes = [CompiledScheme.build(s, normalize) for s in schemes]
        self._normalize = normalize
        self._words = sorted(set().union(*(s.words() for s in self.schemes)))
        self._automaton = acrs.AhoCorasick(self._words) if self._words else None

    def present(self, text: str) -> set[str]:
        """Return the scheme words that occur in ``text`` (overlaps included)."""
        if self._automaton is None:
            return set()
        words = self._words
        return {
            words[i] for i, _, _ in self._automaton.find_matches_as_indexes(text, overlapping=True)
        }

    def match(self, text: str, source: str) -> list[str]:
        """Return the names of the schemes matching ``text`` from ``source``, in config order."""
        present = self.present(text)
        return [s.name for s in self.schemes if s.matches(present, source)]

    def process(self, items: list[Item]) -> None:
        """Set ``item.schemes`` for every live item, matched on its title and text together
        (a site article or feed entry often names the place or subject in its title only)."""
        for item in live(items):
            text = (f"{self._normalize(item.title)}\n{item.match_text}" if item.title
                    else item.match_text)
            item.schemes = self.match(text, item.source)
