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
- ``GET /api/alerts/history``: alerts with their deliveries and attempts.
- ``GET /alerts?rule=``: the alert list page (linked from storm summaries).
"""

from __future__ import annotations

import asyncio
import html
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from yuqing.alerts.ack import BadAckToken
from yuqing.alerts.channels.client import AlertHub, ClientChannel
from yuqing.runtime.context import Context
from yuqing.store import alert_state
from yuqing.store import alerts as outbox

HEARTBEAT_S = 15.0


def sse_event(event_id: str, data: dict[str, Any]) -> str:
    """Return one server-sent event (``id``, ``event: alert``, one-line JSON ``data``)."""
    return f"id: {event_id}\nevent: alert\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def history_json(rows: list[dict[str, Any]], tz: str) -> list[dict[str, Any]]:
    """Return alert history rows (store.alerts.alert_history) with times as ISO text in ``tz``."""
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

    def hub(channel: str | None) -> AlertHub:
        found = {n: c for n, c in ctx.pipeline.dispatcher.channels.items()
                 if isinstance(c, ClientChannel)}
        if channel is not None and channel in found:
            return found[channel].hub
        if channel is None and found:
            return next(iter(found.values())).hub
        raise HTTPException(404, f"no alert channel of kind 'client' named {channel!r}; "
                                 f"configured: {', '.join(found) or 'none'}")

    @router.get("/api/alerts/stream")
    async def stream(request: Request, channel: str | None = None) -> StreamingResponse:
        """Live alerts as server-sent events (see the module docstring)."""
        the_hub = hub(channel)
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

    @router.get("/api/alerts/history")
    def history(limit: int = Query(50, ge=1, le=1000)) -> list[dict[str, Any]]:
        """Newest alerts with deliveries (channel, status, attempts, last error, tries)."""
        with ctx.store.read() as conn:
            rows = outbox.alert_history(conn, limit)
        return history_json(rows, ctx.config.timezone)

    @router.get("/api/alerts/{alert_id}/ack")
    def acknowledge(alert_id: int, token: str, by: str = "link") -> dict[str, Any]:
        """Acknowledge alert ``alert_id`` with the token of its link; stops its escalation."""
        signer = ctx.pipeline.dispatcher.signer
        if signer is None:
            raise HTTPException(403, f"alert {alert_id}: acknowledgement links are not signed here")
        try:
            signer.check(alert_id, token)
        except BadAckToken as exc:
            raise HTTPException(403, str(exc)) from None
        with ctx.store.write() as conn:
            if outbox.alert_rule(conn, alert_id) is None:
                raise HTTPException(404, f"alert {alert_id} not found")
            fresh = alert_state.acknowledge(conn, alert_id, by, datetime.now(UTC))
            at, who = alert_state.ack_state(conn, alert_id)
        return {"id": alert_id, "acknowledged": True, "first": fresh, "by": who,
                "at": at.astimezone(ZoneInfo(ctx.config.timezone)).isoformat() if at else None}

    @router.get("/alerts", response_class=HTMLResponse)
    def alert_page(rule: str | None = None, limit: int = Query(200, ge=1, le=1000)) -> str:
        """The alert list page, optionally of one rule (the storm summary links here)."""
        with ctx.store.read() as conn:
            rows = [r for r in outbox.alert_history(conn, limit) if rule is None or r["rule"] == rule]
        zone = ZoneInfo(ctx.config.timezone)
        lines = "".join(
            f"<tr><td>{r['created_at'].astimezone(zone):%Y-%m-%d %H:%M}</td>"
            f"<td>{html.escape(r['level'])}</td><td>{html.escape(r['title'])}</td>"
            f"<td>{html.escape(', '.join(d['channel'] + ':' + d['status'] for d in r['deliveries']) or '—')}</td></tr>"
            for r in rows)
        title = html.escape(f"预警 {rule}" if rule else "预警")
        return (f"<!doctype html><meta charset=utf-8><title>{title}</title><h1>{title}</h1>"
                f"<table><tr><th>时间</th><th>级别</th><th>标题</th><th>推送</th></tr>{lines}</table>")

    return router
