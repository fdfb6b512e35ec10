"""Write a :class:`Report` (its data tables) and plain lists as XLSX with openpyxl.

One sheet 概况 with the figures, summary and suggestions, then one sheet per
data table. Every string cell is cleaned of the control characters that
XLSX (XML 1.0) cannot hold, and written as a TEXT cell: a spreadsheet shows
``=1+1 燃气表读数异常`` exactly so and never runs it as a formula (OWASP "CSV
injection"; openpyxl would otherwise store a string that starts with ``=`` as a
formula). CSV has no cell types, so :func:`csv_cell` puts a ``'`` before a
leading ``= + - @`` instead (docs/FIELD_CASES.md F20.8).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from yuqing.reports.lang import translator
from yuqing.reports.model import Report
from yuqing.reports.text import clean

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
MAX_COLUMN_WIDTH = 60
FONT = "宋体"


FORMULA_STARTS = ("=", "+", "-", "@")


def cell_value(value: Any) -> Any:
    """Return ``value`` for an XLSX cell: strings without control characters (as written
    otherwise: add_sheet types them as text); numbers and None unchanged; other types as
    str."""
    if value is None or isinstance(value, int | float):
        return value
    return clean(str(value))


def csv_cell(value: Any) -> Any:
    """Return ``value`` for a CSV cell: as :func:`cell_value`, and a string starting with
    ``= + - @`` gets a leading ``'`` (a CSV cell has no type, so a spreadsheet would run
    it as a formula)."""
    value = cell_value(value)
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def add_sheet(book: Workbook, title: str, columns: Sequence[str],
              rows: Iterable[Sequence[Any]]) -> None:
    """Append a sheet ``title`` with a bold header row, the cleaned ``rows`` and column
    widths fitted to the content (up to MAX_COLUMN_WIDTH characters)."""
    sheet = book.create_sheet(_SHEET_BAD.sub("_", title)[:31] or "Sheet")
    sheet.append([cell_value(c) for c in columns])
    for row in rows:
        sheet.append([cell_value(v) for v in row])
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula
    for cell in sheet[1]:
        cell.font = Font(name=FONT, bold=True)
    sheet.freeze_panes = "A2"
    for i, column in enumerate(sheet.iter_cols(values_only=True), 1):
        width = max((len(str(v)) for v in column if v is not None), default=4)
        sheet.column_dimensions[get_column_letter(i)].width = min(MAX_COLUMN_WIDTH, width * 1.6 + 2)


def workbook_bytes(book: Workbook) -> bytes:
    """Return ``book`` saved as XLSX bytes."""
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def render_xlsx(report: Report) -> bytes:
    """Return the report's figures and data tables as an XLSX workbook."""
    _ = translator(report.lang)
    book = Workbook()
    book.remove(book.active)
    summary: list[list[Any]] = [[_("报告"), report.title], [_("期间"), report.period_label],
                                [_("监测方案"), report.scheme or _("全部")]]
    summary += [[f.label, f.value, f.note] for f in report.figures]
    summary += [[_("综述"), s] for s in report.summary]
    summary += [[_("建议"), s] for s in report.suggestions]
    add_sheet(book, _("概况"), [_("项目"), _("内容"), _("说明")], summary)
    for table in report.tables:
        add_sheet(book, _(table.title), [_(c) for c in table.columns], table.rows)
    return workbook_bytes(book)


def list_xlsx(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """Return one sheet ``title`` of ``rows`` as XLSX bytes (one-click list export)."""
    book = Workbook()
    book.remove(book.active)
    add_sheet(book, title, columns, rows)
    return workbook_bytes(book)
