"""Special report (one event) and case review, on rows written straight into the events and
cases tables (both backends); the PDF of each is read back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pdf_tools import pdf_text
from report_items import DAY_START, GAS
from sqlalchemy import insert

from yuqing.analytics.keywords import KeywordExtractor
from yuqing.domain import BadInput
from yuqing.reports.formats import render
from yuqing.reports.subjects import build_review_report, build_special_report
from yuqing.store import Store
from yuqing.store.cases_tables import case_deadlines, case_links, case_log, cases
from yuqing.store.events_tables import events

NOW = datetime(2024, 3, 7, tzinfo=UTC)
T = DAY_START.astimezone(UTC)


def _event(store: Store) -> None:
    gas, repost = store.get_item("weibo:1"), store.get_item("weibo:5")
    assert gas is not None and repost is not None
    gas.event_id = repost.event_id = "ev-gas"
    store.save_items([gas, repost])
    with store.write() as conn:
        conn.execute(insert(events).values(
            id="ev-gas", title="燃气泄漏致三人受伤", rep_key="weibo:1", origin_key="weibo:1",
            first_at=gas.published_at, last_at=repost.published_at, size=2, heat=612.5,
            level="II", keywords=["燃气", "泄漏"], terms={}, state={}, updated_at=NOW))


def _case(store: Store) -> int:
    opened = T + timedelta(hours=10)
    with store.write() as conn:
        case_id = int(conn.execute(insert(cases).values(
            title="燃气泄漏处置", origin="event", origin_ref="ev-gas", channel="online",
            state="closed", handling_class=2, owner_unit="市燃气办", opened_by="值班员",
            discovered_at=opened, opened_at=opened, updated_at=NOW,
            closed_at=opened + timedelta(hours=30))).inserted_primary_key[0])
        conn.execute(insert(case_log), [
            {"case_id": case_id, "at": opened, "actor": "值班员", "role": "monitor",
             "action": "move", "from_state": None, "to_state": "collected", "note": "立案",
             "data": {}},
            {"case_id": case_id, "at": opened + timedelta(hours=30), "actor": "科长",
             "role": "handler", "action": "move", "from_state": "tracking",
             "to_state": "closed", "note": "已修复管道并回应", "data": {}}])
        conn.execute(insert(case_deadlines), [
            {"case_id": case_id, "policy": "first_response", "met_by": "reported",
             "start": opened, "due": opened + timedelta(hours=5), "provisional": False,
             "met_at": opened + timedelta(hours=2)},
            {"case_id": case_id, "policy": "formal_answer", "met_by": "replied",
             "start": opened, "due": opened + timedelta(hours=24), "provisional": False,
             "met_at": opened + timedelta(hours=29)}])
        conn.execute(insert(case_links), [{"case_id": case_id, "kind": "item", "ref": "weibo:1",
                                           "score": None, "created_at": opened}])
    return case_id


def test_special_report(filled: Store, extractor: KeywordExtractor, tmp_path: Path) -> None:
    _event(filled)
    case_id = _case(filled)
    r = build_special_report(filled, "ev-gas", now=NOW, extractor=extractor)
    assert r.title.startswith("舆情专报：燃气泄漏致三人受伤")
    figures = {f.label: f.value for f in r.figures}
    assert (
        figures["信息量"] == "2条"
        and figures["事件等级"] == "II级"
        and figures["处置状态"] == f"已办结（工单{case_id}）"
    )
    assert r.posts[0].key == "weibo:1" and r.posts[0].quote == GAS  # the origin post first
    assert any("等级为II级" in s for s in r.suggestions)
    facts = dict(r.table("事件概况").rows)  # type: ignore[union-attr, arg-type]
    assert facts["首发账号"] == "城市观察（weibo）"
    text = "".join(pdf_text(render(r, "pdf"), tmp_path).split())
    assert "燃气泄漏致三人受伤" in text and "事件概况" in text and "612.5" in text


def test_review_report(filled: Store, tmp_path: Path) -> None:
    case_id = _case(filled)
    r = build_review_report(filled, case_id, now=NOW)
    figures = {f.label: f.value for f in r.figures}
    assert figures["历时"] == "30.0小时" and figures["超时环节"] == "1个"
    assert "由市燃气办立案" in r.summary[0] and "办结" in r.summary[0]
    steps = r.table("处置经过")
    assert steps is not None and steps.rows[1][5] == "已修复管道并回应"
    limits = r.table("处置时限")
    assert limits is not None and [row[3] for row in limits.rows] == ["按时", "超时"]
    assert [p.key for p in r.posts] == ["weibo:1"]
    text = "".join(pdf_text(render(r, "pdf"), tmp_path).split())
    assert "处置总结" in text and "已修复管道并回应" in text and "超时" in text


def test_unknown_subjects(filled: Store) -> None:
    with pytest.raises(BadInput, match="event 'nope'"):
        build_special_report(filled, "nope")
    with pytest.raises(BadInput, match="case 999"):
        build_review_report(filled, 999)
