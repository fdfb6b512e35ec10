"""F17 (docs/FIELD_CASES.md): Chinese glyphs in charts and documents.

A line chart titled 舆情热度趋势（近7日） with values [-3, -1, 0, 2] and legend 负面/正面,
and a word cloud of 燃气 泄漏 转发: zero "Glyph ... missing" warnings, the CJK
font is the one the project ships and registers explicitly, the minus sign
renders, and the text of a generated PDF extracts back to the same Chinese.
"""

from __future__ import annotations

import logging
import warnings
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pdf_tools import pdf_text, pdf_tool

from yuqing.reports import charts
from yuqing.reports.fonts import FAMILY, font_path, has_glyph, register_matplotlib
from yuqing.reports.formats import render
from yuqing.reports.model import Chart, Report

TITLE = "舆情热度趋势（近7日）"


def _draw() -> list[Chart]:
    days = [datetime(2024, 3, d, tzinfo=ZoneInfo("Asia/Shanghai")) for d in (3, 4, 5, 6)]
    return [
        Chart("trend", TITLE, charts.time_chart(
            TITLE, days, {"负面": [-3, -1, 0, 2], "正面": [1, 0, 2, 3]}, start=days[0],
            end=days[-1], as_of=days[-1], tz="Asia/Shanghai", hourly=False)),
        Chart("cloud", "词云", charts.word_cloud("词云", {"燃气": 3.0, "泄漏": 2.0, "转发": 1.0})),
    ]


def test_no_missing_glyph_warnings(caplog: pytest.LogCaptureFixture) -> None:
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.DEBUG):
        warnings.simplefilter("always")
        drawn = _draw()
    messages = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    assert not [m for m in messages if "missing" in m.lower() or "failed to find" in m.lower()]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert all(c.png.startswith(b"\x89PNG") and len(c.png) > 5000 for c in drawn)


def test_the_shipped_font_is_the_one_used() -> None:
    from matplotlib import font_manager

    assert register_matplotlib() == FAMILY
    found = font_manager.findfont(
        font_manager.FontProperties(family=FAMILY), fallback_to_default=False
    )
    assert Path(found).resolve() == font_path().resolve()
    assert (font_path().parent / "LICENSE").read_text(encoding="utf-8").count(
        "SIL OPEN FONT LICENSE"
    ) == 1


def test_minus_sign_renders() -> None:
    from matplotlib import rcParams

    register_matplotlib()
    assert rcParams["axes.unicode_minus"] is True and has_glyph("\u2212")
    assert all(has_glyph(ch) for ch in TITLE + "负面正面燃气泄漏转发")


def test_pdf_text_extracts_back(tmp_path: Path) -> None:
    now = datetime(2024, 3, 6, tzinfo=UTC)
    report = Report(kind="daily", title=TITLE, organisation="燃气泄漏转发测试",
                    period_label="近7日", since=now, until=now, generated_at=now,
                    tz="Asia/Shanghai", summary=["负面与正面信息对比：燃气 泄漏 转发"],
                    charts=_draw())
    data = render(report, "pdf")
    text = pdf_text(data, tmp_path)
    assert (
        TITLE in text
        and "燃气泄漏转发测试" in text
        and "负面与正面信息对比：燃气 泄漏 转发" in text
    )
    fonts = pdf_tool("pdffonts", data, tmp_path)
    assert "Yuqing-Sans-SC" in fonts and "Noto" not in fonts and "DejaVu" not in fonts
