"""`yuqing mcp`: the stored data as Model Context Protocol tools and resources.

Built on the official MCP Python SDK (``mcp`` 2.x, ``MCPServer``). Every tool
reads through the same functions as the JSON API (web/views.py, analytics,
cases, reports) and answers compact JSON (no indentation; empty fields left
out) in which every item carries its stored ``key``, so an assistant can cite
it; ``draft_report`` answers Markdown.

Two transports:

- **stdio** (``yuqing mcp``): the assistant starts the command on the machine
  that holds the database; it reads what the CLI reads (every unit).
- **streamable HTTP** (``yuqing mcp --http``, path ``/mcp``): every request
  needs ``Authorization: Bearer <API token>`` (``yuqing user token NAME``, the
  tokens of the JSON API, checked by the SDK's bearer middleware through
  :class:`ApiTokens`), and each call sees what the token's user sees in the
  JSON API: the rules of web/access.py (cases of the user's units, alerts of
  their units' channels; a unit user's reads of events and cases written to
  the audit log). A session is bound to the token that opened it.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

import anyio
import uvicorn
from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import Context as ToolContext
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import TextContent, ToolAnnotations
from pydantic import Field

from yuqing.analytics.event_report import event_detail, list_events
from yuqing.analytics.stats import range_stats
from yuqing.cases.service import CaseService
from yuqing.domain import BadInput
from yuqing.reports.make import make_report
from yuqing.reports.markdown import render_markdown
from yuqing.reports.periods import parse_date
from yuqing.runtime.context import Context
from yuqing.store.analytics import Scope
from yuqing.store.items import item_to_json
from yuqing.time_range import parse_range
from yuqing.web import access
from yuqing.web.access import Viewer
from yuqing.web.accounts import Accounts
from yuqing.web.query_checks import since_param
from yuqing.web.views import alert_list, feed, feed_filters, source_list

MCP_PATH = "/mcp"
#: who the stdio transport acts as: the local operator, who reads every unit like the CLI
LOCAL_USER: dict[str, Any] = {"id": 0, "name": "mcp-stdio", "role": "admin", "unit": None}
#: the most propagation edges, amplifiers and placeholders ``get_event`` lists (the totals
#: are given); an assistant needs the shape of the spread, not every repost
EVENT_LIST_CAP = 50
#: what ``get_event`` shows of a stored language-model summary
SUMMARY_KEYS = ("text", "sentences", "dropped", "model", "created_at")
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                            open_world_hint=False)
T = TypeVar("T")

Limit = Annotated[int, Field(ge=1, le=200, description="most results 最多返回条数")]
Since = Annotated[str | None, Field(
    description="start 起始: 30m, 24h, 7d, 2w or an ISO 8601 date/time (no offset = office zone)")]


def compact(doc: Any) -> str:
    """Return ``doc`` as compact JSON (no spaces, Chinese kept, dates ISO), dropping keys
    whose value is None, an empty string or an empty list/dict, at every depth."""
    return json.dumps(_prune(doc), ensure_ascii=False, separators=(",", ":"), default=str)


def _prune(doc: Any) -> Any:
    if isinstance(doc, dict):
        pruned = {k: _prune(v) for k, v in doc.items()}
        return {k: v for k, v in pruned.items() if v not in (None, "", [], {})}
    if isinstance(doc, list | tuple):
        return [_prune(v) for v in doc]
    return doc


def _text(doc: Any) -> TextContent:
    return TextContent(type="text", text=doc if isinstance(doc, str) else compact(doc))


def _guarded(call: Callable[[], T]) -> T:
    """Return ``call()``; a refused input or access becomes a ToolError with the message
    the JSON API would give (the assistant reads it and can correct the call)."""
    try:
        return call()
    except BadInput as exc:
        raise ToolError(str(exc)) from None
    except RequestValidationError as exc:
        raise ToolError("; ".join(str(e.get("msg", e)) for e in exc.errors())) from None
    except HTTPException as exc:
        raise ToolError(str(exc.detail)) from None


class ApiTokens:
    """The SDK's TokenVerifier over our API tokens (web/accounts.py ``token_user``): a token
    of an active user becomes an AccessToken whose ``claims["user"]`` is that user."""

    def __init__(self, accounts: Accounts) -> None:
        self.accounts = accounts

    async def verify_token(self, token: str) -> AccessToken | None:
        """Return the AccessToken of ``token``, or None (the SDK answers 401)."""
        user = await anyio.to_thread.run_sync(self.accounts.token_user, token)
        if user is None:
            return None
        return AccessToken(token=token, client_id=str(user["name"]), scopes=[],
                           subject=str(user["id"]), claims={"user": user})


class Tools:
    """The tools and resources of one server over ``ctx``; ``http`` says whether calls come
    over HTTP (each then needs its bearer user) or stdio (the local operator)."""

    def __init__(self, ctx: Context, accounts: Accounts, *, http: bool) -> None:
        self.ctx = ctx
        self.accounts = accounts
        self.http = http

    def viewer(self, context: ToolContext) -> Viewer:
        """Return the Viewer of the call: the bearer token's user over HTTP, the local
        operator over stdio. Raises ToolError over HTTP without a user (never reached
        behind the SDK's bearer middleware: it refuses such requests with 401)."""
        if not self.http:
            return Viewer(LOCAL_USER, None, None)
        request = context.request_context.request
        user = getattr(request, "scope", {}).get("user")
        if not isinstance(user, AuthenticatedUser) or not user.access_token.claims:
            raise ToolError("login required: Authorization: Bearer <API token>")
        return access.viewer_of(self.ctx, user.access_token.claims["user"])

    def audit(self, context: ToolContext, viewer: Viewer, target: str) -> None:
        """Write a unit user's read of ``target`` to the web audit log, as the JSON API does."""
        if viewer.units is None:
            return
        request = context.request_context.request
        client = getattr(request, "client", None)
        self.accounts.audit(viewer.name, "view", target, {"via": "mcp"},
                            address=client.host if client else None)

    # ----- tools ---------------------------------------------------------------------------

    def search_items(self, query: Annotated[str | None, Field(
                         description="words to search for 搜索词 (2-character words too)")] = None,
                     scheme: Annotated[str | None, Field(
                         description="only items of this monitoring scheme 监测方案")] = None,
                     sentiment: Annotated[Literal["negative", "neutral", "positive"] | None,
                                          Field(description="情感倾向")] = None,
                     since: Since = None, limit: Limit = 20) -> TextContent:
        """搜索已采集的信息，最新在前。Search stored items (posts, articles), newest first;
        each has its stored ``key`` to cite."""
        def run() -> list[dict[str, Any]]:
            fq = feed_filters(self.ctx.config, q=query, scheme=scheme, sentiment=sentiment,
                              since=since)
            try:
                found = feed(self.ctx, fq, limit=limit)
            except ValueError as exc:
                raise BadInput(f"query: {exc}") from None
            return [item_to_json(it) for it in found]
        return _text(_guarded(run))

    def list_events(self, since: Since = None,
                    min_size: Annotated[int, Field(
                        ge=1, le=10**9, description="fewest items 最少条数")] = 1,
                    order: Annotated[Literal["heat", "last_at", "size"], Field(
                        description="order, descending 排序")] = "heat",
                    limit: Limit = 20) -> TextContent:
        """列出舆情事件（热度、等级、首末时间、关键词、代表条目）。List events (clustered
        items): heat, level I-IV, first/last time, keywords, mixes, representative item key."""
        def run() -> list[dict[str, Any]]:
            start = since_param(since, self.ctx.config.timezone)
            return list_events(self.ctx.store, since=start, min_size=min_size, order=order,
                               limit=limit)
        return _text(_guarded(run))

    def get_event(self, context: ToolContext, event_id: Annotated[str, Field(
            description="event id 事件编号, e.g. from list_events")]) -> TextContent:
        """查看一个事件：源头、时间线、传播路径、等级；有摘要时附摘要。One event: origin
        (with confidence), hourly timeline, propagation edges, level, heat, spike, and its
        language-model summary when one is stored."""
        viewer = self.viewer(context)
        doc = event_detail(self.ctx.store, event_id, self.ctx.config.events)
        if doc is None:
            raise ToolError(f"event {event_id}: not found")
        for key in ("edges", "amplifiers", "placeholders"):
            if len(doc.get(key) or []) > EVENT_LIST_CAP:
                doc[f"{key}_total"] = len(doc[key])
                doc[key] = doc[key][:EVENT_LIST_CAP]
        summary = self.ctx.store.summaries.latest(event_id)
        if summary is not None:
            doc["summary"] = {k: summary[k] for k in SUMMARY_KEYS}
        self.audit(context, viewer, f"event:{event_id}")
        return _text(doc)

    def get_stats(self, since: Annotated[str, Field(description="start 起始: 24h, 7d or ISO")]
                  = "24h",
                  until: Annotated[str | None, Field(
                      description="end 截止 (exclusive), ISO date/time; default now")] = None,
                  scheme: Annotated[str | None, Field(description="监测方案")] = None,
                  bucket: Annotated[Literal["hour", "day"], Field(
                      description="series step 时间粒度")] = "hour",
                  top: Annotated[int, Field(ge=1, le=100, description="rows of top lists")] = 10
                  ) -> TextContent:
        """统计一个时间段：总量、情感走势、媒体、地域、活跃账号、关键词。Statistics of a time
        range (and scheme), as ``yuqing stats --json``: volume, sentiment series, media,
        places, top accounts, keywords."""
        def run() -> dict[str, Any]:
            tz = self.ctx.config.timezone
            if scheme is not None:
                feed_filters(self.ctx.config, scheme=scheme)
            start, end = parse_range(since, until, tz)
            return range_stats(self.ctx.store, Scope(start, end, scheme), tz=tz, bucket=bucket,
                               top=top)
        return _text(_guarded(run))

    def list_alerts(self, context: ToolContext, limit: Limit = 20) -> TextContent:
        """最新预警（仅本单位渠道的）。The newest alerts (of a unit's user: those delivered
        over the unit's channels), with the keys of their items."""
        return _text(alert_list(self.ctx, limit, self.viewer(context).channels))

    def get_case(self, context: ToolContext,
                 case_id: Annotated[int, Field(ge=1, description="case id 工单编号")]
                 ) -> TextContent:
        """查看一个工单（本单位主办或协办的）。One case of the caller's units: state, log,
        deadlines, links, petitions (contacts masked). The read is logged."""
        viewer = self.viewer(context)

        def run() -> dict[str, Any]:
            access.check_case(self.ctx, viewer, case_id, write=False,
                              path=f"mcp get_case {case_id}")
            return CaseService(self.ctx.store, self.ctx.config).show(case_id)
        doc = _guarded(run)
        self.audit(context, viewer, f"case:{case_id}")
        return _text(doc)

    def list_cases(self, context: ToolContext,
                   state: Annotated[str | None, Field(
                       description="workflow state 状态, e.g. collect, verify, handle")] = None,
                   unit: Annotated[str | None, Field(description="owning unit 主办单位")] = None,
                   limit: Limit = 20) -> TextContent:
        """列出工单，最新在前（仅本单位的）。Cases of the caller's units, newest first."""
        units = self.viewer(context).units
        service = CaseService(self.ctx.store, self.ctx.config)
        return _text(_guarded(lambda: service.list(state=state, unit=unit, limit=limit,
                                                   units=units)))

    def get_source_health(self) -> TextContent:
        """信源健康：状态、最近成功与错误、新鲜度、失败率。Health of every configured source:
        status, last success and error, freshness lag, failure rate over 24 h."""
        return _text(source_list(self.ctx))

    def draft_report(self, context: ToolContext,
                     kind: Annotated[Literal["daily", "weekly", "monthly", "special", "review"],
                                     Field(description="日报/周报/月报/专报/处置总结")],
                     date: Annotated[str | None, Field(
                         description="a day of the period YYYY-MM-DD; default the last "
                                     "complete one")] = None,
                     scheme: Annotated[str | None, Field(description="监测方案")] = None,
                     event: Annotated[str | None, Field(
                         description="the event of a special report 专报事件")] = None,
                     case: Annotated[int | None, Field(
                         description="the case of a review 处置总结工单")] = None
                     ) -> TextContent:
        """起草简报（Markdown），引用条目附存证键。Draft a briefing as Markdown: figures,
        tables, typical posts [n] with their stored item keys and quote hashes."""
        viewer = self.viewer(context)

        def run() -> str:
            if case is not None:
                access.check_case(self.ctx, viewer, case, write=False, path=None)
            report = make_report(self.ctx.store, self.ctx.config, kind,
                                 day=parse_date(date) if date else None, scheme=scheme,
                                 event=event, case=case, units=viewer.units)
            return render_markdown(report)
        return _text(_guarded(run))

    # ----- resources -----------------------------------------------------------------------

    def schemes(self) -> str:
        """The monitoring schemes of the config (words, expression, designated sources)."""
        return compact([s.model_dump() for s in self.ctx.config.schemes])

    def sources(self) -> str:
        """The configured sources: name, kind, media type, interval (s), enabled (their
        options, which may hold secrets, are left out)."""
        return compact([{"name": s.name, "kind": s.kind, "media_type": s.media_type,
                         "interval": s.interval, "enabled": s.enabled}
                        for s in self.ctx.config.sources])


TOOL_NAMES = ("search_items", "list_events", "get_event", "get_stats", "list_alerts",
              "get_case", "list_cases", "get_source_health", "draft_report")


def build_server(ctx: Context, *, http: bool) -> MCPServer[Any]:
    """Return the MCP server over ``ctx`` with the tools of TOOL_NAMES (each read-only, its
    description the method's docstring) and the resources ``yuqing://schemes`` and
    ``yuqing://sources``; ``http`` adds the bearer-token check (:class:`ApiTokens`)."""
    accounts = Accounts(ctx.store, ctx.config.web.session_hours)
    tools = Tools(ctx, accounts, http=http)
    # the web app issues the tokens; no OAuth metadata routes (resource_server_url None)
    auth = AuthSettings.model_validate({"issuer_url": ctx.config.web.base_url,
                                        "resource_server_url": None}) if http else None
    server: MCPServer[Any] = MCPServer(
        "yuqing", title="Yuqing 舆情", version="0.1.0",
        instructions="Yuqing 舆情监测: stored posts, events, alerts, cases and briefings of "
                     "this office. Cite stored items by their `key`.",
        token_verifier=ApiTokens(accounts) if http else None, auth=auth, log_level="WARNING")
    for name in TOOL_NAMES:
        method = getattr(tools, name)
        server.add_tool(method, name=name, description=_description(method),
                        annotations=READ_ONLY, structured_output=False)
    server.resource("yuqing://schemes", name="schemes", mime_type="application/json",
                    description="监测方案 monitoring schemes")(tools.schemes)
    server.resource("yuqing://sources", name="sources", mime_type="application/json",
                    description="信源 configured sources")(tools.sources)
    return server


def _description(method: Callable[..., Any]) -> str:
    """Return the first paragraph of ``method``'s docstring on one line."""
    return " ".join((method.__doc__ or "").split("\n\n")[0].split())


def serve_stdio(ctx: Context) -> None:
    """Serve MCP over stdin/stdout until the client closes them."""
    build_server(ctx, http=False).run("stdio")


def serve_http(ctx: Context, *, host: str, port: int) -> None:
    """Serve MCP over streamable HTTP at ``http://host:port/mcp`` until interrupted; port 0
    takes a free port. Prints the address on stdout once the socket listens (a client that
    connects before the server has started waits in the backlog). Raises BadInput when the
    address cannot be listened on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise BadInput(f"--host {host} --port {port}: cannot listen there ({exc.strerror}); "
                       "choose another --port") from None
    bound = sock.getsockname()[1]
    app = build_server(ctx, http=True).streamable_http_app(host=host)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    print(f"Yuqing MCP: http://{shown}:{bound}{MCP_PATH}  (Authorization: Bearer <API token>)",
          flush=True)
    server.run(sockets=[sock])
