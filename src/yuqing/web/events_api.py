"""Event routes of the JSON API (included by web/app.py; behind its login gate).

- ``GET /api/events?since=&min_size=&order=&limit=``: event summaries, hottest
  first (analytics/event_report.py ``event_summary`` shape).
- ``GET /api/events/{id}``: one event as ``yuqing event ID --json`` prints it
  (origin with confidence, timeline, edges, level, heat, spread); 404 when unknown.
- ``GET /api/trends/hotsearch?hours=&top=``: the bundled hot-search topics whose
  heat rose most over the last ``hours`` snapshots (analytics/trends.py).
"""

from __future__ import annotations

import gzip
import io
from datetime import datetime
from importlib import resources
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from yuqing.analytics.event_report import event_detail, list_events
from yuqing.analytics.trends import rising_topics
from yuqing.runtime.context import Context
from yuqing.web import access
from yuqing.web.query_checks import refuse_unknown_params


def _bundled_snapshots() -> str:
    """Return the bundled hot-search snapshot CSV as text."""
    path = resources.files("yuqing").joinpath("data", "hotsearch", "snapshots.csv.gz")
    return gzip.decompress(path.read_bytes()).decode("utf-8-sig")


def events_router(ctx: Context) -> APIRouter:
    """Return the APIRouter of the event routes bound to ``ctx`` (module doc)."""
    router = APIRouter(tags=["events"])

    @router.get("/api/events",
                dependencies=[Depends(access.SHARED), Depends(refuse_unknown_params)])
    async def get_events(
        since: datetime | None = Query(
            None, description="last active at or after (ISO 8601 with offset)"
        ),
        min_size: int = Query(1, ge=1, le=10**9),
        order: str = Query("heat", pattern="^(heat|last_at|size)$"),
        limit: int = Query(50, ge=1, le=500),
    ) -> list[dict[str, Any]]:
        """Event summaries, ordered by ``order`` (descending)."""
        if since is not None and since.tzinfo is None:
            raise HTTPException(422, "since: give a time zone offset, e.g. 2024-06-01T08:00+08:00")
        return await run_in_threadpool(list_events, ctx.store, since=since, min_size=min_size,
                                       order=order, limit=limit)

    @router.get("/api/events/{event_id}", dependencies=[Depends(access.SHARED)])
    async def get_event(request: Request, event_id: str) -> dict[str, Any]:
        """One event with origin, timeline, propagation edges, level and heat; a unit user's
        read is written to the audit log."""
        doc = await run_in_threadpool(event_detail, ctx.store, event_id, ctx.config.events)
        if doc is None:
            raise HTTPException(404, f"event {event_id}: not found")
        if access.viewer(request).units is not None:
            await run_in_threadpool(access.audit, request, "view", f"event:{event_id}")
        return doc

    @router.get("/api/trends/hotsearch", dependencies=[Depends(access.SHARED)])
    async def get_rising(hours: int = Query(3, ge=1, le=48),
                         top: int = Query(10, ge=1, le=100)) -> list[dict[str, Any]]:
        """Rising topics of the bundled Weibo hot-search snapshots."""
        text = await run_in_threadpool(_bundled_snapshots)
        return rising_topics(io.StringIO(text), hours=hours, top=top)

    return router
