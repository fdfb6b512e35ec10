"""Reports on one subject: the special report on one event (专报) and the review of one
case after handling (处置总结).

Both read the events and cases parts of the store through ``store.reports``;
when a part is not installed, or the event or case is not stored, they raise
BadInput naming it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from yuqing.analytics import stats
from yuqing.analytics.keywords import KeywordExtractor
from yuqing.domain import BadInput, Item
from yuqing.reports import text
from yuqing.reports.build import (
    CASE_STATE_LABELS,
    ReportOptions,
    case_status,
    make_posts,
    period_charts,
    period_tables,
    typical_items,
)
from yuqing.reports.model import KIND_LABELS, Figure, Report, Table
from yuqing.reports.periods import Period
from yuqing.store import Store
from yuqing.store.analytics import Scope
from yuqing.time_range import local_time

CASE_ORIGINS = {"alert": "预警", "event": "事件", "item": "信息", "petition": "信访",
                "manual": "人工登记"}


def _event(store: Store, event_id: str) -> dict[str, Any]:
    row = store.reports.event_rows([event_id]).get(event_id)
    if row is None:
        raise BadInput(f"event {event_id!r}: not stored (or events are not built in this "
                       "installation)")
    return row


def build_special_report(store: Store, event_id: str, *, tz: str = "Asia/Shanghai",
                         options: ReportOptions = ReportOptions(), now: datetime | None = None,
                         extractor: KeywordExtractor | None = None) -> Report:
    """Return the special report (专报) on event ``event_id``: its facts, origin post,
    trend, sentiment, media, places, typical posts and suggestions.

    Raises BadInput when the event is not stored.
    """
    now = now or datetime.now(UTC)
    event = _event(store, event_id)
    since, until = event["first_at"], event["last_at"] + timedelta(seconds=1)
    scope = Scope(since, until, event=event_id)
    bucket: stats.Bucket = "hour" if until - since <= timedelta(days=3) else "day"
    doc = stats.range_stats(store, scope, tz=tz, bucket=bucket, top=options.top,
                            n_keywords=options.keywords, extractor=extractor)
    linked = store.reports.event_cases([event_id], now, options.units).get(event_id)
    origin = store.get_item(event["origin_key"])
    found = typical_items(store, scope, options.typical_posts)
    quoted = ([origin] if origin else []) + [
        i for i in found if origin is None or i.key != origin.key
    ]
    posts = make_posts(quoted[: options.typical_posts], options, tz)
    title = text.clean(event["title"])
    status = case_status(linked)
    ov = doc["overview"]
    report = Report(kind="special", title=f"舆情{KIND_LABELS['special']}：{title[:30]}",
                    organisation=options.organisation,
                    period_label=f"{local_time(since, tz)} 至 {local_time(event['last_at'], tz)}",
                    since=since, until=until, generated_at=now, tz=tz,
                    subject=f"事件 {event_id}", posts=posts)
    report.figures = [
        Figure("信息量", f"{ov['items']}条"),
        Figure("事件等级", f"{event['level']}级"),
        Figure("热度", f"{event['heat']:.1f}"),
        Figure("负面占比", text.percent(ov["negative_share"])),
        Figure("涉敏信息", f"{ov['sensitive']}条"),
        Figure("处置状态", status),
    ]
    first = (
        f"首发于{local_time(origin.published_at, tz)}，来源{origin.source}"
        if origin
        else "首发信息未采集"
    )
    last = local_time(event["last_at"], tz)
    report.summary = [f"事件“{title}”{first}，截至{last}共监测到相关信息"
                      f"{ov['items']}条，其中负面{ov['negative']}条（{text.percent(ov['negative_share'])}），"
                      f"事件等级{event['level']}级，处置状态：{status}。"]
    facts: list[list[Any]] = [
        ["事件", title],
        ["事件编号", event_id],
        ["等级", f"{event['level']}级"],
        ["热度", round(float(event["heat"]), 2)],
        ["首发时间", local_time(since, tz)],
        ["最新时间", local_time(event["last_at"], tz)],
        ["信息量", ov["items"]],
        ["首发账号", _account(origin)],
        ["处置状态", status],
        ["关键词", "、".join(str(k) for k in (event.get("keywords") or [])[:10])],
    ]
    cases = store.reports.case_progress(since, min(until, now), options.units)
    report.tables = [Table("事件概况", ["项目", "内容"], facts)] + [
        t for t in period_tables(doc, [], posts, {"available": False}, tz) if t.title != "重点事件"]
    report.charts = period_charts(doc, bucket, "事件", Period(since, until, ""), until, tz)
    events = [{"title": title, "level": event["level"]}]
    report.suggestions = text.suggestions(ov, {"items": 0}, events, 0)
    report.data = {"stats": doc, "event": {k: v for k, v in event.items() if k != "state"},
                   "cases": {**cases, "available": False}}
    return report


def _account(item: Item | None) -> str:
    if item is None:
        return "未采集"
    return f"{item.author}（{item.source}）" if item.author else item.source


def _case_tables(case: dict[str, Any], log: list[dict[str, Any]],
                 deadlines: list[dict[str, Any]], tz: str) -> list[Table]:
    origin = CASE_ORIGINS.get(case["origin"], case["origin"])
    facts = [["工单编号", case["id"]], ["标题", text.clean(case["title"])],
             ["来源", f"{origin} {case.get('origin_ref') or ''}".strip()],
             ["渠道", case["channel"]], ["责任单位", case["owner_unit"]],
             ["处置等级", case.get("handling_class") or case.get("suggested_class") or "未定"],
             ["状态", CASE_STATE_LABELS.get(case["state"], case["state"])],
             ["立案时间", local_time(case["opened_at"], tz)],
             ["办结时间", local_time(case["closed_at"], tz) if case.get("closed_at") else "未办结"]]
    steps = [[local_time(e["at"], tz), e["actor"], e["role"], e["action"],
              f"{CASE_STATE_LABELS.get(e['from_state'] or '', e['from_state'] or '')}→"
              f"{CASE_STATE_LABELS.get(e['to_state'] or '', e['to_state'] or '')}"
              if e.get("to_state") else "", text.clean(e.get("note") or "")] for e in log]
    limits = [[d["policy"], local_time(d["due"], tz),
               local_time(d["met_at"], tz) if d["met_at"] else "未完成",
               "按时" if d["met_at"] and d["met_at"] <= d["due"] else "超时"] for d in deadlines]
    return [Table("工单概况", ["项目", "内容"], facts),
            Table("处置经过", ["时间", "操作人", "角色", "动作", "状态变化", "说明"], steps),
            Table("处置时限", ["时限", "截止时间", "完成时间", "结果"], limits)]


def build_review_report(store: Store, case_id: int, *, tz: str = "Asia/Shanghai",
                        options: ReportOptions = ReportOptions(),
                        now: datetime | None = None) -> Report:
    """Return the review (处置总结) of case ``case_id``: facts, handling steps from the
    audit log, deadlines met or missed, the posts linked to the case and lessons.

    Raises BadInput when the case is not stored (or cases are not installed).
    """
    now = now or datetime.now(UTC)
    with store.snapshot() as tx:
        case, log = tx.reports.case_record(case_id)
        deadlines = tx.reports.case_deadlines(case_id) if case else []
        keys = tx.reports.case_item_keys(case_id) if case else []
    if case is None:
        raise BadInput(f"case {case_id}: not stored (or cases are not built in this installation)")
    end = case.get("closed_at") or now
    found = [i for i in (store.get_item(k) for k in keys[:200]) if i is not None]
    found.sort(key=lambda i: -((i.reposts or 0) + (i.comments or 0) + (i.likes or 0)))
    posts = make_posts(found[: options.typical_posts], options, tz)
    hours = (end - case["opened_at"]).total_seconds() / 3600
    late = sum(1 for d in deadlines if d["met_at"] is None or d["met_at"] > d["due"])
    title = text.clean(case["title"])
    report = Report(kind="review", title=f"{KIND_LABELS['review']}：{title[:30]}",
                    organisation=options.organisation,
                    period_label=f"{local_time(case['opened_at'], tz)} 至 {local_time(end, tz)}",
                    since=case["opened_at"], until=end, generated_at=now, tz=tz,
                    subject=f"工单 {case_id}", posts=posts)
    state = CASE_STATE_LABELS.get(case["state"], case["state"])
    report.figures = [Figure("状态", state), Figure("历时", f"{hours:.1f}小时"),
                      Figure("处置记录", f"{len(log)}条"), Figure("关联信息", f"{len(keys)}条"),
                      Figure("超时环节", f"{late}个")]
    closed = (f"于{local_time(case['closed_at'], tz)}办结" if case.get("closed_at")
              else f"目前{state}")
    report.summary = [f"“{title}”于{local_time(case['opened_at'], tz)}由{case['owner_unit']}立案，"
                      f"{closed}，历时{hours:.1f}小时，共有处置记录{len(log)}条，"
                      f"关联信息{len(keys)}条。"]
    report.tables = _case_tables(case, log, deadlines, tz)
    report.suggestions = ([f"有{late}个处置时限未按时完成，建议复盘原因并改进流程。"] if late
                          else ["各处置时限均按时完成。"])
    report.suggestions.append("建议办结后继续跟踪相关舆情，防止反弹。")
    report.data = {"case": {"id": case_id, "state": case["state"]}}
    return report
