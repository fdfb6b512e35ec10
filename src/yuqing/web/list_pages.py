"""The list pages: events (``/events``), petitions (``/petitions`` and its export) and
source health (``/sources``). Their data is web/lists.py's; a bad filter answers 400
naming it, as the feed does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response

from yuqing.alerts.rules import LEVELS
from yuqing.cases.petitions import CHANNELS
from yuqing.domain import SENTIMENTS
from yuqing.runtime.context import Context
from yuqing.web import access, lists
from yuqing.web.render import Pages
from yuqing.web.reports_api import MAX_EXPORT, export_response
from yuqing.web.settings_view import source_rows

T = TypeVar("T")


def checked(call: Callable[[], T]) -> T:
    """Return ``call()``; a filter it refuses (RequestValidationError) becomes a 400 whose
    detail names the parameter and the problem."""
    try:
        return call()
    except RequestValidationError as exc:
        raise HTTPException(400, exc.errors()[0]["msg"]) from None


def list_pages_router(ctx: Context, pages: Pages) -> APIRouter:
    """Return the routes of the list pages bound to ``ctx``."""
    router = APIRouter(include_in_schema=False)
    tz = ctx.config.timezone
    schemes = [s.name for s in ctx.config.schemes]

    @router.get("/events", response_class=HTMLResponse, dependencies=[Depends(access.SHARED)])
    def events_list(request: Request, since: str = "", until: str = "", scheme: str = "",
                    level: str = "", sentiment: str = "", order: str = "heat",
                    page: int = Query(0, ge=0, le=10_000)) -> Response:
        """Events active in a range of days, by scheme, level and sentiment, sorted by heat,
        last activity or size; each links to its event page."""
        days = checked(lambda: lists.date_range(since, until, tz))
        rows = checked(lambda: lists.events_page(ctx, days, scheme=scheme or None,
                                                 level=level or None,
                                                 sentiment=sentiment or None,
                                                 order=order or "heat", page=page))
        chosen = (("scheme", scheme), ("level", level), ("sentiment", sentiment),
                  ("order", "" if order == "heat" else order))
        params = {**days.params, **{k: v for k, v in chosen if v}}
        return pages.render(request, "events.html", events=rows, params=params, page=page,
                            schemes=schemes, levels=LEVELS, sentiments=SENTIMENTS,
                            orders=lists.EVENT_ORDERS, page_size=lists.LIST_PAGE)

    def petition_filters(request: Request) -> dict[str, Any]:
        p = {k: v for k, v in request.query_params.items() if v}
        days = checked(lambda: lists.date_range(p.get("since"), p.get("until"), tz))
        return {"days": days, "channel": p.get("channel"), "repeats": p.get("repeats") == "1",
                "cross_level": p.get("cross_level") == "1",
                "params": {**days.params, **{k: p[k] for k in ("channel", "repeats",
                                                               "cross_level") if k in p}}}

    @router.get("/petitions", response_class=HTMLResponse, dependencies=[Depends(access.UNIT)])
    def petitions_list(request: Request, page: int = Query(0, ge=0, le=10_000)) -> Response:
        """Petitions of the viewer's units, newest first, by date range, channel, repeats
        and cross-level ones; contacts masked."""
        f = petition_filters(request)
        rows = checked(lambda: lists.petitions_page(
            ctx, access.viewer(request).units, f["days"], channel=f["channel"],
            repeats=f["repeats"], cross_level=f["cross_level"], offset=page * lists.LIST_PAGE))
        return pages.render(request, "petitions.html", petitions=rows, params=f["params"],
                            page=page, channels=CHANNELS, page_size=lists.LIST_PAGE)

    @router.get("/petitions/export.{fmt}", dependencies=[Depends(access.UNIT)])
    def petitions_export(request: Request, fmt: Literal["csv", "xlsx"],
                         limit: int = Query(10_000, ge=1, le=MAX_EXPORT)) -> Response:
        """The listed petitions (same filters) as CSV or XLSX; the export is audited."""
        f = petition_filters(request)
        rows = checked(lambda: lists.petitions_page(
            ctx, access.viewer(request).units, f["days"], channel=f["channel"],
            repeats=f["repeats"], cross_level=f["cross_level"], limit=limit))
        access.audit(request, "export", f"petitions.{fmt}", {**f["params"], "rows": len(rows)})
        return export_response("yuqing-petitions", fmt, list(lists.PETITION_COLUMNS),
                               lists.petition_rows(rows, tz))

    @router.get("/sources", response_class=HTMLResponse, dependencies=[Depends(access.SHARED)])
    def sources_page(request: Request) -> Response:
        """Health of every configured source: status, freshness lag, failure rate over
        24 h, items per poll, last success and last error."""
        return pages.render(request, "sources.html", sources=source_rows(ctx))

    return router
