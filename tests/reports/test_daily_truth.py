"""The daily report agrees with the records and the clock (issue 17, deliverable 4).

One day, 2024-03-05 (a Tuesday, a working day) in Asia/Shanghai, is written by hand:
items of five events and one loose item, an alert, and cases opened and moved through
the real case service (deadlines from cases/deadlines.py: first response 5 h, complex
5 working days). The daily report is made at a fixed moment, 15:30, while the day is
still running; records made after that moment (an item at 16:30, a move at 16:10, a case
opened at 16:20) must change nothing. Every figure of the report model is checked
against the values known from the set-up, then the same figures are read back from the
PDF (pdftotext), the DOCX (python-docx) and the XLSX (openpyxl).

Texts are written for this test.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pdf_tools import pdf_text
from report_items import make
from sqlalchemy import insert

from yuqing.analytics.keywords import KeywordExtractor
from yuqing.cases.service import CaseService
from yuqing.config import Config, parse_config
from yuqing.domain import Alert, Item, TermHit
from yuqing.reports.formats import render
from yuqing.reports.make import make_report
from yuqing.reports.model import Report
from yuqing.store import Store
from yuqing.store.events_tables import events

TZ = ZoneInfo("Asia/Shanghai")
AS_OF = datetime(2024, 3, 5, 15, 30, tzinfo=TZ)
UNIT = "县卫健委"
INCIDENT = {"category": "事故灾难", "type": "泄漏", "confidence": 0.9, "cues": ["泄漏"],
            "casualties": {"deaths": 0, "injured": 0, "missing": 0}}
HOSPITAL = ["医院"]

#: event id -> (title, level)
EVENTS = {
    "ev-waste": ("县医院医疗废物泄漏", "III"),
    "ev-canteen": ("医院食堂饭菜变质引投诉", "IV"),
    "ev-rescue": ("消防员救出被困病人", "IV"),
    "ev-job": ("县医院招聘护士启事", "IV"),
    "ev-fair": ("医疗器械展销会开幕", "IV"),
}


def day_items() -> list[Item]:
    """Return the items of the day and of the day before (see the module docstring)."""
    hit = TermHit("泄漏", "livelihood", 6, 8)
    out = [
        make("weibo:w1", "县医院医疗废物泄漏，垃圾桶旁满地针头", 11.0, sentiment="negative",
             sensitive_terms=[hit], incident=INCIDENT, schemes=HOSPITAL, reposts=10,
             event_id="ev-waste"),
        make("weibo:w2", "医疗废物就这么堆在路边，太吓人了", 11 + 40 / 60, sentiment="negative",
             schemes=HOSPITAL, event_id="ev-waste"),
        make("weibo:w3", "环保部门已到县医院现场处置医疗废物", 12 + 10 / 60, sentiment="neutral",
             incident=INCIDENT, schemes=HOSPITAL, event_id="ev-waste"),
        make("weibo:c1", "医院食堂饭菜变质，家属吃了拉肚子", 8.0, sentiment="negative",
             schemes=HOSPITAL, event_id="ev-canteen"),
        make("weibo:c2", "医院食堂的菜又馊了，院长管不管", 9.5, sentiment="negative",
             sensitive_terms=[TermHit("院长", "official", 10, 12)], event_id="ev-canteen"),
        make("weibo:r1", "消防员冲进火场救出被困病人，点赞", 6.5, sentiment="positive",
             incident=INCIDENT, schemes=HOSPITAL, event_id="ev-rescue"),
        make("weibo:n1", "县医院挂号排队三小时没人管", 13 + 20 / 60, sentiment="negative"),
        # after the report's moment (15:30): must count nowhere
        make("weibo:late", "医院食堂今晚又出问题了", 16.5, sentiment="negative",
             sensitive_terms=[TermHit("问题", "livelihood", 8, 10)], event_id="ev-canteen"),
        # the day before: 10:00 is inside yesterday's same span (00:00-15:30), 20:00 is not
        make("weibo:y1", "昨天医院门口交通拥堵", -14.0, sentiment="neutral"),
        make("weibo:y2", "昨晚医院附近停电", -4.0, sentiment="neutral"),
    ]
    out += [make(f"news:job{h}", f"县医院招聘护士若干名，待遇从优（{h}时发布）", h + 0.25,
                 sentiment="neutral", schemes=HOSPITAL, media_type="news", source="rencai",
                 reposts=50, event_id="ev-job") for h in range(7, 15)]
    fair = [(10 + 5 / 60, "positive"), (10 + 35 / 60, "positive"), (13 + 5 / 60, "neutral"),
            (14 + 5 / 60, "neutral"), (15 + 5 / 60, "neutral")]
    out += [make(f"news:fair{i}", f"医疗器械展销会今日开幕，展位{i}号", h, sentiment=s,
                 schemes=HOSPITAL, media_type="news", source="expo", event_id="ev-fair")
            for i, (h, s) in enumerate(fair)]
    return out


#: the items of the day up to 15:30, by event and overall (from day_items)
IN_DAY = 20
NEGATIVE, NEUTRAL, POSITIVE = 5, 12, 3
SENSITIVE = 2
ENGAGEMENT = 10 + 8 * 50
#: items per local hour 00..15 (16 buckets: the hour holding 15:30 is the last)
HOURLY = {6: 1, 7: 1, 8: 2, 9: 2, 10: 3, 11: 3, 12: 2, 13: 3, 14: 2, 15: 1}


def _events(store: Store, found: list[Item]) -> None:
    with store.write() as conn:
        for event_id, (title, level) in EVENTS.items():
            members = sorted((i for i in found if i.event_id == event_id),
                             key=lambda i: i.published_at)
            conn.execute(insert(events).values(
                id=event_id, title=title, rep_key=members[0].key, origin_key=members[0].key,
                first_at=members[0].published_at, last_at=members[-1].published_at,
                size=len(members), heat=float(len(members)), level=level, keywords=[],
                terms={}, state={}, updated_at=members[-1].published_at))


class Clock:
    """A settable clock for the case service."""

    def __init__(self) -> None:
        self.now = AS_OF

    def __call__(self) -> datetime:
        return self.now.astimezone(UTC)

    def at(self, hour: int, minute: int = 0) -> Clock:
        """Set the clock to ``hour:minute`` of the day; return self."""
        self.now = datetime(2024, 3, 5, hour, minute, tzinfo=TZ)
        return self


def _config() -> Config:
    return parse_config({"timezone": "Asia/Shanghai",
                         "cases": {"policies": ["first_response", "complex"]}})


def _cases(store: Store, config: Config) -> dict[str, int]:
    """Open and move the cases of the day; return their ids by name."""
    clock = Clock()
    svc = CaseService(store, config, clock=clock)
    who = {"actor": "王科长", "role": "leader"}
    # overdue: discovered 08:05 (the item's fetch), first response due 13:05, never reported
    clock.at(8, 20)
    overdue = svc.open_from_item("weibo:c1", unit=UNIT, **who)
    clock.at(9)
    svc.move(overdue, "verified", note="已电话核实", handling_class=1, **who)
    # due later that day: the event's first item 11:00, first response due 16:00
    clock.at(11, 50)
    later = svc.open_from_event("ev-waste", unit=UNIT, **who)
    # closed: opened from the alert on the rescue, through every state before noon
    alert_id = store.record_alert(Alert(rule="医院", dedup_key="医院:ev-rescue",
                                        title="消防员救出被困病人", body="正文",
                                        item_keys=["weibo:r1"],
                                        created_at=clock.at(6, 40).now.astimezone(UTC)))
    assert alert_id is not None
    clock.at(6, 50)
    closed = svc.open_from_alert(alert_id, unit=UNIT, **who)
    steps = [("verified", "核实属实"), ("reported", None), ("handling", None),
             ("replied", "已公开感谢"), ("tracking", None), ("reviewed", "处置得当"),
             ("closed", None)]
    for minute, (state, note) in enumerate(steps):
        clock.at(7 + minute // 2, 30 * (minute % 2))
        if state == "replied":
            svc.act(closed, "leader_review", note="科长审核答复", **who)
        svc.move(closed, state, note=note, handling_class=1 if state == "verified" else None,
                 **who)
    # after the report's moment: a move of `later` and a new case change nothing at 15:30
    clock.at(16, 10)
    svc.move(later, "verified", note="现场核实", handling_class=1, **who)
    clock.at(16, 20)
    svc.open_case("展销会噪音扰民", unit=UNIT, **who)
    return {"overdue": overdue, "later": later, "closed": closed}


@pytest.fixture
def day(store: Store) -> tuple[Store, Config, dict[str, int]]:
    """The ``store`` fixture (both backends) holding the day."""
    found = day_items()
    store.save_items(found)
    _events(store, found)
    config = _config()
    return store, config, _cases(store, config)


@pytest.fixture
def report(day: tuple[Store, Config, dict[str, int]], extractor: KeywordExtractor) -> Report:
    store, config, _ = day
    return make_report(store, config, "daily", day=AS_OF.date(), now=AS_OF.astimezone(UTC),
                       extractor=extractor)


def test_every_figure_of_the_model(report: Report,
                                   day: tuple[Store, Config, dict[str, int]]) -> None:
    ids = day[2]
    assert report.as_of == AS_OF and report.period_label == "2024年3月5日（截至15:30）"
    figures = {f.label: (f.value, f.note) for f in report.figures}
    assert figures == {
        "信息总量": (f"{IN_DAY}条", "环比上升1900.0%"),  # yesterday 00:00-15:30: one item
        "负面信息": (f"{NEGATIVE}条", "占25.0%"),
        "涉敏信息": (f"{SENSITIVE}条", ""),
        "互动量": (str(ENGAGEMENT), "转发+评论+点赞"),
        "重点事件": ("3个", ""),
        "新增工单": ("3件", "办结1件"),
        "在办工单": ("2件", "超期1件"),
    }
    stats = report.data["stats"]
    assert stats["overview"] == {"items": IN_DAY, "negative": NEGATIVE, "sensitive": SENSITIVE,
                                 "duplicates": 0, "engagement": ENGAGEMENT,
                                 "negative_share": 0.25}
    shares = {s["name"]: s["count"] for s in stats["sentiment"]}
    assert shares == {"negative": NEGATIVE, "neutral": NEUTRAL, "positive": POSITIVE}
    series = stats["series"]
    assert len(series) == 16 and series[-1]["t"] == "2024-03-05T15:00:00+08:00"
    assert [b["count"] for b in series] == [HOURLY.get(h, 0) for h in range(16)]
    trend = report.table("信息量趋势")
    assert trend is not None and len(trend.rows) == 16 and trend.rows[-1][0] == "2024-03-05 15:00"
    assert report.summary[0].startswith(
        f"2024年3月5日（截至15:30），全部监测范围内共监测到相关信息{IN_DAY}条，环比上升1900.0%；"
        f"其中负面信息{NEGATIVE}条，占25.0%；涉敏信息{SENSITIVE}条。")

    # key events: relevance before size; the job advert (8 items) and the fair are none
    key = report.data["events"]
    assert [e["id"] for e in key] == ["ev-waste", "ev-canteen", "ev-rescue"]
    assert [(e["items"], e["negative"], e["sensitive"], e["incident"], e["scheme"])
            for e in key] == [(3, 2, 1, 2, 3), (2, 2, 1, 0, 1), (1, 0, 0, 1, 1)]
    assert [(e["case"], e["state"], e["status"]) for e in key] == [
        (ids["later"], "collected", f"已收集（工单{ids['later']}）"),
        (ids["overdue"], "verified", f"已核实（工单{ids['overdue']}）"),
        (ids["closed"], "closed", f"已办结（工单{ids['closed']}）"),
    ]
    table = report.table("重点事件")
    assert table is not None and [r[1] for r in table.rows] == [
        "县医院医疗废物泄漏", "医院食堂饭菜变质引投诉", "消防员救出被困病人"]

    cases = report.data["cases"]
    assert (cases["opened"], cases["closed"], cases["open_now"]) == (3, 1, 2)
    assert cases["by_state"] == {"verified": 1, "collected": 1, "closed": 1}
    assert [(c["id"], c["policy"], c["state"]) for c in cases["overdue"]] == [
        (ids["overdue"], "first_response", "verified")]
    assert cases["overdue"][0]["due"] == datetime(2024, 3, 5, 13, 5, tzinfo=TZ)
    overdue = report.table("超期工单")
    assert overdue is not None and overdue.rows == [
        [ids["overdue"], "医院食堂饭菜变质，家属吃了拉肚子", "已核实", "first_response",
         "2024-03-05 13:05 (+08:00)"]]
    assert any("有1件工单已超过处置时限" in s for s in report.suggestions)
    assert "weibo:late" not in {p.key for p in report.posts}


def test_the_day_after_the_same_records_count_the_whole_day(
        day: tuple[Store, Config, dict[str, int]], extractor: KeywordExtractor) -> None:
    store, config, ids = day
    later = make_report(store, config, "daily", day=AS_OF.date(),
                        now=datetime(2024, 3, 6, 9, tzinfo=TZ).astimezone(UTC),
                        extractor=extractor)
    assert later.period_label == "2024年3月5日" and len(later.data["stats"]["series"]) == 24
    figures = {f.label: (f.value, f.note) for f in later.figures}
    # the 16:30 item and the 16:20 case now count; the waste case was due at 16:00 and
    # was only verified by then: overdue at the day's end
    assert figures["信息总量"][0] == f"{IN_DAY + 1}条"
    assert figures["新增工单"] == ("4件", "办结1件")
    assert figures["在办工单"] == ("3件", "超期3件")
    by_id = {e["id"]: e["status"] for e in later.data["events"]}
    assert by_id["ev-waste"] == f"已核实（工单{ids['later']}）"


def _docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def _xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True)
                     for v in row if v is not None)


def _figures_in(text: str, report: Report, ids: dict[str, int]) -> None:
    flat = "".join(text.split())
    for needle in (f"{IN_DAY}条", "环比上升1900.0%", f"{NEGATIVE}条", "占25.0%",
                   f"{SENSITIVE}条", str(ENGAGEMENT), "3个", "3件", "办结1件", "2件", "超期1件",
                   f"已收集（工单{ids['later']}）", f"已核实（工单{ids['overdue']}）",
                   f"已办结（工单{ids['closed']}）", "2024年3月5日（截至15:30）"):
        assert needle in flat, needle
    titles = [flat.find(t) for t in ("县医院医疗废物泄漏", "医院食堂饭菜变质引投诉",
                                      "消防员救出被困病人")]
    assert -1 not in titles and titles == sorted(titles)
    assert "县医院招聘护士启事" not in flat and "医疗器械展销会开幕" not in flat


@pytest.mark.parametrize("fmt", ["pdf", "docx", "xlsx"])
def test_the_files_show_the_same_figures(report: Report, fmt: str, tmp_path: Path,
                                         day: tuple[Store, Config, dict[str, int]]) -> None:
    data = render(report, fmt)
    reader: dict[str, Any] = {"pdf": lambda d: pdf_text(d, tmp_path), "docx": _docx_text,
                              "xlsx": _xlsx_text}
    _figures_in(reader[fmt](data), report, day[2])


def test_a_case_of_another_unit_is_not_shown(day: tuple[Store, Config, dict[str, int]],
                                             extractor: KeywordExtractor) -> None:
    store, config, _ = day
    other = make_report(store, config, "daily", day=AS_OF.date(), now=AS_OF.astimezone(UTC),
                        extractor=extractor, units=frozenset({"县教育局"}))
    assert [e["status"] for e in other.data["events"]] == ["未立案"] * 3
    assert {f.label: f.value for f in other.figures}["在办工单"] == "0件"


def test_the_same_report_in_english(day: tuple[Store, Config, dict[str, int]],
                                    extractor: KeywordExtractor) -> None:
    from yuqing.reports.lang import EN

    store, config, ids = day
    en = make_report(store, config, "daily", day=AS_OF.date(), now=AS_OF.astimezone(UTC),
                     extractor=extractor, lang="en")
    assert en.title == "Public opinion Daily report" and en.lang == "en"
    assert en.period_label == "2024-03-05 (up to 15:30)"
    figures = {f.label: (f.value, f.note) for f in en.figures}
    assert figures["Items"] == (str(IN_DAY), "up 1900.0% on the previous period")
    assert figures["Open cases"] == ("2", "1 overdue")
    assert [e["status"] for e in en.data["events"]][0] == f"collected (case {ids['later']})"
    page = render(en, "html").decode("utf-8")
    ours = [zh for zh in EN if len(zh) >= 2 and "{" not in zh and zh in page]
    assert ours == [] and "<h2>2. Key events</h2>" in page
