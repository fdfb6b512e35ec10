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
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote as url_quote
from zoneinfo import ZoneInfo

from yuqing.analytics import stats
from yuqing.analytics.keywords import KeywordExtractor
from yuqing.config import DEFAULT_PORT
from yuqing.domain import MEDIA_LABELS, SENTIMENT_LABELS, BadInput, Item
from yuqing.reports import charts, text
from yuqing.reports.lang import translator
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
    web passes the reader's units, web/access.py); ``lang``: the report's language
    (reports/lang.py)."""

    organisation: str = "舆情监测中心"
    base_url: str = f"http://127.0.0.1:{DEFAULT_PORT}"
    typical_posts: int = 5
    events: int = 10
    top: int = 10
    quote_chars: int = 160
    keywords: int = 30
    units: frozenset[str] | None = None
    lang: str = "zh"


def item_link(base_url: str, key: str) -> str:
    """Return the web-app URL of the stored item ``key`` (GET /api/items/{key})."""
    return f"{base_url.rstrip('/')}/api/items/{url_quote(key, safe='')}"


def make_posts(found: list[Item], options: ReportOptions, tz: str,
               first_ref: int = 1) -> list[Post]:
    """Return the typical posts of ``found``, numbered from ``first_ref``, with quote hashes."""
    zone = ZoneInfo(tz)
    _ = translator(options.lang)
    posts = []
    for i, item in enumerate(found):
        quote = text.quote_of(item.text, options.quote_chars)
        engagement = (item.reposts or 0) + (item.comments or 0) + (item.likes or 0)
        posts.append(Post(
            ref=first_ref + i, key=item.key, quote=quote, quote_hash=text_hash(quote),
            source=item.source, author=text.clean(item.author or ""),
            published=local_time(item.published_at, zone),
            sentiment=_(SENTIMENT_LABELS.get(item.sentiment or "none", "未判定")),
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


def key_events(store: Store, scope: Scope, limit: int, tz: str,
               units: frozenset[str] | None = None, lang: str = "zh") -> list[dict[str, Any]]:
    """Return the key events of ``scope``, most relevant first (store/reports.py
    ``event_relevance``: only events with negative, sensitive or incident items; ranked by
    those counts, then scheme matches, then size): ``[{"id", "title", "level", "items",
    "negative", "sensitive", "incident", "scheme", "size", "first", "case", "state",
    "status"}]``. ``case``/``state`` are the linked case of ``units`` and its state at the
    end of the scope (None when no case), ``status`` its label (未立案 without a case).
    [] when the events part is absent."""
    zone = ZoneInfo(tz)
    with store.snapshot() as tx:
        ranked = tx.reports.event_relevance(scope, limit)
        rows = tx.reports.event_rows([e["id"] for e in ranked])
        linked = tx.reports.event_cases([e["id"] for e in ranked], scope.until, units)
    out = []
    for e in ranked:
        row = rows.get(e["id"])
        if row is None:
            continue
        found = linked.get(e["id"])
        out.append({**e, "title": text.clean(row["title"])[:60], "level": row["level"],
                    "size": row["size"], "first": local_time(row["first_at"], zone),
                    "case": found["case"] if found else None,
                    "state": found["state"] if found else None,
                    "status": case_status(found, lang)})
    return out


#: the state of a case as a report shows it (cases/workflow.py STATES)
CASE_STATE_LABELS = {"collected": "已收集", "verified": "已核实", "reported": "已报送",
                     "handling": "处置中", "replied": "已回复", "tracking": "跟踪中",
                     "reviewed": "已总结", "closed": "已办结", "rejected": "不予受理",
                     "merged": "已合并"}


def case_status(found: dict[str, Any] | None, lang: str = "zh") -> str:
    """Return the 处置状态 of an event from its linked case (``{"case", "state", "cases"}``,
    store ``event_cases``): ``处置中（工单7）``, ``…等2件`` for more cases, 未立案 for None."""
    _ = translator(lang)
    if found is None:
        return _("未立案")
    more = _("等{n}件").format(n=found["cases"]) if found["cases"] > 1 else ""
    return _(CASE_STATE_LABELS.get(found["state"], found["state"])) + _(
        "（工单{id}{more}）").format(id=found["case"], more=more)


def period_charts(doc: dict[str, Any], bucket: str, kind_label: str, period: Period,
                  as_of: datetime, tz: str, lang: str = "zh") -> list[Chart]:
    """Return the charts of a report from its stats document: the trend of volume and of
    each sentiment as unstacked lines over the period's true time axis, stopping at
    ``as_of``; sentiment shares (zeros said); media, provinces, keywords. ``kind_label``
    is the Chinese id of the kind (translated here into ``lang``)."""
    _ = translator(lang)
    series = doc["series"]
    times = [datetime.fromisoformat(b["t"]) for b in series]
    lines = {_("总量"): [b["count"] for b in series]}
    lines |= {_(SENTIMENT_LABELS[k]): [b[k] for b in series] for k in stats.SENTIMENT_KEYS
              if k != "none" or any(b[k] for b in series)}  # 未判定 only when there is one
    by = "信息量与情感趋势（按小时）" if bucket == "hour" else "信息量与情感趋势（按日）"
    out = [Chart("trend", _("信息量趋势"), charts.time_chart(
        _(by), times, lines, start=period.since, end=period.until, as_of=as_of, tz=tz,
        hourly=bucket == "hour", colours=_colours(_),
        as_of_label=_("截至{time}").format(time=f"{as_of.astimezone(ZoneInfo(tz)):%H:%M}")))]
    totals = {k: sum(b[k] for b in series) for k in stats.SENTIMENT_KEYS}
    shares = {_(SENTIMENT_LABELS[k]): n for k, n in totals.items() if k != "none" or n}
    out.append(Chart("sentiment", _("情感分布"), charts.donut_chart(_("情感分布"), shares,
                                                                  colours=_colours(_))))
    media = doc["media"]
    if media:
        out.append(Chart("media", _("媒体分布"), charts.bar_chart(
            _("媒体分布"), [_(MEDIA_LABELS.get(m["name"], m["name"])) for m in media],
            [m["count"] for m in media], width=4.2)))
    provinces = doc["geography"]["provinces"]
    if provinces:
        out.append(Chart("provinces", _("地域分布"), charts.bar_chart(
            _("地域分布（省份）"), [p["name"] for p in provinces],
            [p["count"] for p in provinces])))
    if doc["keywords"]:
        out.append(Chart("keywords", _("关键词"), charts.word_cloud(
            _("{kind}关键词").format(kind=_(kind_label)),
            {k["word"]: k["score"] for k in doc["keywords"]})))
    return out


def _colours(_: Any) -> dict[str, str]:
    """Return the chart colours (charts.COLOURS) under their names in the report's language."""
    return {_(name): colour for name, colour in charts.COLOURS.items()}


