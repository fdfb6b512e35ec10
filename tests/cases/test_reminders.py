"""Tests of cases/reminders.py on both backends: reminders before a deadline and
escalation of overdue cases, sent once over a real local webhook server."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from alert_servers import running_http_server

from yuqing.alerts.channels.registry import (
    build_channels,
    channel_registry,
    register_builtin_channels,
)
from yuqing.alerts.dispatcher import Dispatcher
from yuqing.cases.reminders import recompute_provisional, sweep
from yuqing.cases.service import CaseService
from yuqing.config import parse_config
from yuqing.store import Store
from yuqing.store import cases as q

START = datetime(2024, 3, 4, 1, 0, tzinfo=UTC)  # Mon 09:00 Shanghai


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def config(url: str) -> dict[str, object]:
    return {
        "alerts": {"channels": [{"name": "duty", "kind": "webhook", "url": f"{url}/ok",
                                 "allow_internal": True},
                                {"name": "leader", "kind": "webhook", "url": f"{url}/ok?to=leader",
                                 "allow_internal": True}]},
        "deadlines": {"channels": ["duty"], "remind_at": 0.8,
                      "policies": [{"name": "first_response", "hours": 5, "met_by": "reported"}]},
        "cases": {"policies": ["first_response"],
                  "units": [{"name": "区网信办", "leader": "王主任", "channels": ["leader"]}]},
    }


def test_remind_at_80_percent_then_escalate_once_overdue(store: Store) -> None:
    clock = Clock()
    with running_http_server() as server:
        cfg = parse_config(config(server.url))
        svc = CaseService(store, cfg, clock=clock)
        dispatcher = Dispatcher(
            build_channels(cfg.alerts.channels, register_builtin_channels(channel_registry())),
            sleep=lambda s: None,
        )
        case_id = svc.open_case("燃气泄漏", actor="a", role="monitor", unit="区网信办")
        clock.now = START + timedelta(hours=3, minutes=59)  # 79.7% of 5 h
        assert sweep(svc, dispatcher)["reminded"] == 0
        clock.now = START + timedelta(hours=4)
        got = sweep(svc, dispatcher)
        assert (got["reminded"], got["escalated"], got["delivered"]) == (1, 0, 2)
        assert {r["query"] for r in server.requests} == {"", "to=leader"}
        assert "即将到期" in json.loads(server.requests[0]["body"])["title"]
        assert sweep(svc, dispatcher)["reminded"] == 0  # sent once
        clock.now = START + timedelta(hours=5, seconds=1)
        got = sweep(svc, dispatcher)
        assert (got["reminded"], got["escalated"], got["delivered"]) == (0, 1, 1)
        escalation = json.loads(server.requests[-1]["body"])
        assert server.requests[-1]["query"] == "to=leader"
        assert "王主任" in escalation["title"] and "已逾期" in escalation["title"]
        clock.now += timedelta(hours=1)
        assert sweep(svc, dispatcher)["escalated"] == 0
        assert len(server.requests) == 3
    log = svc.show(case_id)["log"]
    assert [e["action"] for e in log] == ["open", "reminded", "escalated"]
    assert log[-1]["actor"] == "yuqing" and log[-1]["data"]["policy"] == "first_response"
    assert {a.alert.rule for a in store.list_alerts()} == {"case_deadline"}


def test_met_deadlines_and_closed_cases_are_left_alone(store: Store) -> None:
    clock = Clock()
    cfg = parse_config(config("http://127.0.0.1:9"))
    svc = CaseService(store, cfg, clock=clock)
    met = svc.open_case("已报送", actor="a", role="monitor", unit="区网信办", suggested_class=1)
    dropped = svc.open_case("不予受理", actor="a", role="monitor", unit="区网信办")
    svc.move(met, "verified", actor="a", role="handler", note="核实")
    svc.move(met, "reported", actor="a", role="handler")
    svc.move(dropped, "rejected", actor="a", role="handler", note="非本地事项")
    clock.now = START + timedelta(days=2)
    got = sweep(svc, None)  # no dispatcher: nothing would be left pending either
    assert (got["reminded"], got["escalated"]) == (0, 0)
    assert svc.show(met)["deadlines"][0]["met_at"] is not None


def test_overdue_alert_left_pending_for_the_outbox_without_a_dispatcher(store: Store) -> None:
    clock = Clock()
    svc = CaseService(store, parse_config(config("http://127.0.0.1:9")), clock=clock)
    svc.open_case("逾期", actor="a", role="monitor", unit="区网信办")
    clock.now = START + timedelta(hours=6)
    got = sweep(svc, None)
    assert (got["escalated"], got["delivered"]) == (1, 0)
    pending = store.pending_deliveries()
    assert [(p.channel, p.alert.rule) for p in pending] == [("leader", "case_deadline")]


def test_provisional_deadline_is_recomputed(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = parse_config({"cases": {"policies": ["complex"]}})
    svc = CaseService(store, cfg, clock=lambda: datetime(2027, 9, 29, 2, tzinfo=UTC))
    case_id = svc.open_case("跨年", actor="a", role="monitor", unit="u")
    row = svc.show(case_id)["deadlines"][0]
    assert row["provisional"] is True and row["due"] == "2027-10-08T00:00:00+08:00"
    # a newer calendar brings 2027 (a made-up schedule: National Day break 1–7 Oct)
    import chinese_calendar

    official = chinese_calendar.is_workday

    def with_2027(day: date) -> bool:
        if day.year != 2027:
            return bool(official(day))
        return day.weekday() < 5 and not (day.month == 10 and day.day <= 7)

    monkeypatch.setattr(chinese_calendar, "is_workday", with_2027)
    svc.calendar.known_years = svc.calendar.known_years | {2027}
    assert recompute_provisional(svc) == 1
    with store.read() as conn:
        (after,) = q.case_deadline_rows(conn, case_id)
    assert after["provisional"] is False
    # 30 Sep, then 8, 11, 12, 13 Oct: due at the end of Wed 13 Oct
    assert after["due"] == datetime(2027, 10, 13, 16, tzinfo=UTC)
