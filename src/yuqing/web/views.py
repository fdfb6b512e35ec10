"""Data of the web pages, read from the store through the parts' own functions.

Every function returns plain JSON-ready dicts and lists; the page routes
(web/pages.py) render them and hand chart data to static/app.js.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from yuqing.alerts.rules import LEVELS
from yuqing.analytics.event_report import event_detail, list_events
from yuqing.analytics.origin import Propagation, trace
from yuqing.analytics.stats import range_stats
from yuqing.cases import workflow
from yuqing.config import Config
from yuqing.domain import MEDIA_TYPES, SENTIMENTS
from yuqing.pipeline.textnorm import match_form
from yuqing.runtime.context import Context
from yuqing.sources.health import health_rows
from yuqing.store.analytics import Scope
from yuqing.store.items import item_to_json
from yuqing.time_range import local_time
from yuqing.web.access import Viewer
from yuqing.web.lists import DateRange, checked_scheme
from yuqing.web.query_checks import choice, since_param

NEAR_DEADLINE = timedelta(hours=24)
FEED_PAGE = 50


def data_window(ctx: Context, hours: float = 24.0) -> tuple[datetime, datetime]:
    """Return the last ``hours`` up to now, or up to the newest item when the store
    holds only older data (a replayed or demo set), as aware UTC ``(since, until)``."""
    now = datetime.now(UTC)
    newest = ctx.store.iter_items(limit=1)
    until = min(now, newest[0].published_at + timedelta(seconds=1)) if newest else now
    return until - timedelta(hours=hours), until


def deadlines_due(ctx: Context, within: timedelta = NEAR_DEADLINE,
                  units: frozenset[str] | None = None) -> list[dict[str, Any]]:
    """Return open case deadlines (of the cases of ``units`` unless None) due within
    ``within`` (overdue ones included), soonest first:
    ``{"case_id", "policy", "due" (ISO), "hours_left"}``."""
    now = datetime.now(UTC)
    rows = ctx.store.cases.open_deadlines(workflow.OPEN_STATES, units)
    near = sorted((r for r in rows if r["due"] - now <= within), key=lambda r: r["due"])
    return [{"case_id": r["case_id"], "policy": r["policy"], "due": r["due"].isoformat(),
             "hours_left": round((r["due"] - now).total_seconds() / 3600, 1)} for r in near]


def overview(ctx: Context, viewer: Viewer, days: DateRange | None = None,
             scheme: str | None = None) -> dict[str, Any]:
    """Return the overview of ``days`` (default: the last 24 hours of data, views.data_window;
    a start alone runs to now, an end alone covers its last 24 hours), of ``scheme`` when
    given: ``since``/``until`` (office-zone ISO), ``bucket`` (``hour`` up to 3 days, else
    ``day``), counts, series, media (codes), provinces, keywords, top events (those active
    in the range when one is given); open alerts and near cases count the viewer's units."""
    zone = ZoneInfo(ctx.config.timezone)
    since, until = data_window(ctx)
    chosen = days is not None and (days.since is not None or days.until is not None)
    if days is not None and chosen:
        until = days.until or datetime.now(UTC)
        since = days.since or until - timedelta(hours=24)
    bucket: Literal["hour", "day"] = "hour" if until - since <= timedelta(days=3) else "day"
    due = deadlines_due(ctx, units=viewer.units)
    stats = range_stats(ctx.store, Scope(since, until, scheme), tz=ctx.config.timezone,
                        bucket=bucket, top=34, n_keywords=60)
    events = (list_events(ctx.store, since=since, until=until, scheme=scheme, limit=10)
              if chosen or scheme else list_events(ctx.store, order="heat", limit=10))
    return {
        "since": since.astimezone(zone).isoformat(),
        "until": until.astimezone(zone).isoformat(),
        "bucket": bucket,
        "counts": stats["overview"],
        "series": stats["series"],
        "media": stats["media"],
        "provinces": stats["geography"]["provinces"],
        "keywords": stats["keywords"],
        "open_alerts": ctx.store.alerts.count_unacknowledged(viewer.channels),
        "near_cases": len({d["case_id"] for d in due}),
        "events": events,
    }


