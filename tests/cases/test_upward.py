"""Tests of cases/upward.py on both backends: a two-level unit tree (青山市 above 青山县),
a county case reported upward reaching the city's inbox, view and webhook (a real local
HTTP server), dual reporting, reporting limits, and the daily and zero reports sent by the
report scheduler once a day."""

from __future__ import annotations

import json
import threading
import time
import tomllib
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import pytest
from alert_servers import HttpServer, running_http_server
from alerts_helpers import make_item

from yuqing.alerts.channels.registry import (
    build_channels,
    channel_registry,
    register_builtin_channels,
)
from yuqing.alerts.dispatcher import Dispatcher
from yuqing.alerts.outbox import OutboxDispatcher
from yuqing.cases import upward
from yuqing.cases.reminders import sweep
from yuqing.cases.service import CaseService
from yuqing.config import Config, ReportLimitConfig, builtin_report_limits, parse_config
from yuqing.reports.schedule import ReportScheduler
from yuqing.runtime.context import Context
from yuqing.runtime.scaleout_polls import TICK_S, run_scheduler
from yuqing.runtime.watch import Watcher
from yuqing.store import Store

START = datetime(2024, 3, 4, 1, 0, tzinfo=UTC)  # Mon 09:00 Shanghai
CITY, COUNTY, HEALTH, TOWN = "青山市", "青山县", "青山县卫健局", "青山镇"


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def tree_config(url: str, **reporting: Any) -> Config:
    """The two-level tree, each unit with its own webhook channel (path names the unit)."""
    hook = {"kind": "webhook", "allow_internal": True}
    return parse_config({
        "timezone": "Asia/Shanghai",
        "alerts": {"channels": [{"name": "city", "url": f"{url}/ok?to=city", **hook},
                                {"name": "county", "url": f"{url}/ok?to=county", **hook},
                                {"name": "health", "url": f"{url}/ok?to=health", **hook}]},
        "cases": {"units": [{"name": CITY, "level": "city", "channels": ["city"]},
                            {"name": COUNTY, "parent": CITY, "channels": ["county"],
                             "dual_report_to": HEALTH},
                            {"name": HEALTH, "channels": ["health"]}],
                  "reporting": reporting},
    })


def dispatcher(store: Store, cfg: Config) -> OutboxDispatcher:
    return OutboxDispatcher(store, build_channels(
        cfg.alerts.channels, register_builtin_channels(channel_registry())))


def report(svc: CaseService, title: str, unit: str = COUNTY, **opened: Any) -> int:
    case_id = svc.open_case(title, actor="张三", role="handler", unit=unit, suggested_class=1,
                            **opened)
    svc.move(case_id, "verified", actor="张三", role="handler", note="已核实")
    svc.move(case_id, "reported", actor="张三", role="handler")
    return case_id


def received(server: HttpServer, to: str) -> list[dict[str, Any]]:
    return [json.loads(r["body"]) for r in server.requests if r["query"] == f"to={to}"]


def test_a_county_case_reported_reaches_the_city_and_the_dual_recipient(store: Store) -> None:
    clock = Clock()
    with running_http_server() as server:
        cfg = tree_config(server.url)
        svc = CaseService(store, cfg, clock=clock)
        case_id = report(svc, "青山县某医院医疗废物泄漏")
        assert dispatcher(store, cfg).drain() == 2
        city, health = received(server, "city"), received(server, "health")
        assert received(server, "county") == []
        assert len(city) == 1 and len(health) == 1
        assert "青山县某医院医疗废物泄漏" in city[0]["title"] and "【上报】" in city[0]["title"]
        assert f"#{case_id}" in city[0]["body"] and "报送时限" in city[0]["body"]
        # moving on, or a second dispatcher round, sends nothing again
        svc.move(case_id, "handling", actor="张三", role="handler")
        assert dispatcher(store, cfg).drain() == 0 and len(server.requests) == 2
    # the city's web inbox: the alerts over the city's channels
    city_inbox = store.alerts.history(50, frozenset({"city"}))
    assert [a["title"] for a in city_inbox] == [f"【上报】{COUNTY}：青山县某医院医疗废物泄漏"]
    assert [d["status"] for d in city_inbox[0]["deliveries"]] == ["sent"]
    # every delivery is on the case's log
    log = [e for e in svc.show(case_id)["log"] if e["action"] == "reported_upward"]
    assert {e["data"]["to_unit"] for e in log} == {CITY, HEALTH}
    assert {tuple(e["data"]["channels"]) for e in log} == {("city",), ("health",)}


