"""The embedded web app and JSON API (FastAPI; OpenAPI at /openapi.json).

``create_app(ctx)`` builds an app bound to one Context (config, store,
pipeline); nothing is global, so two apps can live in one process. The
HTTP push endpoint feeds the same pipeline as every other source.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from yuqing.analytics.threads import trace_origin
from yuqing.domain import BadInput, RawItem
from yuqing.runtime.context import Context
from yuqing.sources.records import raw_from_record
from yuqing.store.items import item_to_json
from yuqing.web import access
from yuqing.web.accounts import Accounts
from yuqing.web.alerts_api import alerts_router
from yuqing.web.auth import case_guard, install_auth
from yuqing.web.cases_api import cases_router
from yuqing.web.events_api import events_router
from yuqing.web.fonts import fonts_router
from yuqing.web.headers import SecurityHeaders
from yuqing.web.list_pages import list_pages_router
from yuqing.web.messages import install_error_pages
from yuqing.web.pages import pages_router
from yuqing.web.query_checks import refuse_unknown_params
from yuqing.web.render import Pages, web_dir
from yuqing.web.reports_api import reports_router
from yuqing.web.reports_page import reports_page_router
from yuqing.web.rules_api import rules_router
from yuqing.web.settings_api import RefreshSettings, settings_router
from yuqing.web.superior import superior_router
from yuqing.web.ui_api import ui_router
from yuqing.web.views import alert_list, feed, feed_filters, source_list

#: the most items one push request may carry, and its largest body in bytes
MAX_PUSH_ITEMS = 5000
MAX_PUSH_BYTES = 32 * 1024 * 1024


def parse_push_body(body: Any, *, tz: str, received_at: datetime) -> list[RawItem | BadInput]:
    """Turn a push body (one item object or an array of them) into raw items.

    A bad element becomes a BadInput naming its index, the others still go
    through. Raises BadInput when the body itself is neither an object nor a
    non-empty array of at most MAX_PUSH_ITEMS elements.
    """
    if isinstance(body, dict):
        records: list[Any] = [body]
    elif isinstance(body, list) and body:
        records = body
    else:
        raise BadInput("request body: expected one item object or a non-empty JSON array of items")
    if len(records) > MAX_PUSH_ITEMS:
        raise BadInput(f"request body: {len(records)} items, at most {MAX_PUSH_ITEMS} per request")
    out: list[RawItem | BadInput] = []
    for i, rec in enumerate(records):
        origin = f"POST /api/items[{i}]"
        if not isinstance(rec, dict):
            out.append(BadInput(f"{origin}: expected an object, got {type(rec).__name__}"))
            continue
        try:
            out.append(raw_from_record(rec, source="push", tz=tz, media_type="other",
                                       origin=origin, fetched_at=received_at))
        except BadInput as exc:
            out.append(exc)
    return out


def create_app(ctx: Context) -> FastAPI:
    """Build the web app bound to ``ctx``."""
    app = FastAPI(title="Yuqing 舆情", version="0.1.0")
    app.state.ctx = ctx
    accounts = Accounts(ctx.store, ctx.config.web.session_hours)
    app.state.accounts = accounts
    install_auth(app, accounts, ctx.config.web)
    install_error_pages(app, Pages(ctx.config))  # a browser's failed page: HTML, its language
    app.add_middleware(RefreshSettings, ctx=ctx)  # settings edited elsewhere, file edits
    app.add_middleware(SecurityHeaders)  # outermost: refusals of the login gate get them too
    app.include_router(fonts_router())  # before the mount, which would answer /static/fonts
    app.mount("/static", StaticFiles(directory=str(web_dir("static"))), name="static")
    # registered before the routers: routes are matched in order, and a push (the busiest
    # route) then matches first instead of after every router's routes
    @app.post("/api/items", response_model=dict[str, Any], dependencies=[Depends(access.PUSH)])
    async def push_items(request: Request) -> Response:
        """Accept one item or a JSON array of items (exchange format) and run the pipeline.

        The pipeline runs in its own thread, so reads and pages stay responsive
        while a large push is processed, and pushes that arrive together are
        processed as one batch (Pipeline.submit). Bodies over MAX_PUSH_BYTES get 413,
        a body that is not a JSON object or array 400. The answer counts what happened
        (``RunOutcome.as_dict`` plus ``errors``); its status is 422 when every item was
        refused (a collector that only checks the status still notices), else 200. With a
        broker the items go to the workers: 202 ``{"queued": n, "ticket": t}`` once the
        broker has them.
        """
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_PUSH_BYTES:
            raise HTTPException(413, f"request body: {declared} bytes, at most {MAX_PUSH_BYTES}")
        raw_body = await request.body()
        if len(raw_body) > MAX_PUSH_BYTES:
            raise HTTPException(413, f"request body: over {MAX_PUSH_BYTES} bytes")
        try:
            body = json.loads(raw_body)
        except ValueError:
            raise HTTPException(400, "request body: not valid JSON") from None
        except RecursionError:
            raise HTTPException(400, "request body: JSON nested too deeply") from None
        try:
            raws = parse_push_body(body, tz=ctx.config.timezone, received_at=datetime.now(UTC))
        except BadInput as exc:
            raise HTTPException(400, str(exc)) from None
        if ctx.broker_url:  # the workers process it (README "Scaling out")
            try:
                ticket = await asyncio.to_thread(ctx.producer.enqueue, raws)
            except BadInput as exc:  # the broker is away (BrokerUnavailable)
                raise HTTPException(503, str(exc)) from None
            errors = [str(r) for r in raws if isinstance(r, BadInput)]
            # the refused records still go with the batch: the workers record them as
            # rejections in the stream's order
            return JSONResponse({"queued": len(raws) - len(errors), "rejected": len(errors),
                                 "errors": errors, "ticket": ticket},
                                status_code=422 if errors and len(errors) == len(raws) else 202)
        outcome = await asyncio.wrap_future(ctx.pipeline.submit(raws))
        ctx.count_push(outcome)
        # a ready JSONResponse: FastAPI then skips validating and encoding the answer anew
        status = 422 if outcome.read and outcome.rejected == outcome.read else 200
        return JSONResponse({**outcome.as_dict(), "errors": outcome.problems}, status_code=status)

    app.include_router(cases_router(ctx), dependencies=[Depends(case_guard)])
    app.include_router(ui_router(ctx, accounts))
    app.include_router(pages_router(ctx, accounts, ctx.config.web.secure_cookies))
    app.include_router(list_pages_router(ctx, Pages(ctx.config)))
    app.include_router(alerts_router(ctx))
    app.include_router(reports_router(ctx))
    app.include_router(reports_page_router(ctx))
    app.include_router(events_router(ctx))
    app.include_router(rules_router(ctx))
    app.include_router(superior_router(ctx))
    app.include_router(settings_router(ctx))

    @app.get("/api/items", dependencies=[Depends(access.SHARED), Depends(refuse_unknown_params)])
    def list_items(
        scheme: str | None = None,
        sentiment: str | None = None,
        q: str | None = None,
        source: str | None = None,
        media: str | None = None,
        sensitive: bool = False,
        level: str | None = None,
        since: str | None = Query(
            None,
            description="published at or after: 24h, 7d "
            "or an ISO 8601 date/time (no offset = the office zone)",
        ),
        limit: int = Query(50, ge=1, le=1000),
        offset: int = Query(0, ge=0),
    ) -> list[dict[str, Any]]:
        """Stored items, newest first, filtered like the feed page; ``q`` searches the text
        (2-character words too). A bad filter value or an unknown parameter answers 422
        naming the parameter and what it accepts (web/query_checks.py)."""
        fq = feed_filters(ctx.config, q=q, scheme=scheme, sentiment=sentiment, source=source,
                          media=media, sensitive=sensitive, level=level, since=since)
        try:
            found = feed(ctx, fq, limit=limit, offset=offset)
        except ValueError as exc:
            raise HTTPException(400, f"q: {exc}") from None
        return [item_to_json(it) for it in found]

    @app.get("/api/items/{key:path}", dependencies=[Depends(access.SHARED)])
    def get_item(request: Request, key: str) -> dict[str, Any]:
        """One stored item with the origin of its thread (a placeholder when not collected);
        a unit user's read is written to the audit log."""
        item = ctx.store.get_item(key)
        if item is None:
            raise HTTPException(404, f"item {key!r} not found")
        if access.viewer(request).units is not None:
            access.audit(request, "view", f"item:{key}")
        return {**item_to_json(item), "key": item.key,
                "origin": trace_origin(ctx.store, item).as_dict()}

    @app.get("/api/alerts", dependencies=[Depends(access.UNIT), Depends(refuse_unknown_params)])
    def list_alerts(request: Request,
                    limit: int = Query(50, ge=1, le=1000)) -> list[dict[str, Any]]:
        """The newest alerts (of a unit user: those delivered over the unit's channels):
        ``id``, ``rule``, ``level``, ``title``, ``body``, ``items`` (keys), ``created_at``."""
        return alert_list(ctx, limit, access.viewer(request).channels)

    @app.get("/api/sources", dependencies=[Depends(access.SHARED), Depends(refuse_unknown_params)])
    def list_sources() -> list[dict[str, Any]]:
        """Health of every configured source (the rows of ``yuqing sources --json``:
        status, last success and error, freshness lag, failure rate over 24 h, items per
        poll...) and ``updated_at``, when its state was last saved."""
        return source_list(ctx)

    @app.get("/api/stats", dependencies=[Depends(access.UNIT)])
    def stats(request: Request) -> dict[str, Any]:
        """Counts of stored items by label, alerts (of a unit user: those of the unit's
        channels) and rejections."""
        channels = access.viewer(request).channels
        doc = {**ctx.store.stats(), "rejected_by_reason": ctx.store.rejection_counts()}
        if channels is not None:
            doc["alerts"] = ctx.store.alerts.count(channels)
        return doc

    return app
