"""F20.1 (docs/FIELD_CASES.md): rare characters in PDF reports.

A stored post naming 朱镕基, 王堃 and 张喆, quoting the Cantonese 𡃁仔 (CJK
Extension B) and a Korean headline: every one of its characters is drawn by
a font embedded in the PDF (the shipped fonts: the common subset, then the
extension font), none is a box; a character no font covers is named in a
warning.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pdf_tools import pdf_text, pdf_tool, unrendered
from report_items import DAY, TZ, make

from yuqing.reports.build import build_period_report
from yuqing.reports.fonts import has_glyph, uncovered
from yuqing.reports.formats import render
from yuqing.reports.model import Report
from yuqing.store import Store

RARE = "朱镕基题词 王堃 张喆 陶喆 𡃁仔 한국어 뉴스 燃气泄漏"


@pytest.fixture
def pdf(store: Store) -> bytes:
    store.save_items([make("weibo:rare", RARE, 10.0, sentiment="negative", sentiment_score=0.9,
                           author="𡃁仔堃", reposts=99)])
    now = datetime(2024, 3, 6, 9, tzinfo=UTC)
    report = build_period_report(store, "daily", day=DAY, tz=TZ, now=now)
    assert report.posts and RARE in report.posts[0].quote
    return render(report, "pdf")


def test_every_character_of_a_stored_item_has_a_shipped_glyph() -> None:
    assert [ch for ch in RARE + "𡃁仔堃" if not ch.isspace() and not has_glyph(ch)] == []


def test_the_pdf_draws_every_character(pdf: bytes, tmp_path: Path) -> None:
    text = pdf_text(pdf, tmp_path)
    assert RARE in text and "𡃁仔堃" in text
    assert unrendered(pdf) == set()
    fonts = pdf_tool("pdffonts", pdf, tmp_path)
    assert "Yuqing-Sans-SC-Ext" in fonts  # the extension font, embedded only when used


def test_a_character_no_font_covers_is_named(caplog: pytest.LogCaptureFixture) -> None:
    # U+16A00 (Tangsa) and a private-use character: in no shipped font, nor in DejaVu
    assert uncovered("燃气 𖨀\ue000 한") == ["\ue000", "\U00016a00"]
    now = datetime(2024, 3, 6, tzinfo=UTC)
    report = Report(kind="daily", title="测试", organisation="机构", period_label="近1日",
                    since=now - timedelta(days=1), until=now, generated_at=now, tz=TZ,
                    summary=["罕见字符 𖨀 与 \ue000"])
    with caplog.at_level(logging.WARNING, logger="yuqing.reports.formats"):
        render(report, "pdf")
    warned = [r.getMessage() for r in caplog.records
              if r.levelno == logging.WARNING and r.name == "yuqing.reports.formats"]
    assert len(warned) == 1 and "U+16A00" in warned[0] and "U+E000" in warned[0]
