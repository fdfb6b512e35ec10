"""Tests of alerts/policy.py on a REAL store: stories, re-alerts, storm cap, quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from alerts_helpers import make_item

from yuqing.alerts.policy import AlertPolicy, parse_quiet_hours, quiet_until, window_start
from yuqing.alerts.rules import MatchRule
from yuqing.config import RuleConfig
from yuqing.domain import BadInput, Item
from yuqing.store import Store
from yuqing.store import alerts as outbox

T0 = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)  # 10:00 Beijing


def rule(**kw: Any) -> MatchRule:
    return MatchRule(RuleConfig(**{"name": "燃气", "channels": ["hook"], **kw}))


def event_items(event: str, n: int, start: int = 0, **extra: Any) -> list[Item]:
    items = [make_item(f"weibo:{event}{i}", event_id=event) for i in range(start, start + n)]
    for it in items:
        it.extra.update(extra)
    return items


def run(store: Store, r: MatchRule, items: list[Item], now: datetime) -> list[int]:
    store.save_items(items)  # as the pipeline does before alerting
    with store.transaction() as tx:
        return AlertPolicy([r], "https://yq.example.cn").record(tx, r, r.stories(items), now)


def alerts(store: Store) -> list[dict[str, Any]]:
    with store.read() as conn:
        return list(reversed(outbox.alert_history(conn, 100)))


def test_one_alert_per_event_then_updates_on_growth_after_the_window(store: Store) -> None:
    r = rule(window=600)
    assert len(run(store, r, event_items("E", 3), T0)) == 1
    assert run(store, r, event_items("E", 2, 3), T0 + timedelta(seconds=700)) == []  # 5 < 2*3
    assert run(store, r, event_items("E", 1, 5), T0 + timedelta(seconds=100)) == []  # window
    assert len(run(store, r, event_items("E", 1, 6), T0 + timedelta(seconds=800))) == 1  # 7 >= 6
    got = alerts(store)
    assert [a["dedup_key"] for a in got] == ["燃气:event:E", "燃气:event:E:u1"]
    assert got[0]["items"] == ["weibo:E0", "weibo:E1", "weibo:E2"]
    assert got[1]["body"].startswith("更新：事件已达 7 条，级别 IV")


def test_graver_level_updates_without_doubling(store: Store) -> None:
    r = rule(window=60)
    run(store, r, event_items("E", 4, event_level="III"), T0)
    [_] = run(store, r, event_items("E", 1, 4, event_level="II"), T0 + timedelta(seconds=61))
    assert [a["level"] for a in alerts(store)] == ["III", "II"]


def test_items_seen_again_do_not_grow_the_event(store: Store) -> None:
    r = rule(window=60)
    run(store, r, event_items("E", 2), T0)
    for minutes in (2, 4, 6):
        assert run(store, r, event_items("E", 2), T0 + timedelta(minutes=minutes)) == []


def test_event_level_and_size_come_from_the_stored_event(store: Store) -> None:
    from yuqing.store.events_tables import events

    with store.write() as conn:
        conn.execute(events.insert().values(
            id="E", title="t", rep_key="weibo:E0", origin_key="weibo:E0", first_at=T0,
            last_at=T0, size=40, heat=1.0, level="II", keywords=[], terms={}, state={},
            updated_at=T0))
    items = event_items("E", 2) + [make_item("weibo:solo")]
    AlertPolicy.annotate(store, items)
    assert [(it.extra.get("event_size"), it.extra.get("event_level")) for it in items] == [
        (40, "II"), (40, "II"), (None, None)]
    [story] = rule(min_level="II").stories(items)
    assert (story.key, story.level, story.size) == ("event:E", "II", 40)


def test_no_realert_when_the_rule_says_so(store: Store) -> None:
    r = rule(window=60, realert=False)
    run(store, r, event_items("E", 1), T0)
    assert run(store, r, event_items("E", 9, 1), T0 + timedelta(hours=1)) == []


def test_storm_cap_holds_the_rest_and_sends_one_summary(store: Store) -> None:
    r = rule(window=600, max_per_window=2)
    items = [make_item(f"weibo:{i}") for i in range(5)]
    run(store, r, items[:3], T0)
    run(store, r, items[3:], T0 + timedelta(seconds=30))
    got = alerts(store)
    summary = [a for a in got if ":storm:" in a["dedup_key"]]
    assert len(got) == 6 and len(summary) == 1
    assert "https://yq.example.cn/alerts?rule=%E7%87%83%E6%B0%94" in summary[0]["body"]
    sent = [a["dedup_key"] for a in got if a["deliveries"]]
    assert sent == ["燃气:weibo:0", "燃气:weibo:1", summary[0]["dedup_key"]]
    # the next window lets alerts through again
    assert len(run(store, r, [make_item("weibo:9")], T0 + timedelta(seconds=600))) == 1


def test_quiet_hours_hold_all_but_grave_levels(store: Store) -> None:
    night = datetime(2024, 3, 5, 15, 0, tzinfo=UTC)  # 23:00 Beijing
    quiet = rule(quiet_hours="22:00-07:00")
    run(store, quiet, [make_item("weibo:1")], night)
    grave = rule(quiet_hours="22:00-07:00", level="II", name="重大")
    run(store, grave, [make_item("weibo:2")], night)
    with store.write() as conn:
        free = outbox.claim_deliveries(conn, "t", night, night + timedelta(days=1), 10)
        assert [c.alert.dedup_key for c in free] == ["重大:weibo:2"]
        morning = datetime(2024, 3, 5, 23, 0, tzinfo=UTC)  # 07:00 Beijing
        later = outbox.claim_deliveries(conn, "t", morning, morning + timedelta(seconds=60), 10)
        assert [c.alert.dedup_key for c in later] == ["燃气:weibo:1"]


@pytest.mark.parametrize(("local", "until"), [
    ("2024-03-05T23:00", "2024-03-06T07:00"), ("2024-03-06T03:00", "2024-03-06T07:00"),
    ("2024-03-06T07:00", None), ("2024-03-06T12:00", None),
])
def test_quiet_until_wraps_midnight_in_the_office_zone(local: str, until: str | None) -> None:
    from zoneinfo import ZoneInfo
    zone = ZoneInfo("Asia/Shanghai")
    now = datetime.fromisoformat(local).replace(tzinfo=zone)
    got = quiet_until(now, (time(22), time(7)), "Asia/Shanghai")
    assert got == (None if until is None else datetime.fromisoformat(until).replace(tzinfo=zone))


def test_quiet_hours_spec_errors() -> None:
    assert parse_quiet_hours("08:30-12:00", "r") == (time(8, 30), time(12))
    # what a Chinese input method types: full-width colons and dashes, a wave dash
    for typed in ("22：00－07：00", "22:00～07:00", "22:00 — 07:00"):
        assert parse_quiet_hours(typed, "r") == (time(22), time(7))
    with pytest.raises(BadInput, match="r: quiet_hours '22-7'"):
        parse_quiet_hours("22-7", "r")


def test_windows_align_to_multiples_of_their_length() -> None:
    assert window_start(T0 + timedelta(seconds=599), 600) == T0
    assert window_start(T0 + timedelta(seconds=600), 600) == T0 + timedelta(seconds=600)
