"""Write a :class:`Report` as DOCX with python-docx.

East-Asian fonts are set on every style and run (``w:eastAsia`` of
``w:rFonts``), so Word never shows Chinese in a fallback font: 宋体 for body
text and 黑体 for headings, the fonts of GB/T 9704 (format of official
documents) that every Chinese Windows and WPS install has. A DOCX cannot
carry our shipped font, so these names are the portable choice. Each quoted
post is numbered ``[n]`` and its evidence (link, item key, SHA-256 of the
quote) is listed under 注释 at the end, as endnotes.
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from yuqing.reports.lang import translator
from yuqing.reports.model import Report, Table
from yuqing.reports.sections import LEAD_TABLES, section_numerals
from yuqing.reports.text import clean
from yuqing.time_range import local_time

BODY_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
RED = RGBColor(0xC0, 0x39, 0x2B)
#: tables shown in the DOCX body (the others are data for the XLSX)
BODY_TABLES = (*LEAD_TABLES, "媒体分布", "地域分布", "活跃账号", "超期工单")


def _set_fonts(element: Any, east_asian: str) -> None:
    """Set the Latin and East-Asian font names on a style's or run's ``w:rPr``."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr, value in (("w:ascii", LATIN_FONT), ("w:hAnsi", LATIN_FONT),
                        ("w:eastAsia", east_asian), ("w:cs", LATIN_FONT)):
        fonts.set(qn(attr), value)


def _setup_styles(doc: Any) -> None:
    normal = doc.styles["Normal"]
    normal.font.size = Pt(11)
    _set_fonts(normal.element, BODY_FONT)
    for level in (1, 2):
        style = doc.styles[f"Heading {level}"]
        style.font.size = Pt(15 if level == 1 else 13)
        style.font.color.rgb = RGBColor(0x1C, 0x28, 0x33)
        _set_fonts(style.element, HEADING_FONT)
    doc.styles["Title"].font.color.rgb = RED
    _set_fonts(doc.styles["Title"].element, HEADING_FONT)


def _run(paragraph: Any, text: str, *, bold: bool = False, size: float | None = None,
         colour: RGBColor | None = None, font: str = BODY_FONT) -> Any:
    run = paragraph.add_run(clean(text))
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if colour is not None:
        run.font.color.rgb = colour
    _set_fonts(run._element, font)
    return run


def _hyperlink(paragraph: Any, url: str, label: str) -> None:
    """Append a clickable external link ``label`` -> ``url`` to ``paragraph``."""
    rel = paragraph.part.relate_to(url, "http://schemas.openxmlformats.org/officeDocument/"
                                   "2006/relationships/hyperlink", is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = _run(paragraph, label, colour=RGBColor(0x2C, 0x6F, 0xBB))
    link.append(run._element)
    paragraph._p.append(link)


def _table(doc: Any, table: Table, tr: Callable[[str], str]) -> None:
    if not table.rows:
        doc.add_paragraph(tr("（无）"))
        return
    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    for cell, name in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = ""
        _run(cell.paragraphs[0], tr(name), bold=True, size=9, font=HEADING_FONT)
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            _run(cell.paragraphs[0], str(value), size=9)


def _header(doc: Any, report: Report) -> None:
    org = doc.add_paragraph()
    org.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(org, report.organisation, bold=True, size=14, colour=RED, font=HEADING_FONT)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, report.title, bold=True, size=24, colour=RED, font=HEADING_FONT)
    meta = doc.add_paragraph()
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    tr = translator(report.lang)
    when = local_time(report.generated_at, report.tz)
    parts = [report.period_label] + (
        [tr("监测方案：{scheme}").format(scheme=report.scheme)] if report.scheme else [])
    parts += [report.subject] if report.subject else []
    _run(meta, " · ".join([*parts, tr("生成时间：{time}").format(time=when)]), size=9)


def _posts(doc: Any, report: Report) -> None:
    tr = translator(report.lang)
    for post in report.posts:
        p = doc.add_paragraph()
        _run(p, f"[{post.ref}] ", bold=True)
        _run(p, post.quote)
        meta = doc.add_paragraph()
        who = f" · {post.author}" if post.author else ""
        _run(meta, f"{post.source}{who} · {post.published} · {post.sentiment} · "
                   + tr("互动{n}").format(n=post.engagement),
             size=8.5, colour=RGBColor(0x56, 0x65, 0x73))


def _endnotes(doc: Any, report: Report) -> None:
    tr = translator(report.lang)
    doc.add_heading(tr("注释（引用信息存证）"), level=2)
    for post in report.posts:
        p = doc.add_paragraph()
        _run(p, tr("[{ref}] 条目 {key}，引文SHA-256 {hash}，").format(
            ref=post.ref, key=post.key, hash=post.quote_hash), size=8)
        _hyperlink(p, post.link, tr("查看存证条目"))
        if post.url:
            _run(p, tr("、"), size=8)
            _hyperlink(p, post.url, tr("原文"))


def render_docx(report: Report) -> bytes:
    """Return the report as DOCX bytes (see the module docstring for fonts and notes)."""
    doc = Document()
    _setup_styles(doc)
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2.2)
    _header(doc, report)
    tr = translator(report.lang)
    numerals = section_numerals(report.lang)
    doc.add_heading(numerals[1] + tr("总体情况"), level=1)
    _table(doc, Table("", [f.label for f in report.figures],
                      [[f.value for f in report.figures], [f.note for f in report.figures]]), tr)
    for text in report.summary:
        _run(doc.add_paragraph(), text, bold=report.zero)
    numbers = iter(numerals[2:])
    shown = [t for t in report.tables if t.title in BODY_TABLES]
    shown.sort(key=lambda t: BODY_TABLES.index(t.title))
    for table in shown:
        doc.add_heading(next(numbers) + tr(table.title), level=1)
        _table(doc, table, tr)
    if report.charts:
        doc.add_heading(next(numbers) + tr("图表"), level=1)
        for chart in report.charts:
            doc.add_picture(BytesIO(chart.png), width=Cm(16))
    if report.posts:
        doc.add_heading(next(numbers) + tr("典型信息"), level=1)
        _posts(doc, report)
    doc.add_heading(next(numbers) + tr("工作建议"), level=1)
    for i, text in enumerate(report.suggestions, 1):
        _run(doc.add_paragraph(), f"{i}. {text}")
    if report.posts:
        _endnotes(doc, report)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
