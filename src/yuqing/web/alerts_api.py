"""Alert routes of the web app: live stream (SSE), acknowledgement links, history, list page.

``alerts_router(ctx)`` returns an APIRouter (included by web/app.py) whose
lifespan runs the outbox dispatcher in a background thread while the server
runs, so a push request never waits for slow channels; without a server
(CLI ingest) the pipeline delivers at the end of each batch instead.

- ``GET /api/alerts/stream``: server-sent events from the ``client``
  channel (``?channel=`` picks one when several are configured); each event
  is ``id: <idempotency key>``, ``event: alert``, ``data: <alert JSON>``
  (render.render_json); a client reconnecting with ``Last-Event-ID`` gets
  what it missed; a comment line every 15 s keeps proxies from closing it.
- ``GET /api/alerts/{id}/ack?token=...&by=...``: acknowledge an alert (the
  signed link in every message, alerts/ack.py); stops its escalation.
- ``GET /api/alerts/history``: alerts with their deliveries and attempts, and
  ``held`` (``"storm"`` for an alert the storm cap kept from its channels).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import StreamingResponse

from yuqing.alerts.ack import BadAckToken
from yuqing.alerts.channels.client import AlertHub, ClientChannel
from yuqing.runtime.context import Context
from yuqing.store.alert_inbox import HELD_STORM
from yuqing.web import access
from yuqing.web.query_checks import refuse_unknown_params

HEARTBEAT_S = 15.0


def sse_event(event_id: str, data: dict[str, Any]) -> str:
    """Return one server-sent event (``id``, ``event: alert``, one-line JSON ``data``)."""
    return f"id: {event_id}\nevent: alert\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def delivery_summary(row: dict[str, Any]) -> str:
    """Return one line of an alert's deliveries (``channel:status``), or why there are none:
    ``held (storm cap)`` or ``no channels``."""
    if row["deliveries"]:
        return ", ".join(f"{d['channel']}:{d['status']}" + (f"({d['last_error']})" if
                         d["status"] == "failed" and d["last_error"] else "")
                         for d in row["deliveries"])
    return (
        "held (storm cap) 风暴限流暂缓" if row.get("held") == HELD_STORM else "no channels 无渠道"
    )


def history_json(rows: list[dict[str, Any]], tz: str) -> list[dict[str, Any]]:
    """Return alert history rows (``store.alerts.history``) with times as ISO text in ``tz``."""
    zone = ZoneInfo(tz)

    def conv(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.astimezone(zone).isoformat()
        if isinstance(value, list):
            return [conv(v) for v in value]
        if isinstance(value, dict):
            return {k: conv(v) for k, v in value.items()}
        return value

    return [conv(r) for r in rows]


def alerts_router(ctx: Context) -> APIRouter:
    """Return the alert routes bound to ``ctx`` (see the module docstring)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        dispatcher = ctx.pipeline.dispatcher
        dispatcher.start()
        try:
            yield
        finally:
            dispatcher.stop()

    router = APIRouter(lifespan=lifespan)

    def hub(channel: str | None, mine: frozenset[str] | None) -> AlertHub:
        found = {n: c for n, c in ctx.pipeline.dispatcher.channels.items()
                 if isinstance(c, ClientChannel) and (mine is None or n in mine)}
        if channel is not None and channel in found:
            return found[channel].hub
        if channel is None and found:
            return next(iter(found.values())).hub
        raise HTTPException(404, f"no alert channel of kind 'client' named {channel!r}; "
                                 f"configured: {', '.join(found) or 'none'}")

    @router.get("/api/alerts/stream", dependencies=[Depends(access.UNIT)])
    async def stream(request: Request, channel: str | None = None) -> StreamingResponse:
        """Live alerts as server-sent events (see the module docstring); a unit's user may
        listen to the client channels of the unit only."""
        the_hub = hub(channel, access.viewer(request).channels)
        sub, missed = the_hub.subscribe(request.headers.get("last-event-id"))

        async def events() -> AsyncIterator[str]:
            try:
                yield ": connected\n\n"
                for event_id, data in missed:
                    yield sse_event(event_id, data)
                while True:
                    try:
                        event_id, data = await asyncio.wait_for(sub.queue.get(), HEARTBEAT_S)
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                    yield sse_event(event_id, data)
            finally:
                the_hub.unsubscribe(sub)

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @router.get("/api/alerts/history",
                dependencies=[Depends(access.UNIT), Depends(refuse_unknown_params)])
    def history(request: Request,
                limit: int = Query(50, ge=1, le=1000)) -> list[dict[str, Any]]:
        """Newest alerts (of a unit user: those delivered over the unit's channels) with
        deliveries (channel, status, attempts, last error, tries) and ``held`` (``"storm"``
        when the storm cap kept it from its channels, else null)."""
        rows = ctx.store.alerts.history(limit, access.viewer(request).channels)
        return history_json(rows, ctx.config.timezone)

    @router.get("/api/alerts/{alert_id}/ack", dependencies=[Depends(access.OPEN)])
    def acknowledge(alert_id: int, token: str, by: str = "link") -> dict[str, Any]:
        """Acknowledge alert ``alert_id`` with the token of its link; stops its escalation."""
        signer = ctx.pipeline.dispatcher.signer
        if signer is None:
            raise HTTPException(403, f"alert {alert_id}: acknowledgement links are not signed here")
        try:
            signer.check(alert_id, token)
        except BadAckToken as exc:
            raise HTTPException(403, str(exc)) from None
        done = ctx.store.alerts.acknowledge(alert_id, by, datetime.now(UTC))
        if done is None:
            raise HTTPException(404, f"alert {alert_id} not found")
        return {"id": alert_id, "acknowledged": True, "first": done.first, "by": done.by,
                "at": (done.at.astimezone(ZoneInfo(ctx.config.timezone)).isoformat()
                       if done.at else None)}

    return router