def period_tables(doc: dict[str, Any], events: list[dict[str, Any]], posts: list[Post],
                  cases: dict[str, Any], tz: str, lang: str = "zh") -> list[Table]:
    """Return the data tables of a period report (shown in HTML/PDF/DOCX, sheets in XLSX).
    Titles and columns are Chinese ids, translated when written (reports/formats.py);
    cell values are in ``lang``."""
    _ = translator(lang)
    n = doc["overview"]["items"] or 1
    tables = [
        Table("重点事件", ["序号", "事件", "等级", "信息量", "负面", "涉敏", "突发", "首发时间",
                          "处置状态"],
              [[i, e["title"], e["level"], e["items"], e["negative"], e["sensitive"],
                e["incident"], e["first"], e["status"]] for i, e in enumerate(events, 1)]),
        Table("媒体分布", ["媒体类型", "信息量", "占比"],
              [[_(MEDIA_LABELS.get(m["name"], m["name"])), m["count"],
                text.percent(m["count"] / n)]
               for m in doc["media"]]),
        Table("地域分布", ["地区", "类别", "信息量"],
              [[p["name"], _("省份"), p["count"]] for p in doc["geography"]["provinces"]]
              + [[c["name"], _("城市"), c["count"]] for c in doc["geography"]["cities"]]),
        Table("活跃账号", ["账号（无作者时为来源）", "信息量", "互动量"],
              [[a["name"], a["count"], a["engagement"]]
               for a in doc["accounts"]["authors"] or doc["accounts"]["sources"]]),
        Table("关键词", ["关键词", "条数", "权重"],
              [[k["word"], k["count"], k["score"]] for k in doc["keywords"]]),
        Table("信息量趋势", ["时间", "总量", "负面", "中性", "正面", "未判定"],
              [[_bucket_label(b["t"]), b["count"], b["negative"], b["neutral"], b["positive"],
                b["none"]] for b in doc["series"]]),
        Table("典型信息", ["编号", "时间", "来源", "作者", "情感", "互动量", "内容", "链接", "条目",
                          "文本SHA-256"],
              [[p.ref, p.published, p.source, p.author, p.sentiment, p.engagement, p.quote,
                p.link, p.key, p.quote_hash] for p in posts]),
    ]
    if cases["available"]:
        zone = ZoneInfo(tz)
        tables.append(Table("超期工单", ["工单", "标题", "状态", "时限", "截止时间"], [
            [c["id"], text.clean(c["title"]), _(CASE_STATE_LABELS.get(c["state"], c["state"])),
             c["policy"], local_time(c["due"], zone)]
            for c in cases["overdue"]]))
    return tables


