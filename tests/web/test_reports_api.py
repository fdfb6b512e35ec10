"""web/reports_api.py through httpx's ASGI transport (both backends): report downloads with
stored evidence, the stored-report list, and list exports as CSV and XLSX."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from docx import Document
from openpyxl import load_workbook
from pdf_tools import pdf_text
from report_items import CANTEEN, CONTROL, fill
from web_auth import api_headers, router_app

from yuqing.config import parse_config
from yuqing.runtime.context import Context
from yuqing.web.reports_api import reports_router


@pytest.fixture
def ctx(store_url: str) -> Iterator[Context]:
    context = Context(config=parse_config({"timezone": "Asia/Shanghai"}), database_url=store_url)
    fill(context.store)
    yield context
    context.close()


def get(ctx: Context, path: str) -> httpx.Response:
    app = router_app(ctx, reports_router(ctx))
    headers = api_headers(ctx.store)

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t",
                                     headers=headers) as client:
            return await client.get(path)

    return asyncio.run(call())


def test_daily_pdf_download_and_evidence(ctx: Context, tmp_path: Path) -> None:
    res = get(ctx, "/api/reports/daily?date=2024-03-05&format=pdf")
    assert res.status_code == 200 and res.headers["content-type"] == "application/pdf"
    assert unquote(res.headers["content-disposition"]).endswith("舆情日报-2024-03-05.pdf")
    assert "".join(CANTEEN.split()) in "".join(pdf_text(res.content, tmp_path).split())
    stored = get(ctx, "/api/reports").json()
    assert stored[0]["kind"] == "daily"
    evidence = get(ctx, f"/api/reports/stored/{stored[0]['id']}/evidence").json()
    assert evidence[0]["item_key"] == "weibo:1" and len(evidence[0]["text_hash"]) == 64


def test_weekly_docx_download(ctx: Context) -> None:
    res = get(ctx, "/api/reports/weekly?date=2024-03-05&format=docx")
    assert res.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(res.content)).paragraphs)
    assert "舆情周报" in text and "共监测到相关信息7条" in text


def test_bad_report_requests(ctx: Context) -> None:
    assert get(ctx, "/api/reports/daily?format=odt").status_code == 400
    assert "report kind 'yearly'" in get(ctx, "/api/reports/yearly").json()["detail"]
    assert get(ctx, "/api/reports/special").status_code == 400


def test_items_csv_and_xlsx(ctx: Context) -> None:
    res = get(ctx, "/api/export/items.csv?since=2024-03-05&limit=100")
    assert res.status_code == 200 and res.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(res.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["key", "id", "source"] and len(rows) == 1 + 6
    night = next(r for r in rows if r[0] == "weibo:6")
    assert night[7] == CONTROL.replace("\x07", "").replace("\x1b", "")
    res = get(ctx, "/api/export/items.xlsx?scheme=公共安全")
    sheet = load_workbook(io.BytesIO(res.content)).active
    keys = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert keys == {"weibo:1", "news:3", "weibo:5"}


def test_alerts_and_events_exports_and_unknown_lists(ctx: Context) -> None:
    alerts = get(ctx, "/api/export/alerts.csv")
    assert alerts.status_code == 200 and alerts.content.decode("utf-8-sig").startswith(
        "created_at,level"
    )
    events = get(ctx, "/api/export/events.xlsx")
    assert events.status_code == 200
    assert get(ctx, "/api/export/cases.csv").status_code == 404
    assert get(ctx, "/api/export/items.pdf").status_code == 404


def test_history_keeps_who_the_format_and_the_file(ctx: Context) -> None:
    made = get(ctx, "/api/reports/daily?date=2024-03-05&format=xlsx&scheme=&event=")
    assert made.status_code == 200
    stored = get(ctx, "/api/reports?kind=daily").json()
    row = stored[0]
    assert (row["created_by"], row["format"], row["size"]) == ("tester", "xlsx", len(made.content))
    again = get(ctx, f"/api/reports/stored/{row['id']}/file")
    assert again.status_code == 200 and again.content == made.content
    assert unquote(again.headers["content-disposition"]).endswith("舆情日报-2024-03-05.xlsx")
    assert get(ctx, "/api/reports/stored/999999/file").status_code == 404
    assert get(ctx, "/api/reports?kind=weekly").json() == []


def test_special_report_on_a_date_range_in_english(ctx: Context, tmp_path: Path) -> None:
    res = get(ctx, "/api/reports/special?from=2024-03-04&to=2024-03-05&format=html&lang=en")
    assert res.status_code == 200
    page = res.text
    assert "Public opinion Special report" in page and "2024-03-04 to 2024-03-05" in page
    assert get(ctx, "/api/reports/special?from=2024-03-05&to=2024-03-01").status_code == 400
    assert "--lang 'fr'" in get(ctx, "/api/reports/daily?lang=fr").json()["detail"]
