"""Tests of web/render.py: highlighting of sensitive terms and scheme words."""

from __future__ import annotations

from yuqing.domain import TermHit
from yuqing.web.render import highlight


def test_highlight_marks_hits_and_words_and_escapes_the_rest() -> None:
    text = "<b>警察</b>到场，有人持刀"
    out = str(highlight(text, [TermHit("持刀", "violence", 14, 16)], ["警察"]))
    assert out == ('&lt;b&gt;<mark class="hl-k">警察</mark>&lt;/b&gt;到场，有人'
                   '<mark class="hl-s">持刀</mark>')


def test_overlapping_spans_keep_the_first_and_bad_offsets_are_ignored() -> None:
    out = str(highlight("派出所民警", [TermHit("x", "c", 3, 99)], ["派出所", "出所民"]))
    assert out == '<mark class="hl-k">派出所</mark>民警'