def _bucket_label(start: str) -> str:
    """Return a bucket's local ISO start as ``2024-03-05 09:00``."""
    return f"{datetime.fromisoformat(start):%Y-%m-%d %H:%M}"


def overview_figures(ov: dict[str, Any], before: dict[str, Any], n_events: int,
                     cases: dict[str, Any], lang: str = "zh") -> list[Figure]:
    """Return the headline figures of a period report, in ``lang``; counts with thousands
    separators (``12,345``)."""
    _ = translator(lang)
    figures = [
        Figure(_("信息总量"), _("{n}条").format(n=f"{ov['items']:,}"), _("环比{change}").format(
            change=text.change_text(ov["items"], before["items"], lang))),
        Figure(_("负面信息"), _("{n}条").format(n=f"{ov['negative']:,}"),
               _("占{share}").format(share=text.percent(ov["negative_share"]))),
        Figure(_("涉敏信息"), _("{n}条").format(n=f"{ov['sensitive']:,}")),
        Figure(_("互动量"), f"{ov['engagement']:,}", _("转发+评论+点赞")),
        Figure(_("重点事件"), _("{n}个").format(n=n_events)),
    ]
    if cases["available"]:
        figures.append(Figure(_("新增工单"), _("{n}件").format(n=cases["opened"]),
                              _("办结{n}件").format(n=cases["closed"])))
        figures.append(Figure(_("在办工单"), _("{n}件").format(n=cases["open_now"]),
                              _("超期{n}件").format(n=len(cases["overdue"]))))
    return figures


def _scope_name(scheme: str | None, lang: str) -> str:
    _ = translator(lang)
    return _("“{scheme}”监测方案").format(scheme=scheme) if scheme else _("全部监测范围内")


def period_label(period: Period, tz: str, lang: str) -> str:
    """Return the period's label in ``lang``: Chinese as periods.py writes it; English as
    ISO dates (``2024-03-05``, ``2024-03-04 to 2024-03-10``)."""
    if lang == "zh":
        return period.label
    zone = ZoneInfo(tz)
    first = period.since.astimezone(zone).date()
    last = (period.until.astimezone(zone) - timedelta(seconds=1)).date()
    return first.isoformat() if first == last else translator(lang)("{first}至{last}").format(
        first=first.isoformat(), last=last.isoformat())


def as_of_label(period: Period, as_of: datetime, tz: str, lang: str = "zh") -> str:
    """Return the period's label, with ``（截至HH:MM）`` (or the local date and time when
    the period spans days) when ``as_of`` falls before its end."""
    label = period_label(period, tz, lang)
    if as_of >= period.until:
        return label
    local = as_of.astimezone(ZoneInfo(tz))
    same_day = period.since.astimezone(ZoneInfo(tz)).date() == local.date()
    return translator(lang)("{label}（截至{time}）").format(
        label=label, time=f"{local:%H:%M}" if same_day else f"{local:%m-%d %H:%M}")


