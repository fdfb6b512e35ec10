"""Build a :class:`Report` from stored data: figures, charts, tables, typical posts,
suggestions. Daily, weekly and monthly reports here; special (one event) and
case-review reports in reports/subjects.py.

Structure of a period report (the sections an office expects): overview
figures and summary, key events with level and handling status, trend,
sentiment, media and geography, active accounts and keywords, typical posts
(quoted with source, time and link), handling progress and overdue cases,
suggestions. A period with no item is a zero report (零报告).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote as url_quote
from zoneinfo import ZoneInfo

from yuqing.analytics import stats
from yuqing.analytics.keywords import KeywordExtractor
from yuqing.config import DEFAULT_PORT
from yuqing.domain import MEDIA_LABELS, SENTIMENT_LABELS, Item
from yuqing.reports import charts, text
from yuqing.reports.model import (
    KIND_LABELS,
    Chart,
    Figure,
    Post,
    Report,
    Table,
    text_hash,
)
from yuqing.reports.periods import Period, default_date, period_of
from yuqing.store import Store
from yuqing.store.analytics import Scope
from yuqing.time_range import local_time


@dataclass(frozen=True)
class ReportOptions:
    """Settings of report content: the office name on the cover, the web app address that
    evidence links point to, how many typical posts, events and top rows, quote length;
    ``units``: the units whose cases the handling figures count (None: every unit; the
    web passes the reader's units, web/access.py)."""

    organisation: str = "舆情监测中心"
    base_url: str = f"http://127.0.0.1:{DEFAULT_PORT}"
    typical_posts: int = 5
    events: int = 10
    top: int = 10
    quote_chars: int = 160
    keywords: int = 30
    units: frozenset[str] | None = None


def item_link(base_url: str, key: str) -> str:
    """Return the web-app URL of the stored item ``key`` (GET /api/items/{key})."""
    return f"{base_url.rstrip('/')}/api/items/{url_quote(key, safe='')}"


def make_posts(found: list[Item], options: ReportOptions, tz: str,
               first_ref: int = 1) -> list[Post]:
    """Return the typical posts of ``found``, numbered from ``first_ref``, with quote hashes."""
    zone = ZoneInfo(tz)
    posts = []
    for i, item in enumerate(found):
        quote = text.quote_of(item.text, options.quote_chars)
        engagement = (item.reposts or 0) + (item.comments or 0) + (item.likes or 0)
        posts.append(Post(
            ref=first_ref + i, key=item.key, quote=quote, quote_hash=text_hash(quote),
            source=item.source, author=text.clean(item.author or ""),
            published=local_time(item.published_at, zone),
            sentiment=SENTIMENT_LABELS.get(item.sentiment or "none", "未判定"),
            engagement=engagement, link=item_link(options.base_url, item.key),
            url=item.url or ""))
    return posts


def typical_items(store: Store, scope: Scope, limit: int) -> list[Item]:
    """Return the posts to quote: the most engaged negative or sensitive originals, topped
    up with the most engaged originals of any kind."""
    with store.snapshot() as tx:
        found = tx.reports.top_items(scope, limit, sentiments=["negative"])
        seen = {i.key for i in found}
        for extra in (tx.reports.top_items(scope, limit, sensitive_only=True),
                      tx.reports.top_items(scope, limit)):
            found += [i for i in extra if i.key not in seen and len(found) < limit]
            seen = {i.key for i in found}
    return found[:limit]


def key_events(store: Store, scope: Scope, limit: int, tz: str) -> list[dict[str, Any]]:
    """Return the events with most items in ``scope``: ``[{"id", "title", "level", "items",
    "size", "first", "status"}]`` ([] when the events part is absent)."""
    zone = ZoneInfo(tz)
    with store.snapshot() as tx:
        counts = tx.reports.event_counts(scope, limit)
        rows = tx.reports.event_rows([e for e, _ in counts])
        states = tx.reports.event_case_states([e for e, _ in counts])
    out = []
    for event_id, n in counts:
        row = rows.get(event_id)
        if row is None:
            continue
        out.append({"id": event_id, "title": text.clean(row["title"])[:60], "level": row["level"],
                    "items": n, "size": row["size"],
                    "first": local_time(row["first_at"], zone),
                    "status": CASE_STATE_LABELS.get(states.get(event_id, ""), "未立案")})
    return out


CASE_STATE_LABELS = {"collected": "已收集", "verified": "已核实", "reported": "已上报",
                     "handling": "处置中", "replied": "已回复", "tracking": "跟踪中",
                     "closing": "待办结", "closed": "已办结", "rejected": "不予受理",
                     "merged": "已合并"}


def _series_labels(series: list[dict[str, Any]], bucket: str) -> list[str]:
    fmt = "%H时" if bucket == "hour" else "%m-%d"
    return [datetime.fromisoformat(b["t"]).strftime(fmt) for b in series]


def period_charts(doc: dict[str, Any], bucket: str, kind_label: str) -> list[Chart]:
    """Return the charts of a period report from its stats document."""
    series = doc["series"]
    labels = _series_labels(series, bucket)
    out = [Chart("trend", "信息量趋势", charts.line_chart(
        f"信息量趋势（{'按小时' if bucket == 'hour' else '按日'}）", labels,
        {"总量": [b["count"] for b in series], "负面": [b["negative"] for b in series]}))]
    shares = {SENTIMENT_LABELS[k]: sum(b[k] for b in series) for k in stats.SENTIMENT_KEYS}
    out.append(Chart("sentiment", "情感分布", charts.donut_chart("情感分布", shares)))
    media = doc["media"]
    if media:
        out.append(Chart("media", "媒体分布", charts.bar_chart(
            "媒体分布", [MEDIA_LABELS.get(m["name"], m["name"]) for m in media],
            [m["count"] for m in media], width=4.2)))
    provinces = doc["geography"]["provinces"]
    if provinces:
        out.append(Chart("provinces", "地域分布", charts.bar_chart(
            "地域分布（省份）", [p["name"] for p in provinces], [p["count"] for p in provinces])))
    if doc["keywords"]:
        out.append(Chart("keywords", "关键词", charts.word_cloud(
            f"{kind_label}关键词", {k["word"]: k["score"] for k in doc["keywords"]})))
    return out


def period_tables(doc: dict[str, Any], events: list[dict[str, Any]], posts: list[Post],
                  cases: dict[str, Any], tz: str) -> list[Table]:
    """Return the data tables of a period report (shown in HTML/PDF/DOCX, sheets in XLSX)."""
    n = doc["overview"]["items"] or 1
    tables = [
        Table("重点事件", ["序号", "事件", "等级", "期内信息量", "首发时间", "处置状态"],
              [[i, e["title"], e["level"], e["items"], e["first"], e["status"]]
               for i, e in enumerate(events, 1)]),
        Table("媒体分布", ["媒体类型", "信息量", "占比"],
              [[MEDIA_LABELS.get(m["name"], m["name"]), m["count"], text.percent(m["count"] / n)]
               for m in doc["media"]]),
        Table("地域分布", ["地区", "类别", "信息量"],
              [[p["name"], "省份", p["count"]] for p in doc["geography"]["provinces"]]
              + [[c["name"], "城市", c["count"]] for c in doc["geography"]["cities"]]),
        Table("活跃账号", ["账号（无作者时为来源）", "信息量", "互动量"],
              [[a["name"], a["count"], a["engagement"]]
               for a in doc["accounts"]["authors"] or doc["accounts"]["sources"]]),
        Table("关键词", ["关键词", "条数", "权重"],
              [[k["word"], k["count"], k["score"]] for k in doc["keywords"]]),
        Table("信息量趋势", ["时间", "总量", "负面", "中性", "正面", "未判定"],
              [[b["t"], b["count"], b["negative"], b["neutral"], b["positive"], b["none"]]
               for b in doc["series"]]),
        Table("典型信息", ["编号", "时间", "来源", "作者", "情感", "互动量", "内容", "链接", "条目",
                          "文本SHA-256"],
              [[p.ref, p.published, p.source, p.author, p.sentiment, p.engagement, p.quote,
                p.link, p.key, p.quote_hash] for p in posts]),
    ]
    if cases["available"]:
        zone = ZoneInfo(tz)
        tables.append(Table("超期工单", ["工单", "标题", "状态", "时限", "截止时间"], [
            [c["id"], text.clean(c["title"]), CASE_STATE_LABELS.get(c["state"], c["state"]),
             c["policy"], local_time(c["due"], zone)]
            for c in cases["overdue"]]))
    return tables


def overview_figures(ov: dict[str, Any], before: dict[str, Any], n_events: int,
                     cases: dict[str, Any]) -> list[Figure]:
    """Return the headline figures of a period report."""
    figures = [
        Figure("信息总量", f"{ov['items']}条",
               f"环比{text.change_text(ov['items'], before['items'])}"),
        Figure("负面信息", f"{ov['negative']}条", f"占{text.percent(ov['negative_share'])}"),
        Figure("涉敏信息", f"{ov['sensitive']}条"),
        Figure("互动量", f"{ov['engagement']}", "转发+评论+点赞"),
        Figure("重点事件", f"{n_events}个"),
    ]
    if cases["available"]:
        figures.append(Figure("新增工单", f"{cases['opened']}件",
                              f"超期{len(cases['overdue'])}件"))
    return figures


def _scope_name(scheme: str | None) -> str:
    return f"“{scheme}”监测方案" if scheme else "全部监测范围内"


def build_period_report(store: Store, kind: str, *, day: date | None = None,
                        tz: str = "Asia/Shanghai", scheme: str | None = None,
                        options: ReportOptions = ReportOptions(), now: datetime | None = None,
                        extractor: KeywordExtractor | None = None) -> Report:
    """Return the daily, weekly or monthly report of the period holding ``day`` (default:
    the last complete period before ``now``). Raises BadInput for another kind."""
    now = now or datetime.now(UTC)
    period: Period = period_of(kind, day or default_date(kind, now, tz), tz)
    scope = Scope(period.since, period.until, scheme)
    previous = Scope(period.since - (period.until - period.since), period.since, scheme)
    report = Report(kind=kind, title=f"舆情{KIND_LABELS[kind]}", organisation=options.organisation,
                    period_label=period.label, since=period.since, until=period.until,
                    generated_at=now, tz=tz, scheme=scheme)
    ov = stats.overview(store, scope)
    before = stats.overview(store, previous)
    cases = store.reports.case_progress(period.since, period.until, options.units)
    if ov["items"] == 0:
        report.zero = True
        report.summary = [text.zero_sentence(_scope_name(scheme), period.label)]
        report.figures = overview_figures(ov, before, 0, cases)
        report.suggestions = text.suggestions(ov, before, [], len(cases["overdue"]))
        report.data = {"overview": ov, "previous": before, "cases": cases}
        return report
    bucket: stats.Bucket = "hour" if kind == "daily" else "day"
    doc = stats.range_stats(store, scope, tz=tz, bucket=bucket, top=options.top,
                            n_keywords=options.keywords, extractor=extractor)
    events = key_events(store, scope, options.events, tz)
    report.posts = make_posts(typical_items(store, scope, options.typical_posts), options, tz)
    report.summary = [text.overview_sentence(_scope_name(scheme), period.label, ov, before,
                                             doc["media"])]
    report.figures = overview_figures(ov, before, len(events), cases)
    report.charts = period_charts(doc, bucket, KIND_LABELS[kind])
    report.tables = period_tables(doc, events, report.posts, cases, tz)
    report.suggestions = text.suggestions(ov, before, events, len(cases["overdue"]))
    report.data = {"stats": doc, "previous": before, "events": events, "cases": cases}
    return report