def test_the_city_sees_the_county_case_in_its_view(store: Store) -> None:
    clock = Clock()
    cfg = tree_config("http://127.0.0.1:9")
    svc = CaseService(store, cfg, clock=clock)
    clock.now = START + timedelta(hours=2)
    case_id = report(svc, "青山县医疗废物泄漏", discovered_at=START)
    quiet = svc.open_case("青山县道路积水", actor="张三", role="handler", unit=COUNTY)
    mine = svc.open_case("青山市自己的案件", actor="李四", role="handler", unit=CITY)
    view = upward.superior_view(store, cfg, frozenset({CITY, COUNTY}), CITY, clock.now)
    assert view["units"] == [COUNTY]
    rows = {c["id"]: c for c in view["cases"]}
    assert set(rows) == {case_id, quiet}  # the city's own case is not "below" it
    got = rows[case_id]
    assert (got["unit"], got["state"], got["reported_to"]) == (COUNTY, "reported",
                                                               [CITY, HEALTH])
    assert got["report_due"] == "2024-03-06T09:00:00+08:00"  # 48 h: medical waste
    assert got["reported_at"] == "2024-03-04T11:00:00+08:00"
    assert rows[quiet]["reported_at"] is None and rows[quiet]["report_due"] is None
    assert [r["kind"] for r in view["reports"]] == ["case", "case"]
    # the dual recipient is outside the tree: it sees the case reported to it, nothing else
    health = upward.superior_view(store, cfg, frozenset({HEALTH}), HEALTH, clock.now)
    assert [c["id"] for c in health["cases"]] == [case_id]
    assert [r["to_unit"] for r in health["reports"]] == [HEALTH]
    county = upward.superior_view(store, cfg, frozenset({COUNTY}), COUNTY, clock.now)
    assert county["cases"] == [] and mine not in {c["id"] for c in view["cases"]}


def test_limits_give_24_h_for_deaths_and_48_h_for_medical_waste(store: Store) -> None:
    cfg = tree_config("http://127.0.0.1:9")
    svc = CaseService(store, cfg, clock=Clock())
    died = make_item("weibo:d1", text="青山县一工地坍塌，造成1人死亡", incident={
        "category": "事故灾难", "type": "坍塌",
        "casualties": {"deaths": 1, "injured": 0, "missing": 0}})
    store.save_items([died])
    dead = svc.open_from_item("weibo:d1", actor="张三", role="handler", unit=COUNTY)
    waste = svc.open_case("医院医疗废物泄漏", actor="张三", role="handler", unit=COUNTY,
                          discovered_at=START)
    plain = svc.open_case("道路积水", actor="张三", role="handler", unit=COUNTY)

    def due(case_id: int) -> datetime | None:
        return next((d.due for d in store.cases.deadlines(case_id)
                     if d.policy == upward.REPORT_DUE), None)

    assert due(dead) == died.fetched_at + timedelta(hours=24)
    assert due(waste) == START + timedelta(hours=48)
    assert due(plain) is None
    opened = svc.show(dead)["log"][0]["data"]
    assert opened["report_limit"] == "deaths"


@pytest.mark.parametrize(("incident", "expected"), [
    ({"category": "事故灾难", "type": "火灾",
      "casualties": {"deaths": 0, "injured": 3, "missing": 0}}, "harmed"),
    ({"category": "事故灾难", "type": "火灾",
      "casualties": {"deaths": 0, "injured": 2, "missing": 5}}, "fire"),
    ({"category": "公共卫生事件", "type": "食物中毒", "casualties": {}}, None),
])
def test_the_first_matching_limit_wins(incident: dict[str, Any], expected: str | None) -> None:
    limits = [*Config().cases.reporting.limits,
              ReportLimitConfig(name="fire", hours=12, types=["火灾"])]
    found = upward.report_limit(limits, [incident], "某地发生火灾")
    assert (found.name if found else None) == expected
    assert upward.report_limit(limits, [], "医疗垃圾外泄").name == "medical_waste"  # type: ignore[union-attr]


