"""The superior's view (上级视图): a unit reads the cases of the units under it and the
reports sent upward to it, read-only (cases/upward.py ``superior_view``).

``GET /api/superior`` answers the JSON (docs/INTERFACES.md, "the superior's view");
``GET /superior`` shows it as a page. Both declare the ``UNIT`` rule (web/access.py):
the answer holds the viewer's units and those under them, and the cases reported to
them; an admin sees every unit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from yuqing.cases import workflow
from yuqing.cases.upward import superior_view
from yuqing.runtime.context import Context
from yuqing.web import access
from yuqing.web.render import Pages

#: the most cases and reports one answer holds
MAX_ROWS = 500


def superior_router(ctx: Context) -> APIRouter:
    """Return the routes of the superior's view bound to ``ctx``."""
    router = APIRouter()
    pages = Pages(ctx.config)

    def view(request: Request, limit: int) -> dict[str, Any]:
        viewer = access.viewer(request)
        own = viewer.user.get("unit") if viewer.units is not None else None
        return superior_view(ctx.store, ctx.config, viewer.units, own, datetime.now(UTC),
                             limit)

    @router.get("/api/superior", dependencies=[Depends(access.UNIT)])
    async def superior_api(request: Request,
                           limit: int = Query(200, ge=1, le=MAX_ROWS)) -> dict[str, Any]:
        """The cases of the units under the viewer's and the reports sent upward:
        ``{"units", "cases", "reports"}`` (read-only)."""
        return await run_in_threadpool(view, request, limit)

    @router.get("/superior", response_class=HTMLResponse, include_in_schema=False,
                dependencies=[Depends(access.UNIT)])
    async def superior_page(request: Request) -> Response:
        doc = await run_in_threadpool(view, request, 200)
        return pages.render(request, "superior.html", doc=doc, labels=workflow.STATE_LABELS)

    return router
