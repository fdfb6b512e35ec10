"""Write a :class:`Report` as HTML, PDF (WeasyPrint), DOCX (python-docx) or XLSX (openpyxl).

``render(report, fmt)`` returns the file's bytes. HTML and PDF share one
Jinja2 template (yuqing/data/report_templates/report.html.j2) with charts inlined as PNG data
URIs, so a saved HTML file is self-contained; PDF fonts are the shipped CJK
fonts bound by ``@font-face`` (reports/fonts.py), and a PDF with characters that
no font covers is logged as a warning naming them.
"""

from __future__ import annotations

import base64
import logging
from importlib import resources
from typing import Any

from yuqing.domain import BadInput
from yuqing.reports.fonts import font_face_css, uncovered
from yuqing.reports.lang import translator
from yuqing.reports.model import COUNT_COLUMNS, Report
from yuqing.reports.sections import LEAD_TABLES, section_numerals
from yuqing.time_range import local_time

FORMATS = ("html", "pdf", "docx", "xlsx")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8", "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
log = logging.getLogger(__name__)


def render_html(report: Report) -> str:
    """Return the report as one self-contained HTML document."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("yuqing", "data/report_templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                      lstrip_blocks=True)
    templates = resources.files("yuqing") / "data" / "report_templates"
    css = (templates / "report.css").read_text("utf-8")
    charts = {c.name: "data:image/png;base64," + base64.b64encode(c.png).decode("ascii")
              for c in report.charts}
    _ = translator(report.lang)
    footer = '"' + _("第 {page} 页 / 共 {pages} 页").replace(
        "{page}", '" counter(page) "').replace("{pages}", '" counter(pages) "') + '"'
    context: dict[str, Any] = {
        "r": report, "charts": charts, "css": css, "font_css": font_face_css(), "_": _,
        "generated": local_time(report.generated_at, report.tz),
        "as_of": local_time(report.as_of or report.generated_at, report.tz),
        "numerals": section_numerals(report.lang), "page_footer": footer,
        "lead_tables": [t for t in LEAD_TABLES if report.table(t)], "extra_tables": [],
        "count_columns": COUNT_COLUMNS,
    }
    return env.get_template("report.html.j2").render(context)


def render_pdf(report: Report) -> bytes:
    """Return the report as a PDF (A4, page numbers), text extractable.

    Characters that no font covers (reports/fonts.py ``uncovered``) are drawn as
    boxes; they are logged as one warning naming each with its code point.
    """
    from weasyprint import HTML

    html = render_html(report)
    missing = uncovered(html)
    if missing:
        log.warning("report %r: no font covers %d character(s), shown as boxes in the PDF: %s",
                    report.title, len(missing),
                    " ".join(f"{ch} (U+{ord(ch):04X})" for ch in missing))
    return bytes(HTML(string=html).write_pdf())


def render(report: Report, fmt: str) -> bytes:
    """Return the report in format ``fmt`` (html, pdf, docx, xlsx) as bytes.

    Raises BadInput for another format.
    """
    if fmt == "html":
        return render_html(report).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(report)
    if fmt == "docx":
        from yuqing.reports.word import render_docx

        return render_docx(report)
    if fmt == "xlsx":
        from yuqing.reports.excel import render_xlsx

        return render_xlsx(report)
    raise BadInput(f"report format {fmt!r}: expected one of {', '.join(FORMATS)}")
