"""What the HTML/PDF writer (reports/formats.py) and the DOCX writer (reports/word.py) share:
section numerals and the order of the lead tables."""

from __future__ import annotations

NUMERALS = "〇一二三四五六七八九十"
#: tables shown right after the overview (event and case facts), in this order
LEAD_TABLES = ("事件概况", "工单概况", "处置经过", "处置时限", "重点事件")


def section_numerals() -> list[str]:
    """Return Chinese section numerals 〇..二十."""
    return list(NUMERALS) + [f"十{d}" for d in NUMERALS[1:]] + ["二十"]