@dataclass(frozen=True)
class FeedQuery:
    """The feed's filters (every one optional); ``q`` is the search text as typed."""

    q: str | None = None
    scheme: str | None = None
    sentiment: str | None = None
    media: str | None = None
    source: str | None = None
    since: datetime | None = None
    sensitive: bool = False
    level: str | None = None

    def as_params(self) -> dict[str, str]:
        """Return the non-empty filters as query parameters (for export links)."""
        out = {k: str(v) for k, v in vars(self).items() if v not in (None, False, "")}
        if self.since is not None:
            out["since"] = self.since.date().isoformat()
        if self.sensitive:
            out["sensitive"] = "1"
        return out


def feed_filters(config: Config, *, q: str | None = None, scheme: str | None = None,
                 sentiment: str | None = None, source: str | None = None,
                 media: str | None = None, sensitive: bool = False, level: str | None = None,
                 since: str | None = None) -> FeedQuery:
    """Return the FeedQuery of these request values ("" means unset), each checked:
    ``sentiment`` one of domain.SENTIMENTS, ``media`` one of domain.MEDIA_TYPES, ``level``
    I-IV, ``scheme`` a scheme of the config (when it has any, as `yuqing items --scheme`),
    ``since`` as the CLI's ``--since`` (web/query_checks.since_param; kept in the office
    zone). Raises RequestValidationError (422) naming the parameter and what it accepts."""
    start = since_param(since, config.timezone)
    return FeedQuery(
        q=q or None,
        scheme=checked_scheme(config, scheme),
        sentiment=choice("sentiment", sentiment, SENTIMENTS),
        media=choice("media", media, MEDIA_TYPES),
        source=source or None,
        since=start.astimezone(ZoneInfo(config.timezone)) if start else None,
        sensitive=sensitive,
        level=choice("level", level, LEVELS),
    )


def feed(ctx: Context, fq: FeedQuery, limit: int = FEED_PAGE, offset: int = 0) -> list[Any]:
    """Return stored items matching ``fq``, newest first (domain Items).

    Raises ValueError for a search text with no searchable character.
    """
    return ctx.store.items.feed(query=match_form(fq.q) if fq.q else None, scheme=fq.scheme,
                                sentiment=fq.sentiment, since=fq.since, source=fq.source,
                                media=fq.media, sensitive=fq.sensitive, level=fq.level,
                                limit=limit, offset=offset)


def items_after(ctx: Context, seq: int, limit: int = 50) -> tuple[int, list[dict[str, Any]]]:
    """Return ``(newest seq, items stored after seq)`` (oldest first) for the live feed;
    ``seq`` < 0 asks only for the current newest seq."""
    top, found = ctx.store.items.items_after(seq, limit)
    return top, [{**item_to_json(it), "key": it.key} for it in found]


def as_shown(doc: dict[str, Any], tz: str, show: Callable[[str, object], str]) -> dict[str, Any]:
    """Return an item document of the live feed with what the page shows of it: ``shown_at``,
    the publication time in the office zone ``tz`` (time_range.local_time, as the
    server-rendered rows), ``media_label`` and ``sentiment_label`` (``show``: web/labels.py
    ``labeller`` of the page's language)."""
    return {**doc, "shown_at": local_time(datetime.fromisoformat(doc["published_at"]), tz),
            "media_label": show("media", doc["media_type"]),
            "sentiment_label": show("sentiment", doc["sentiment"])}


def newest_alert_id(ctx: Context) -> int:
    """Return the id of the newest alert (0 when there is none)."""
    return ctx.store.alerts.newest_id()


def alerts_after(ctx: Context, last: int, limit: int = 20,
                 channels: frozenset[str] | None = None) -> list[dict[str, Any]]:
    """Return alerts (on ``channels`` unless None) with an id above ``last``, oldest first:
    ``{"id", "rule", "level", "title"}``."""
    return ctx.store.alerts.after(last, limit, channels)