def build_period_report(store: Store, kind: str, *, day: date | None = None,
                        tz: str = "Asia/Shanghai", scheme: str | None = None,
                        options: ReportOptions = ReportOptions(), now: datetime | None = None,
                        extractor: KeywordExtractor | None = None) -> Report:
    """Return the daily, weekly or monthly report of the period holding ``day`` (default:
    the last complete period before ``now``), as of ``now`` (see
    :func:`build_range_report`). Raises BadInput for another kind."""
    now = now or datetime.now(UTC)
    period = period_of(kind, day or default_date(kind, now, tz), tz)
    return build_range_report(store, kind, period, tz=tz, scheme=scheme, options=options,
                              now=now, extractor=extractor)


def build_range_report(store: Store, kind: str, period: Period, *, tz: str = "Asia/Shanghai",
                       scheme: str | None = None, options: ReportOptions = ReportOptions(),
                       now: datetime | None = None,
                       extractor: KeywordExtractor | None = None) -> Report:
    """Return the report of ``kind`` (daily, weekly, monthly, or special over a date range)
    on ``period``, as the store knew it at ``now`` (default: the current time).

    Its ``as_of`` is the earlier of ``now`` and the period's end: items, events, case
    states and overdue deadlines count up to it, the trend series ends with the bucket
    holding it (no zeros for hours still to come), and the previous period compared is
    the same span just before (the same hours of yesterday for a daily report at 15:00).
    Raises BadInput when the period has not started at ``now``.
    """
    now = now or datetime.now(UTC)
    as_of = min(period.until, now)
    if as_of <= period.since:
        raise BadInput(f"report {period.label}: the period has not started at "
                       f"{local_time(now, tz)}")
    scope = Scope(period.since, as_of, scheme)
    before_start = period.since - (period.until - period.since)
    previous = Scope(before_start, before_start + (as_of - period.since), scheme)
    lang = options.lang
    _ = translator(lang)
    kind_label = KIND_LABELS[kind]
    title = _("舆情{kind}").format(kind=_(kind_label)) + (
        f"：{scheme}" if kind == "special" and scheme else "")
    report = Report(kind=kind, title=title, organisation=_(options.organisation),
                    period_label=as_of_label(period, as_of, tz, lang), since=period.since,
                    until=period.until, as_of=as_of, generated_at=now, tz=tz, scheme=scheme,
                    lang=lang)
    ov = stats.overview(store, scope)
    before = stats.overview(store, previous)
    cases = store.reports.case_progress(period.since, as_of, options.units)
    if ov["items"] == 0:
        report.zero = True
        report.summary = [text.zero_sentence(_scope_name(scheme, lang), report.period_label,
                                             lang)]
        report.figures = overview_figures(ov, before, 0, cases, lang)
        report.suggestions = text.suggestions(ov, before, [], len(cases["overdue"]), lang)
        report.data = {"overview": ov, "previous": before, "cases": cases, "events": []}
        return report
    bucket: stats.Bucket = ("hour" if kind == "daily" or (
        kind == "special" and period.until - period.since <= timedelta(days=3)) else "day")
    doc = stats.range_stats(store, scope, tz=tz, bucket=bucket, top=options.top,
                            n_keywords=options.keywords, extractor=extractor)
    events = key_events(store, scope, options.events, tz, options.units, lang)
    report.posts = make_posts(typical_items(store, scope, options.typical_posts), options, tz)
    report.summary = [text.overview_sentence(_scope_name(scheme, lang), report.period_label,
                                             ov, before, doc["media"], lang)]
    report.figures = overview_figures(ov, before, len(events), cases, lang)
    report.charts = period_charts(doc, bucket, kind_label, period, as_of, tz, lang)
    report.tables = period_tables(doc, events, report.posts, cases, tz, lang)
    report.suggestions = text.suggestions(ov, before, events, len(cases["overdue"]), lang)
    report.data = {"stats": doc, "previous": before, "events": events, "cases": cases}
    return report