def test_daily_and_zero_reports_are_sent_once_at_the_configured_time(store: Store) -> None:
    clock = Clock()
    with running_http_server() as server:
        cfg = tree_config(server.url, daily_at="17:00")
        store.accounts.add_unit(TOWN, COUNTY, START)  # a unit the web admin added
        svc = CaseService(store, cfg, clock=clock)
        clock.now = START + timedelta(hours=1)  # 10:00 Shanghai
        svc.open_case("青山县今日案件", actor="张三", role="handler", unit=COUNTY)
        scheduler = ReportScheduler(store, cfg, build_channels(
            cfg.alerts.channels, register_builtin_channels(channel_registry())))
        out = dispatcher(store, cfg)
        scheduler.tick(START + timedelta(hours=7, minutes=59))  # 16:59: the 3rd's reports
        sent_before = {r["from_unit"]: r for r in store.upward.find(kind="daily")}
        assert set(sent_before) == {CITY, COUNTY, HEALTH, TOWN}
        assert all(r["zero"] and r["ref"] == "2024-03-03" for r in sent_before.values())
        out.drain()
        server.requests.clear()
        scheduler.tick(START + timedelta(hours=8))  # 17:00: the 4th's reports
        out.drain()
        today = {r["from_unit"]: r for r in store.upward.find(kind="daily")
                 if r["ref"] == "2024-03-04"}
        assert {u: r["zero"] for u, r in today.items()} == {
            CITY: True, COUNTY: False, HEALTH: True, TOWN: True}
        assert today[CITY]["to_unit"] == "" and today[TOWN]["to_unit"] == COUNTY
        assert today[COUNTY]["data"]["opened"] == 1
        city = received(server, "city")
        assert sorted(m["title"] for m in city) == [f"【日报告】{COUNTY} 2024-03-04"]
        assert len(received(server, "health")) == 1  # the county's dual report
        to_county = received(server, "county")
        assert [m["title"] for m in to_county] == [f"【零报告】{TOWN} 2024-03-04"]
        # again, and after a restart (a new scheduler): nothing is sent twice
        scheduler.tick(START + timedelta(hours=9))
        ReportScheduler(store, cfg, {}).tick(START + timedelta(hours=10))
        assert out.drain() == 0
        assert len(store.upward.find(kind="daily")) == 10  # 4 units x 2 days + 2 dual


def test_the_init_template_states_the_built_in_limits() -> None:
    text = (resources.files("yuqing") / "data" / "example.toml").read_text(encoding="utf-8")
    reporting = parse_config(tomllib.loads(text)).cases.reporting
    assert reporting.limits == builtin_report_limits() and reporting.daily_at == "17:00"


def test_the_watch_loop_of_yuqing_run_sends_the_daily_reports(store_url: str) -> None:
    ctx = Context(config=tree_config("http://127.0.0.1:9", daily_at="08:30"),
                  database_url=store_url)
    try:
        watcher = Watcher(ctx, clock=lambda: START)  # 09:00 Shanghai: today's are due
        try:
            watcher.round()
            watcher.round()
        finally:
            watcher.close()
        days = [(r["from_unit"], r["ref"]) for r in ctx.store.upward.find(kind="daily")]
        assert sorted(days) == sorted([(CITY, "2024-03-04"), (COUNTY, "2024-03-04"),
                                       (COUNTY, "2024-03-04"), (HEALTH, "2024-03-04")])
    finally:
        ctx.close()


def test_two_scale_out_schedulers_send_the_daily_reports_once(store_url: str) -> None:
    # the scale-out mode has no `yuqing run`: the scheduler leading the chores sends them
    ctxs = [Context(config=tree_config("http://127.0.0.1:9", daily_at="08:30"),
                    database_url=store_url) for _ in range(2)]
    stop = threading.Event()
    threads = [threading.Thread(target=run_scheduler, args=(c, lambda name: None, stop),
                                kwargs={"clock": lambda: START}) for c in ctxs]
    try:
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(ctxs[0].store.upward.find(kind="daily")) < 4:
            assert time.monotonic() < deadline, "no daily reports from the schedulers"
            time.sleep(0.1)
        time.sleep(3 * TICK_S)  # both went on ticking: nothing more is made
    finally:
        stop.set()
        for t in threads:
            t.join()
        days = [(r["from_unit"], r["ref"]) for r in ctxs[0].store.upward.find(kind="daily")]
        for c in ctxs:
            c.close()
    assert sorted(days) == sorted([(CITY, "2024-03-04"), (COUNTY, "2024-03-04"),
                                   (COUNTY, "2024-03-04"), (HEALTH, "2024-03-04")])


def test_an_unreported_case_is_reminded_then_escalated_at_its_report_due(store: Store) -> None:
    clock = Clock()
    with running_http_server() as server:
        cfg = tree_config(server.url)
        svc = CaseService(store, cfg, clock=clock)
        late = svc.open_case("某医院医疗废物泄漏", actor="张三", role="handler", unit=COUNTY)
        on_time = report(svc, "另一处医疗废物泄漏")
        channels = build_channels(cfg.alerts.channels,
                                  register_builtin_channels(channel_registry()))
        send = Dispatcher(channels, sleep=lambda s: None)
        clock.now = START + timedelta(hours=47)  # past 80% of 48 h, before the due time
        assert sweep(svc, send)["reminded"] >= 1
        clock.now = START + timedelta(hours=48, seconds=1)
        sweep(svc, send)
    escalated = [e for e in svc.show(late)["log"] if e["action"] == "escalated"]
    assert [e["data"]["policy"] for e in escalated if "报送时限" in e["note"]] == [
        upward.REPORT_DUE]
    assert not [e for e in svc.show(on_time)["log"]
                if e["action"] in ("reminded", "escalated") and "报送时限" in e["note"]]
    titles = [json.loads(r["body"])["title"] for r in server.requests]
    assert any("已逾期" in t and "报送时限" in t and "某医院医疗废物泄漏" in t for t in titles)
