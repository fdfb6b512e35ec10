"""JSON routes of the web app's own screens (under ``/api/web``).

- ``GET /api/web/me``: the logged-in user.
- ``POST /api/web/alerts/{id}/ack``: acknowledge an alert as the logged-in user.
- ``GET /api/web/items/stream?after=SEQ``: server-sent events ``item`` for newly stored items.
- ``POST /api/web/schemes/test``: run a scheme (given inline) over recent items.
- ``POST /api/web/channels/{name}/test``: send a test alert over a channel (admin).
- ``GET /api/web/audit``, ``GET /api/web/audit/export.{csv,xlsx}``: the audit log (admin).
- ``GET/POST /api/web/users``, ``PATCH /api/web/users/{name}``, ``POST /api/web/units``,
  ``POST /api/web/tokens``: accounts (admin; a token for oneself: anyone but push).
Setting changes and test sends go to the web audit log.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from yuqing.alerts.channels import build_channel
from yuqing.alerts.dispatcher import send_safely
from yuqing.config import SchemeConfig
from yuqing.domain import Alert, BadInput
from yuqing.pipeline.schemes import SchemeMatcher
from yuqing.pipeline.textnorm import match_form
from yuqing.runtime.context import Context
from yuqing.store.accounts import ADDRESSES
from yuqing.time_range import local_time
from yuqing.web import access, views
from yuqing.web.accounts import Accounts
from yuqing.web.auth import current_user
from yuqing.web.i18n import pick_lang, translator
from yuqing.web.labels import labeller
from yuqing.web.reports_api import MAX_EXPORT, export_response

STREAM_POLL_S = 2.0
SCHEME_TEST_ITEMS = 2000


class NewUser(BaseModel):
    """A user to add: name, password (8+ characters), role, optional unit and the addresses
    case notices reach them at (e-mail, phone, WeCom user id)."""

    name: str
    password: str
    role: str = "analyst"
    unit: str | None = None
    email: str | None = None
    phone: str | None = None
    wecom: str | None = None


class UserChange(BaseModel):
    """Fields of a user to change (only those given)."""

    role: str | None = None
    unit: str | None = None
    active: bool | None = None
    password: str | None = None
    email: str | None = None
    phone: str | None = None
    wecom: str | None = None


class NewUnit(BaseModel):
    """A unit to add."""

    name: str
    parent: str | None = None


AUDIT_COLUMNS = ("id", "at", "actor", "address", "action", "target", "data")


def audit_json(entry: dict[str, Any]) -> dict[str, Any]:
    """Return one audit entry (store.accounts.read_audit) with ``at`` as ISO 8601 text."""
    return {c: entry[c].isoformat() if c == "at" else entry.get(c) for c in AUDIT_COLUMNS}


def _bad(exc: BadInput) -> HTTPException:
    return HTTPException(400, str(exc))


def scheme_preview(ctx: Context, scheme: dict[str, Any], limit: int = SCHEME_TEST_ITEMS
                   ) -> dict[str, Any]:
    """Return how many of the ``limit`` newest items ``scheme`` (SchemeConfig fields)
    matches and the first 20 of them; raises BadInput for a bad scheme."""
    try:
        config = SchemeConfig.model_validate({"name": "preview", **scheme})
    except ValidationError as exc:
        raise BadInput(f"scheme: {exc.errors()[0]['msg']}") from None
    matcher = SchemeMatcher([config], normalize=match_form)
    rows = ctx.store.iter_items(limit=limit)
    hits = [r for r in rows if matcher.match(r.match_text, r.source)]
    return {"tested": len(rows), "matched": len(hits),
            "items": [{"key": r.key, "text": r.text[:120],
                       "published_at": r.published_at.isoformat(),
                       "published": local_time(r.published_at, ctx.config.timezone)}
                      for r in hits[:20]]}


def ui_router(ctx: Context, accounts: Accounts) -> APIRouter:
    """Return the /api/web routes bound to ``ctx``."""
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stats = threading.Thread(target=ctx.store.items.refresh_planner_stats,
                                 name="yuqing-analyze", daemon=True)
        stats.start()
        yield
        stats.join()

    router = APIRouter(prefix="/api/web", tags=["web"], lifespan=lifespan)

    @router.get("/me", dependencies=[Depends(access.SHARED)])
    def me(request: Request) -> dict[str, Any]:
        """The logged-in user: id, name, role, unit."""
        user = current_user(request)
        return {k: user[k] for k in ("id", "name", "role", "unit")}

    @router.post("/alerts/{alert_id}/ack", dependencies=[Depends(access.UNIT)])
    def acknowledge(request: Request, alert_id: int) -> dict[str, Any]:
        """Acknowledge alert ``alert_id`` as the logged-in user (stops its escalation); a
        unit's user acknowledges the alerts of the unit's channels only (404 for others)."""
        user = current_user(request)
        if not ctx.store.alerts.reaches(alert_id, access.viewer(request).channels):
            raise HTTPException(404, f"alert {alert_id} not found")
        done = ctx.store.alerts.acknowledge(alert_id, user["name"], datetime.now(UTC))
        if done is None:
            raise HTTPException(404, f"alert {alert_id} not found")
        return {"id": alert_id, "first": done.first, "by": done.by,
                "at": done.at.isoformat() if done.at else None}

    @router.get("/items/stream", dependencies=[Depends(access.SHARED)])
    async def item_stream(request: Request, after: int = Query(-1)) -> StreamingResponse:
        """New items as server-sent events ``item`` (data: item JSON with ``key``, ``seq``,
        and as the page shows them: ``shown_at``, the publication time in the office zone
        (time_range.local_time), ``media_label`` and ``sentiment_label`` in the page's
        language)."""
        show = labeller(translator(pick_lang(request)))

        async def events() -> AsyncIterator[str]:
            seq = after if after >= 0 else (await run_in_threadpool(views.items_after, ctx, -1))[0]
            yield f": from {seq}\n\n"
            while True:
                top, fresh = await run_in_threadpool(views.items_after, ctx, seq)
                for doc in fresh:
                    data = json.dumps(views.as_shown(doc, ctx.config.timezone, show),
                                      ensure_ascii=False)
                    yield f"event: item\ndata: {data}\n\n"
                seq = top
                if not fresh:
                    yield ": keep-alive\n\n"
                    await asyncio.sleep(STREAM_POLL_S)

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})

    @router.get("/alerts/stream", dependencies=[Depends(access.UNIT)])
    async def alert_stream(request: Request, after: int = Query(-1)) -> StreamingResponse:
        """New alerts as server-sent events ``alert`` (data: id, rule, level, title); a unit's
        user gets the alerts of the unit's channels only."""
        channels = access.viewer(request).channels

        async def events() -> AsyncIterator[str]:
            last = after if after >= 0 else await run_in_threadpool(views.newest_alert_id, ctx)
            yield f": from {last}\n\n"
            while True:
                fresh = await run_in_threadpool(views.alerts_after, ctx, last, 20, channels)
                for doc in fresh:
                    last = doc["id"]
                    yield f"event: alert\ndata: {json.dumps(doc, ensure_ascii=False)}\n\n"
                if not fresh:
                    yield ": keep-alive\n\n"
                    await asyncio.sleep(STREAM_POLL_S)

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})

    @router.post("/schemes/test", dependencies=[Depends(access.SHARED)])
    def test_scheme(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        """Preview a scheme (SchemeConfig fields) against the newest items."""
        current_user(request)
        try:
            return scheme_preview(ctx, body)
        except BadInput as exc:
            raise _bad(exc) from None

    @router.post("/channels/{name}/test", dependencies=[Depends(access.ADMIN)])
    def test_channel(request: Request, name: str) -> dict[str, Any]:
        """Send one test alert over channel ``name``; returns ``{"ok", "error"}``."""
        user = current_user(request)
        cfg = next((c for c in ctx.config.alerts.channels if c.name == name), None)
        if cfg is None:
            raise HTTPException(404, f"alert channel {name!r} is not configured")
        try:
            channel = build_channel(ctx.channels, cfg)
        except BadInput as exc:
            raise _bad(exc) from None
        now = datetime.now(UTC)
        alert = Alert(rule="test", dedup_key=f"test:{name}:{now.timestamp()}",
                      title="【测试】Yuqing 预警渠道测试", body=f"由 {user['name']} 发送的测试消息",
                      item_keys=[], created_at=now, channels=[name])
        result = send_safely(name, channel, [alert])[0]
        access.audit(request, "send_test", f"channel:{name}",
                       {"ok": result.ok, "error": result.error})
        return {"ok": result.ok, "error": result.error}

    @router.get("/users", dependencies=[Depends(access.ADMIN)])
    def list_users(request: Request) -> list[dict[str, Any]]:
        """Every user (no password hashes)."""
        current_user(request)
        return [{**u, "created_at": u["created_at"].isoformat()} for u in accounts.users()]

    @router.post("/users", status_code=201, dependencies=[Depends(access.ADMIN)])
    def add_user(request: Request, body: NewUser) -> dict[str, Any]:
        """Add a user (admin)."""
        try:
            user_id = accounts.add_user(body.name, body.password, body.role, body.unit,
                                        body.model_dump(include=set(ADDRESSES),
                                                        exclude_none=True))
        except BadInput as exc:
            raise _bad(exc) from None
        access.audit(request, "setting", f"user:{body.name}",
                       {"op": "add", "role": body.role, "unit": body.unit})
        return {"id": user_id, "name": body.name, "role": body.role, "unit": body.unit}

    @router.patch("/users/{name}", dependencies=[Depends(access.ADMIN)])
    def change_user(request: Request, name: str, body: UserChange) -> dict[str, Any]:
        """Change a user's role, unit, active flag or password (admin)."""
        changes = body.model_dump(exclude_none=True)
        try:
            accounts.update_user(name, changes)
        except BadInput as exc:
            raise _bad(exc) from None
        shown = {k: v for k, v in changes.items() if k != "password"}
        access.audit(request, "setting", f"user:{name}",
                       {"op": "change", **shown, "password": "password" in changes})
        return {"name": name, "changed": sorted(changes)}

    @router.post("/units", status_code=201, dependencies=[Depends(access.ADMIN)])
    def add_unit(request: Request, body: NewUnit) -> dict[str, Any]:
        """Add a unit (admin)."""
        try:
            added = accounts.add_unit(body.name, body.parent)
        except BadInput as exc:
            raise _bad(exc) from None
        access.audit(request, "setting", f"unit:{body.name}", {"op": "add"})
        return {"name": body.name, "added": added}

    @router.get("/audit", dependencies=[Depends(access.ADMIN)])
    def read_audit(limit: int = Query(100, ge=1, le=10_000), action: str | None = None,
                   actor: str | None = None, before: int | None = Query(None, ge=1)
                   ) -> list[dict[str, Any]]:
        """The web audit log, newest first (admin): ``{"id", "at", "actor", "address",
        "action", "target", "data"}``; ``before`` pages on (entries with a smaller id)."""
        return [audit_json(e) for e in accounts.read_audit(limit, action, actor, before)]

    @router.get("/audit/export.{fmt}", dependencies=[Depends(access.ADMIN)])
    def export_audit(request: Request, fmt: Literal["csv", "xlsx"],
                     limit: int = Query(10_000, ge=1, le=MAX_EXPORT)) -> Response:
        """The web audit log as CSV or XLSX (admin); the export is itself audited."""
        rows = [audit_json(e) for e in accounts.read_audit(limit)]
        access.audit(request, "export", f"audit.{fmt}", {"rows": len(rows)})
        return export_response("audit", fmt, list(AUDIT_COLUMNS),
                               [[json.dumps(r[c], ensure_ascii=False) if c == "data" else r[c]
                                 for c in AUDIT_COLUMNS] for r in rows])

    @router.post("/tokens", status_code=201, dependencies=[Depends(access.SHARED)])
    def new_token(request: Request, label: str = "api") -> dict[str, str]:
        """Create an API token acting as the logged-in user; shown once."""
        user = current_user(request)
        if user["role"] == "push":
            raise HTTPException(403, "the push token cannot create tokens")
        access.audit(request, "setting", f"token:{label}", {"op": "add"})
        return {"token": accounts.new_token(user["name"], label)}

    return router
