"""Export of a list of items as CSV (UTF-8 with BOM, so Excel reads Chinese) or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from fastapi import HTTPException
from fastapi.responses import Response
from openpyxl import Workbook

from yuqing.domain import Item

EXPORT_FORMATS = ("csv", "xlsx")
COLUMNS = ("published_at", "source", "media_type", "author", "title", "text", "url",
           "sentiment", "sensitive_terms", "schemes", "places", "event_id", "key")


def item_rows(found: Sequence[Item], tz: str) -> list[list[str]]:
    """Return one row of COLUMNS per item (local times, lists joined with ``;``)."""
    zone = ZoneInfo(tz)
    return [[it.published_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"), it.source,
             it.media_type, it.author or "", it.title or "", it.text, it.url or "",
             it.sentiment or "", ";".join(h.term for h in it.sensitive_terms),
             ";".join(it.schemes), ";".join(it.places), it.event_id or "", it.key]
            for it in found]


def export_response(found: Sequence[Item], fmt: str, tz: str) -> Response:
    """Return the items as a download ``yuqing-items.csv`` or ``.xlsx``.

    Raises HTTPException 400 for another format.
    """
    rows = item_rows(found, tz)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        body = ("\ufeff" + buf.getvalue()).encode("utf-8")
        media = "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.title = "items"
        sheet.append(list(COLUMNS))
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        body = out.getvalue()
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise HTTPException(400, f"format={fmt!r}: expected csv or xlsx")
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="yuqing-items.{fmt}"'})
