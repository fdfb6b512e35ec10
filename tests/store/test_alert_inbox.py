"""Tests of the alert reads for the web and CLI (store/alert_inbox.py through AlertsRepository)
on both backends: history with storm-held alerts, acknowledgement, the live stream's reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from yuqing.domain import Alert
from yuqing.store import Store, alert_rules
from yuqing.store.alerting_tables import alert_windows

T0 = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)


def alert(n: int, rule: str, channels: list[str], minutes: int) -> Alert:
    return Alert(rule=rule, dedup_key=f"{rule}:{n}", title=f"标题{n}", body="正文",
                 item_keys=[f"w:{n}"], created_at=T0 + timedelta(minutes=minutes),
                 level="III", channels=channels)


def test_history_marks_alerts_held_by_the_storm_cap(store: Store) -> None:
    sent = store.record_alert(alert(1, "通报", ["web"], 10))
    held = store.record_alert(alert(2, "通报", [], 20))
    before = store.record_alert(alert(3, "通报", [], -30))  # before any storm window
    no_rule = store.record_alert(alert(4, "截止提醒", [], 20))  # no stored rule
    with store.write() as conn:
        alert_rules.insert_rule(conn, {"name": "通报", "channels": ["web"]}, enabled=True,
                                origin="web", by="t", now=T0)
        conn.execute(alert_windows.insert().values(rule="通报", window_start=T0, sent=1,
                                                   held=1))
    rows = store.alerts.history(10)
    assert [r["id"] for r in rows] == [no_rule, before, held, sent]
    assert {r["id"]: r["held"] for r in rows} == {sent: None, held: "storm", before: None,
                                                  no_rule: None}
    assert rows[-1]["deliveries"][0]["channel"] == "web"
    assert rows[-1]["created_at"] == T0 + timedelta(minutes=10)
    assert [r["id"] for r in store.alerts.history(1)] == [no_rule]


def test_history_holds_nothing_for_a_rule_without_channels(store: Store) -> None:
    held = store.record_alert(alert(1, "静默", [], 5))
    with store.write() as conn:
        alert_rules.insert_rule(conn, {"name": "静默"}, enabled=True, origin="web", by="t",
                                now=T0)
        conn.execute(alert_windows.insert().values(rule="静默", window_start=T0, sent=0,
                                                   held=3))
    assert [(r["id"], r["held"]) for r in store.alerts.history(5)] == [(held, None)]


def test_acknowledge_once_and_count_the_unacknowledged(store: Store) -> None:
    first = store.record_alert(alert(1, "r", ["web"], 0))
    second = store.record_alert(alert(2, "r", ["web"], 1))
    assert first is not None and second is not None
    assert store.alerts.count_unacknowledged() == 2
    assert store.alerts.ack_state(first) == (None, None)
    assert store.alerts.acknowledge(second + 10, "张三", T0) is None
    done = store.alerts.acknowledge(first, "张三", T0)
    assert done is not None and (done.first, done.at, done.by) == (True, T0, "张三")
    again = store.alerts.acknowledge(first, "李四", T0 + timedelta(hours=1))
    assert again is not None and (again.first, again.at, again.by) == (False, T0, "张三")
    assert store.alerts.ack_state(first) == (T0, "张三")
    assert store.alerts.count_unacknowledged() == 1


def test_newest_id_and_alerts_after(store: Store) -> None:
    assert store.alerts.newest_id() == 0
    assert store.alerts.after(0) == []
    ids = [store.record_alert(alert(n, "r", [], n)) for n in range(4)]
    assert store.alerts.newest_id() == ids[-1]
    after = store.alerts.after(ids[0], limit=2)
    assert after == [{"id": ids[1], "rule": "r", "level": "III", "title": "标题1"},
                     {"id": ids[2], "rule": "r", "level": "III", "title": "标题2"}]
    with store.snapshot() as tx:
        assert tx.alerts.after(ids[-1]) == []
