"""The four formats carry the content: PDF text (pdftotext), DOCX text and fonts, XLSX
cells, HTML anchors; built once from the hand-written day on SQLite."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from pdf_tools import pdf_pages, pdf_text, pdf_tool
from report_items import CANTEEN, DAY, fill

from yuqing.analytics.keywords import KeywordExtractor
from yuqing.reports.build import ReportOptions, build_period_report
from yuqing.reports.formats import render
from yuqing.reports.model import Report
from yuqing.store import open_store

NOW = datetime(2024, 3, 6, 0, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Report]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fmt') / 'r.db'}"
    with open_store(url) as store:
        fill(store)
        yield build_period_report(store, "daily", day=DAY, now=NOW, extractor=KeywordExtractor(),
                                  options=ReportOptions(organisation="测试市网信办"))


@pytest.fixture(scope="module")
def zero(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Report]:
    url = f"sqlite:///{tmp_path_factory.mktemp('zero') / 'z.db'}"
    with open_store(url) as store:
        yield build_period_report(store, "daily", day=DAY, now=NOW)


def test_pdf_text_has_figures_quotes_and_evidence(report: Report, tmp_path: Path) -> None:
    text = pdf_text(render(report, "pdf"), tmp_path)
    flat = "".join(text.split())
    assert "测试市网信办" in flat and "舆情日报" in flat and "2024年3月5日" in flat
    assert "共监测到相关信息6条" in flat and "负面信息3条，占50.0%" in flat
    assert "".join(CANTEEN.split()) in flat
    assert "weibo:1" in flat and report.posts[0].quote_hash[:16] in flat
    assert "工作建议" in flat


def test_pdf_links_to_stored_items(report: Report, tmp_path: Path) -> None:
    urls = pdf_tool("pdfinfo", render(report, "pdf"), tmp_path, "-url")
    for post in report.posts:
        assert post.link in urls
    assert "https://weibo.com/1/AbCdE" in urls


def test_zero_report_pdf_is_short_and_says_so(zero: Report, tmp_path: Path) -> None:
    data = render(zero, "pdf")
    assert pdf_pages(data, tmp_path) == 1
    flat = "".join(pdf_text(data, tmp_path).split())
    assert "特此零报告" in flat and "信息总量" in flat and "0条" in flat


def test_docx_text_fonts_and_notes(report: Report) -> None:
    data = render(report, "docx")
    doc = Document(BytesIO(data))
    body = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "共监测到相关信息6条" in body and CANTEEN in body
    assert f"[1] 条目 weibo:1，引文SHA-256 {report.posts[0].quote_hash}" in body
    assert "66.7%" in cells and "城市观察" in cells
    xml = zipfile.ZipFile(BytesIO(data)).read("word/document.xml").decode("utf-8")
    assert 'w:eastAsia="宋体"' in xml and 'w:eastAsia="黑体"' in xml
    styles = zipfile.ZipFile(BytesIO(data)).read("word/styles.xml").decode("utf-8")
    assert 'w:eastAsia="宋体"' in styles
    assert len(doc.inline_shapes) == len(report.charts)


def test_xlsx_cells(report: Report) -> None:
    book = load_workbook(BytesIO(render(report, "xlsx")))
    assert book.sheetnames[0] == "概况" and "典型信息" in book.sheetnames
    summary = [[c for c in row] for row in book["概况"].iter_rows(values_only=True)]
    assert ["信息总量", "6条", "环比上升500.0%"] in summary
    posts = list(book["典型信息"].iter_rows(values_only=True))
    assert posts[0][0] == "编号" and posts[1][8] == "weibo:1"
    night = next(r for r in posts[1:] if r[8] == "weibo:6")
    assert night[6] == "夜间测试控制字符的帖子，燃气公司回应"
    trend = list(book["信息量趋势"].iter_rows(values_only=True))
    assert len(trend) == 25 and sum(r[1] for r in trend[1:]) == 6


def test_html_has_anchors_and_inline_charts(report: Report) -> None:
    html = render(report, "html").decode("utf-8")
    assert 'id="post-1"' in html and 'href="#post-1"' in html
    assert html.count("data:image/png;base64,") == len(report.charts)
    assert "@font-face" in html and "&#39;" not in html.split("</style>")[0]


def test_counts_have_thousands_separators_in_html_and_pdf(report: Report, tmp_path: Path
                                                          ) -> None:
    """互动量 and the other counts read 12,345 in the figures, the count columns and the
    quoted posts; XLSX keeps numbers."""
    from dataclasses import replace

    from yuqing.reports.build import overview_figures
    from yuqing.reports.model import Table

    figures = overview_figures({"items": 12345, "negative": 2345, "negative_share": 0.19,
                                "sensitive": 7, "engagement": 1234567}, {"items": 1}, 2,
                               {"available": False})
    assert [f.value for f in figures[:4]] == ["12,345条", "2,345条", "7条", "1,234,567"]
    accounts = Table("活跃账号", ["账号（无作者时为来源）", "信息量", "互动量"],
                     [["县融媒", 1200, 98765]])
    big = replace(report, tables=[accounts], figures=figures,
                  posts=[replace(report.posts[0], engagement=54321)])
    html = render(big, "html").decode("utf-8")
    assert "98,765" in html and "1,200" in html and "1,234,567" in html and "互动54,321" in html
    flat = "".join(pdf_text(render(big, "pdf"), tmp_path).split())
    assert "98,765" in flat and "1,234,567" in flat
    sheet = load_workbook(BytesIO(render(big, "xlsx")))
    assert any(98765 in [c.value for c in row] for ws in sheet.worksheets
               for row in ws.iter_rows())