def alert_list(ctx: Context, limit: int,
               channels: frozenset[str] | None = None) -> list[dict[str, Any]]:
    """Return the newest ``limit`` alerts (delivered over ``channels`` unless None), newest
    first, as ``GET /api/alerts`` and the MCP ``list_alerts`` tool answer: ``id``, ``rule``,
    ``level``, ``title``, ``body``, ``items`` (stored item keys), ``created_at`` (ISO)."""
    return [{"id": s.id, "rule": s.alert.rule, "level": s.alert.level, "title": s.alert.title,
             "body": s.alert.body, "items": s.alert.item_keys,
             "created_at": s.alert.created_at.isoformat()}
            for s in ctx.store.list_alerts(limit, channels)]


def source_list(ctx: Context) -> list[dict[str, Any]]:
    """Return the health of every configured source now (sources/health.py ``health_rows``)
    and ``updated_at``, when its state was last saved: ``GET /api/sources`` and the MCP
    ``get_source_health`` tool."""
    states = ctx.store.list_source_states()
    saved_at = {s.name: s.updated_at for s in states}
    rows = health_rows(ctx.config.sources, states, datetime.now(UTC))
    return [{**row, "updated_at": saved_at.get(row["name"])} for row in rows]


def related_items(ctx: Context, key: str, limit: int = 50) -> list[Any]:
    """Return items that duplicate, repost or reply to item ``key`` (newest first)."""
    return ctx.store.items.related(key, limit)


def sentiment_by_hour(members: list[Any], tz: str) -> list[dict[str, Any]]:
    """Return ``[{"t", "negative", "neutral", "positive"}]`` per local hour of ``members``."""
    zone = ZoneInfo(tz)
    buckets: dict[str, dict[str, Any]] = {}
    for it in members:
        hour = it.published_at.astimezone(zone).strftime("%Y-%m-%d %H:00")
        row = buckets.setdefault(hour, {"t": hour, "negative": 0, "neutral": 0, "positive": 0})
        if it.sentiment in row:
            row[it.sentiment] += 1
    return [buckets[k] for k in sorted(buckets)]


GRAPH_NODES = 400


def graph_data(prop: Propagation) -> dict[str, Any]:
    """Return the propagation tree as ECharts graph data: ``nodes`` (``id``, ``name``,
    ``category`` = media type or "uncollected", ``value`` = descendants, ``symbolSize``
    growing with the square root of descendants, ``amplifier``), ``links``, ``categories``."""
    amplifiers = {n.key for n in prop.amplifiers}
    keep = sorted(prop.nodes.values(), key=lambda n: -n.descendants)[:GRAPH_NODES]
    kept = {n.key for n in keep}
    nodes = []
    for n in keep:
        it = n.item
        name = (it.author or it.text[:16]) if it else n.key.split(":", 1)[-1]
        nodes.append({"id": n.key, "name": name, "value": n.descendants,
                      "category": it.media_type if it else "uncollected",
                      "symbolSize": round(8 + 5 * n.descendants ** 0.5, 1),
                      "amplifier": n.key in amplifiers, "origin": n.key == prop.origin.key})
    links = [e for e in prop.edges() if e["from"] in kept and e["to"] in kept]
    cats = sorted({str(n["category"]) for n in nodes})
    return {"nodes": nodes, "links": [{"source": e["from"], "target": e["to"]} for e in links],
            "categories": cats}


def event_page(ctx: Context, event_id: str) -> dict[str, Any] | None:
    """Return the event document (analytics/event_report.event_detail) plus ``graph``,
    ``sentiment_series``, the newest ``members`` (Items) and ``summary``, the newest
    language-model summary (store/summaries.py row) or None; None when unknown."""
    doc = event_detail(ctx.store, event_id, ctx.config.events)
    if doc is None:
        return None
    members = ctx.store.events.members(event_id, limit=5000)
    doc["graph"] = graph_data(trace(members)) if members else {"nodes": [], "links": [],
                                                               "categories": []}
    doc["sentiment_series"] = sentiment_by_hour(members, ctx.config.timezone)
    zone = ZoneInfo(ctx.config.timezone)
    doc["timeline"] = [{**row, "t": datetime.fromisoformat(row["t"]).astimezone(zone).isoformat()}
                       for row in doc["timeline"]]
    doc["members"] = sorted(members, key=lambda m: m.published_at, reverse=True)[:100]
    doc["summary"] = ctx.store.summaries.latest(event_id)
    return doc
