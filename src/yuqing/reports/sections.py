"""What the HTML/PDF writer (reports/formats.py) and the DOCX writer (reports/word.py) share:
section numerals and the order of the lead tables."""

from __future__ import annotations

NUMERALS = "〇一二三四五六七八九十"
#: tables shown right after the overview (event and case facts), in this order
LEAD_TABLES = ("事件概况", "工单概况", "处置经过", "处置时限", "重点事件")


def section_numerals(lang: str = "zh") -> list[str]:
    """Return section numerals 0..20: Chinese 〇..二十 followed by ``、``; other languages
    Arabic numerals followed by ``.``."""
    if lang != "zh":
        return [f"{i}. " for i in range(21)]
    return [f"{n}、" for n in list(NUMERALS) + [f"十{d}" for d in NUMERALS[1:]] + ["二十"]]
