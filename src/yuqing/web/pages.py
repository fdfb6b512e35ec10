"""The server-rendered pages: login, overview, feed (+ export), item, event, alerts inbox,
cases board and case page, petition intake, settings.

Pages read through web/views.py and the parts' own functions; actions on a
page call the JSON API from static/app.js with the session's CSRF token.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from yuqing.analytics.threads import trace_origin
from yuqing.cases import workflow
from yuqing.cases.people import CASE_ROLES
from yuqing.cases.service import CaseService
from yuqing.config import Config
from yuqing.domain import BadInput
from yuqing.runtime.context import Context
from yuqing.time_range import LOCAL_TIME, local_time
from yuqing.web import access, views
from yuqing.web.accounts import Accounts, LoginThrottled
from yuqing.web.auth import SESSION_COOKIE, current_user
from yuqing.web.exports import EXPORT_FORMATS, export_response
from yuqing.web.i18n import LANG_COOKIE, LANGS
from yuqing.web.list_pages import checked
from yuqing.web.lists import checked_scheme, date_range
from yuqing.web.render import Pages
from yuqing.web.settings_view import settings_data

LOGIN_CSRF = "yq_login"
#: the longest range the overview charts (its series has a point per hour or day)
OVERVIEW_MAX_DAYS = 366


def safe_next(target: str | None) -> str:
    r"""Return ``target`` when it is a local path, else ``/`` (no open redirects: browsers
    read ``//host`` and ``/\host`` as other sites)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def feed_query(request: Request, config: Config) -> views.FeedQuery:
    """Return the feed filters of the request's query string (empty values ignored).

    Raises HTTPException 400 naming the parameter for a bad value (views.feed_filters):
    a ``since`` that is not a date, a sentiment, media type, level or scheme that does not exist.
    """
    p = {k: v for k, v in request.query_params.items() if v}
    return checked(lambda: views.feed_filters(
        config, q=p.get("q"), scheme=p.get("scheme"), sentiment=p.get("sentiment"),
        media=p.get("media"), source=p.get("source"), since=p.get("since"),
        sensitive=p.get("sensitive") == "1", level=p.get("level")))


def pages_router(ctx: Context, accounts: Accounts, web_cookies_secure: bool) -> APIRouter:
    """Return the page routes bound to ``ctx``."""
    router = APIRouter(include_in_schema=False)
    pages = Pages(ctx.config)
    tz = ctx.config.timezone

    @router.get("/login", response_class=HTMLResponse, dependencies=[Depends(access.OPEN)])
    def login_page(request: Request, next: str = "/", failed: bool = False,
                   locked: str = "") -> Response:
        token = secrets.token_urlsafe(16)
        page = pages.render(request, "login.html", next=safe_next(next), failed=failed,
                            locked=locked if LOCAL_TIME.fullmatch(locked) else "",
                            login_csrf=token)
        page.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict",
                        secure=web_cookies_secure)
        return page

    @router.post("/login", dependencies=[Depends(access.OPEN)])
    async def login(request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8")).items()}
        target = safe_next(form.get("next"))
        cookie = request.cookies.get(LOGIN_CSRF, "")
        if not cookie or form.get("csrf_token") != cookie:
            raise HTTPException(403, "login form expired: reload the login page")
        address = request.client.host if request.client else ""
        try:
            done = await run_in_threadpool(accounts.login, form.get("name", ""),
                                           form.get("password", ""), address)
        except LoginThrottled as locked:
            until = quote(local_time(locked.until, tz))
            return RedirectResponse(f"/login?locked={until}&next={target}", status_code=303)
        if done is None:
            return RedirectResponse(f"/login?failed=1&next={target}", status_code=303)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(SESSION_COOKIE, done[0], httponly=True, samesite="lax",
                            secure=web_cookies_secure, max_age=int(accounts.session_hours * 3600))
        response.delete_cookie(LOGIN_CSRF)
        return response

    @router.post("/logout", dependencies=[Depends(access.SHARED)])
    def logout(request: Request) -> Response:
        sid = request.cookies.get(SESSION_COOKIE)
        if sid:
            accounts.logout(sid)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @router.get("/lang/{code}", dependencies=[Depends(access.SHARED)])
    def set_lang(code: str, next: str = "/") -> Response:
        if code not in LANGS:
            raise HTTPException(404, f"language {code!r}: expected one of {', '.join(LANGS)}")
        response = RedirectResponse(safe_next(next), status_code=303)
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax")
        return response

    @router.get("/", response_class=HTMLResponse, dependencies=[Depends(access.UNIT)])
    def overview_page(request: Request, since: str = "", until: str = "",
                      scheme: str = "") -> Response:
        """The overview of a range of days (default: the last 24 hours of data) and of one
        scheme when given; a bad date or scheme answers 400 naming it."""
        days = checked(lambda: date_range(since, until, tz, max_days=OVERVIEW_MAX_DAYS))
        chosen = checked(lambda: checked_scheme(ctx.config, scheme))
        try:
            data = views.overview(ctx, access.viewer(request), days, chosen)
        except ValueError:
            raise HTTPException(400, f"since={since!r}: the range ends before it starts"
                                ) from None
        params = {**days.params, **({"scheme": chosen} if chosen else {})}
        return pages.render(request, "overview.html", data=data, params=params,
                            schemes=[s.name for s in ctx.config.schemes])

    @router.get("/feed", response_class=HTMLResponse, dependencies=[Depends(access.SHARED)])
    def feed_page(request: Request, page: int = Query(0, ge=0)) -> Response:
        fq = feed_query(request, ctx.config)
        try:
            found = views.feed(ctx, fq, offset=page * views.FEED_PAGE)
        except ValueError as exc:
            raise HTTPException(400, f"q: {exc}") from None
        return pages.render(request, "feed.html", items=found, fq=fq, page=page,
                            schemes=[s.name for s in ctx.config.schemes],
                            sources=sorted({s.name for s in ctx.config.sources} | {"push"}),
                            params=fq.as_params(), top_seq=views.items_after(ctx, -1)[0])

    @router.get("/feed/export", dependencies=[Depends(access.SHARED)])
    def feed_export(request: Request, format: str = "csv",
                    limit: int = Query(5000, ge=1, le=100_000)) -> Response:
        if format not in EXPORT_FORMATS:
            raise HTTPException(400, f"format={format!r}: expected csv or xlsx")
        fq = feed_query(request, ctx.config)
        found = views.feed(ctx, fq, limit=limit)
        access.audit(request, "export", f"feed.{format}", {**fq.as_params(), "rows": len(found)})
        return export_response(found, format, tz)

    @router.get("/items/{key:path}", response_class=HTMLResponse,
                dependencies=[Depends(access.SHARED)])
    def item_page(request: Request, key: str) -> Response:
        item = ctx.store.get_item(key)
        if item is None:
            raise HTTPException(404, f"item {key!r} not found")
        if access.viewer(request).units is not None:
            access.audit(request, "view", f"item:{key}")
        event = views.event_page(ctx, item.event_id) if item.event_id else None
        return pages.render(request, "item.html", item=item,
                            origin=trace_origin(ctx.store, item).as_dict(),
                            related=views.related_items(ctx, key), event=event)

    @router.get("/events/{event_id}", response_class=HTMLResponse,
                dependencies=[Depends(access.SHARED)])
    def event_page(request: Request, event_id: str) -> Response:
        doc = views.event_page(ctx, event_id)
        if doc is None:
            raise HTTPException(404, f"event {event_id!r} not found")
        if access.viewer(request).units is not None:
            access.audit(request, "view", f"event:{event_id}")
        return pages.render(request, "event.html", ev=doc)

    @router.get("/inbox", response_class=HTMLResponse, dependencies=[Depends(access.UNIT)])
    @router.get("/alerts", response_class=HTMLResponse, dependencies=[Depends(access.UNIT)])
    def inbox_page(request: Request, rule: str | None = None) -> Response:
        """The alerts inbox, newest first; ``rule`` keeps one rule's alerts (the storm
        summary links to ``/alerts?rule=``, showing what it held back). A unit's user sees
        the alerts delivered over the unit's channels."""
        mine = access.viewer(request).channels
        viewer = access.viewer(request)
        with ctx.store.snapshot() as tx:
            rows = [r for r in tx.alerts.history(1000 if rule else 200, mine)
                    if rule is None or r["rule"] == rule][:200]
            for row in rows:
                row["acked_at"], row["acked_by"] = tx.alerts.ack_state(row["id"])
            linked: dict[str, list[dict[str, Any]]] = {}
            for case in tx.cases.linked("alert", [str(r["id"]) for r in rows], viewer.units):
                linked.setdefault(case["ref"], []).append(case)
        for row in rows:
            row["cases"] = linked.get(str(row["id"]), [])
        return pages.render(request, "inbox.html", alerts=rows, rule=rule,
                            case_role=CASE_ROLES.get(viewer.user["role"], ""))

    @router.get("/cases", response_class=HTMLResponse, dependencies=[Depends(access.UNIT)])
    def cases_board(request: Request) -> Response:
        units = access.viewer(request).units
        try:
            rows = CaseService(ctx.store, ctx.config).list(units=units, limit=500)
        except BadInput as exc:
            raise HTTPException(400, str(exc)) from None
        due: dict[int, dict[str, Any]] = {}
        for d in views.deadlines_due(ctx, within=views.NEAR_DEADLINE * 365, units=units):
            due.setdefault(d["case_id"], d)
        columns = [(s, workflow.STATE_LABELS[s], [c for c in rows if c["state"] == s])
                   for s in workflow.OPEN_STATES]
        return pages.render(request, "cases.html", columns=columns, due=due)

    @router.get("/cases/{case_id}", response_class=HTMLResponse,
                dependencies=[Depends(access.CASE_READ)])
    async def case_page(request: Request, case_id: int) -> Response:
        user = current_user(request)
        try:
            case = await run_in_threadpool(CaseService(ctx.store, ctx.config).show, case_id)
        except BadInput as exc:
            raise HTTPException(404, str(exc)) from None
        await run_in_threadpool(access.audit, request, "view", f"case:{case_id}")
        role = CASE_ROLES.get(user["role"], "")
        moves = [m for m in case["next_states"]
                 if role in workflow.find_move(case["state"], m).roles]
        actions = [a for a in workflow.MANUAL_ACTIONS if role in workflow.ACTIONS[a]]
        return pages.render(request, "case.html", case=case, moves=moves, actions=actions,
                            case_role=role, labels=workflow.STATE_LABELS,
                            note_actions=workflow.NOTE_ACTIONS)

    @router.get("/petitions/new", response_class=HTMLResponse, dependencies=[Depends(access.UNIT)])
    def petition_form(request: Request) -> Response:
        mine = access.viewer(request).units
        units = [u for u in [u.name for u in ctx.config.cases.units]
                 or [u["name"] for u in accounts.units()] if mine is None or u in mine]
        return pages.render(request, "petition.html", units=units,
                            case_role=CASE_ROLES.get(current_user(request)["role"], ""))

    @router.get("/settings", response_class=HTMLResponse, dependencies=[Depends(access.UNIT)])
    def settings_page(request: Request) -> Response:
        data: dict[str, Any] = settings_data(ctx, accounts, access.viewer(request))
        return pages.render(request, "settings.html", s=data)

    return router
