"""F20.8 (docs/FIELD_CASES.md): formulas in spreadsheet exports.

A post ``=1+1 燃气表读数异常`` showed as ``'=1+1 燃气表读数异常`` in a report's XLSX
(a visible quote), and the items export wrote it as a live formula. Expected:
every XLSX export (report tables, list exports, the items export) holds such a
cell as TEXT, shown exactly as written and never run (no ``<f>`` element); CSV,
which has no cell types, gets a leading ``'``.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from report_items import make

from yuqing.reports.excel import list_xlsx
from yuqing.reports.formats import render
from yuqing.reports.model import Report, Table
from yuqing.web.exports import export_response

TEXTS = ["=1+1 燃气表读数异常", "+86 138 热线", "-5℃ 寒潮", "@市政府 回复", "=HYPERLINK(\"http://x\")"]
NOW = datetime(2024, 3, 6, tzinfo=UTC)


def cells(data: bytes) -> dict[str, tuple[object, str]]:
    """Return {text: (value, data_type)} of every string cell of an XLSX file."""
    book = load_workbook(io.BytesIO(data))
    return {str(c.value): (c.value, c.data_type) for sheet in book for row in sheet.iter_rows()
            for c in row if isinstance(c.value, str)}


def no_formula(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return not any(b"<f>" in z.read(n) or b"<f " in z.read(n)
                       for n in z.namelist() if n.startswith("xl/worksheets/"))


def report_xlsx() -> bytes:
    report = Report(kind="daily", title="日报", organisation="机构", period_label="近1日",
                    since=NOW, until=NOW, generated_at=NOW, tz="Asia/Shanghai",
                    summary=[TEXTS[0]],
                    tables=[Table("典型帖文", ["内容"], [[t] for t in TEXTS])])
    return render(report, "xlsx")


def items_xlsx() -> bytes:
    items = [make(f"forum:{i}", t, 9.0) for i, t in enumerate(TEXTS)]
    return bytes(export_response(items, "xlsx", "Asia/Shanghai").body)


@pytest.mark.parametrize("made", [report_xlsx, items_xlsx,
                                  lambda: list_xlsx("列表", ["内容"], [[t] for t in TEXTS])])
def test_xlsx_cells_are_text_as_written(made: object) -> None:
    data = made()  # type: ignore[operator]
    found = cells(data)
    for text in TEXTS:
        assert found[text] == (text, "s")
    assert not any(v.startswith("'") for v in found)
    assert no_formula(data)


def test_csv_cells_get_a_leading_quote() -> None:
    items = [make(f"forum:{i}", t, 9.0) for i, t in enumerate(TEXTS)]
    body = bytes(export_response(items, "csv", "Asia/Shanghai").body).decode("utf-8-sig")
    for text in TEXTS:
        assert "'" + text.replace('"', '""') in body
