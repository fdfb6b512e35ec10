"""The reports page (/reports): one-click reports of every kind in every format, and the
history of generated reports with download links.

Each kind has a small GET form whose action is ``/api/reports/{kind}`` (web/reports_api.py);
each format is one submit button, so one click makes and downloads the report. The history
lists the stored reports the viewer's units may see (web/access.py ``UNIT``), newest
first; a kept file downloads from ``/api/reports/stored/{id}/file``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from yuqing.reports.formats import FORMATS
from yuqing.reports.lang import LANGS
from yuqing.reports.model import KIND_LABELS
from yuqing.runtime.context import Context
from yuqing.web import access
from yuqing.web.render import Pages

#: the kinds made from this page (a case review is made from its case page)
PAGE_KINDS = ("daily", "weekly", "monthly", "special")
HISTORY = 200


def reports_page_router(ctx: Context) -> APIRouter:
    """Return the route of the reports page bound to ``ctx``."""
    router = APIRouter(include_in_schema=False)
    pages = Pages(ctx.config)

    @router.get("/reports", response_class=HTMLResponse, dependencies=[Depends(access.UNIT)])
    def reports_page(request: Request, kind: str | None = None) -> Response:
        """The report forms and the history (``kind`` keeps one kind of the history)."""
        if kind and kind not in KIND_LABELS:
            raise HTTPException(400, f"kind {kind!r}: expected one of {', '.join(KIND_LABELS)}")
        viewer = access.viewer(request)
        history = ctx.store.reports.stored(HISTORY, viewer.units, kind or None)
        events = ctx.store.reports.events(order="last_at", limit=50)
        forms: dict[str, Any] = {
            "kinds": PAGE_KINDS, "labels": KIND_LABELS, "formats": FORMATS, "langs": LANGS,
            "schemes": [s.name for s in ctx.config.schemes],
            "events": [{"id": e["id"], "title": e["title"][:40]} for e in events],
        }
        return pages.render(request, "reports.html", history=history, forms=forms,
                            kind=kind or "", report_lang=ctx.config.language)

    return router
