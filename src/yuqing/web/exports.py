"""Export of a list of items as CSV (UTF-8 with BOM, so Excel reads Chinese) or XLSX."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from fastapi import HTTPException
from fastapi.responses import Response

from yuqing.domain import Item
from yuqing.web.reports_api import export_response as table_export

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
    """Return the items as a download ``yuqing-items.csv`` or ``.xlsx`` (cells cleaned and
    formulas neutralised as in every export: web/reports_api.py export_response).

    Raises HTTPException 400 for another format.
    """
    if fmt not in EXPORT_FORMATS:
        raise HTTPException(400, f"format={fmt!r}: expected csv or xlsx")
    return table_export("yuqing-items", fmt, COLUMNS, item_rows(found, tz))
