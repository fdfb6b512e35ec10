"""The office's subject words, left out of event clustering.

Every post an office watches names its area and its subject: the hospital press
office's posts all say 青山县人民医院, whatever happened there (a fight in the
emergency room, an overcharge, a fire in the power room). Shared by all of them,
these words cannot tell the office's stories apart, yet the clustering weighed
them as any other: on an empty store a fresh hospital's twenty different
happenings became one event and one alert (issue 19). The words come from the
office's monitoring schemes (``[[schemes]]`` ``region_words`` and
``subject_words``), normalised as match text is; the events stage removes them
from the text its terms are taken from, in every process alike (the terms of
an item depend on its match text and the config only).
"""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick_rs as acrs

from yuqing.config import SchemeConfig
from yuqing.pipeline.event_terms import replace_matches
from yuqing.pipeline.textnorm import match_form


class SubjectWords:
    """The subject words of an office, found leftmost-longest (``青山县`` before ``青山``)."""

    def __init__(self, words: Iterable[str]) -> None:
        """Build the finder of ``words`` (match-text form; blanks ignored)."""
        self.words = sorted({w for w in words if w.strip()})
        self._automaton = (acrs.AhoCorasick(self.words, matchkind=acrs.MatchKind.LeftmostLongest)
                           if self.words else None)

    @classmethod
    def of_schemes(cls, schemes: Iterable[SchemeConfig]) -> SubjectWords:
        """Return the region and subject words of ``schemes``, normalised as match text
        (simplified, NFKC: pipeline/textnorm.py)."""
        return cls(match_form(w).strip() for s in schemes
                   for w in (*s.region_words, *s.subject_words))

    def strip(self, match_text: str) -> str:
        """Return ``match_text`` with each subject word replaced by a space (so no term
        spans it); the same string when none occurs."""
        if self._automaton is None:
            return match_text
        return replace_matches(self._automaton, match_text, lambda _: " ")
