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
from yuqing.domain import BadInput
from yuqing.pipeline.event_terms import replace_matches
from yuqing.pipeline.expr import named_words, parse
from yuqing.pipeline.textnorm import match_form

MIN_CHARS = 2  # characters a subject word needs to count


class SubjectWords:
    """The subject words of an office, found leftmost-longest (``青山县`` before ``青山``)."""

    def __init__(self, words: Iterable[str]) -> None:
        """Build the finder of ``words`` (match-text form); words shorter than
        ``MIN_CHARS`` (blanks, a lone 县 or 院) are ignored: they occur in posts of every
        kind and would cut their terms apart."""
        self.words = sorted({w for w in (x.strip() for x in words) if len(w) >= MIN_CHARS})
        self._automaton = (acrs.AhoCorasick(self.words, matchkind=acrs.MatchKind.LeftmostLongest)
                           if self.words else None)

    @classmethod
    def of_schemes(cls, schemes: Iterable[SchemeConfig]) -> SubjectWords:
        """Return the region and subject words of ``schemes`` and the words of their
        expressions that only name (expr.named_words: ``青山 OR 城关镇``), normalised as
        match text (simplified, NFKC: pipeline/textnorm.py). A scheme whose expression
        does not parse adds nothing from it (the schemes stage refuses it)."""
        words: set[str] = set()
        for scheme in schemes:
            words |= {match_form(w) for w in (*scheme.region_words, *scheme.subject_words)}
            if scheme.expression and scheme.expression.strip():
                try:
                    words |= named_words(parse(scheme.expression, match_form))
                except BadInput:
                    continue
        return cls(words)

    def strip(self, match_text: str) -> str:
        """Return ``match_text`` with each subject word replaced by a space (so no term
        spans it); the same string when none occurs."""
        if self._automaton is None:
            return match_text
        return replace_matches(self._automaton, match_text, lambda _: " ")
