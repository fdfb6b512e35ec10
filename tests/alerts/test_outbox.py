"""Tests of alerts/outbox.py on a REAL store (SQLite and PostgreSQL) and REAL local receivers."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from alert_servers import HttpServer
from alerts_helpers import make_alert, make_item
from alerts_helpers import outbox_history as history

from yuqing.alerts.ack import AckSigner
from yuqing.alerts.channels.base import Channel
from yuqing.alerts.channels.webhook import WebhookChannel
from yuqing.alerts.channels.wecom import WeComChannel
from yuqing.alerts.outbox import INTERRUPTED, OutboxDispatcher
from yuqing.alerts.policy import AlertPolicy
from yuqing.alerts.rules import MatchRule
from yuqing.config import RuleConfig
from yuqing.store import Store, alert_state, open_store
from yuqing.store import alerts as outbox

T0 = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)


def hook(server: HttpServer, path: str = "/ok", name: str = "hook") -> WebhookChannel:
    return WebhookChannel(name, server.url + path, allow_internal=True, timeout=5)


def record(
    store: Store, n: int, channels: tuple[str, ...] = ("hook",), rule: str = "燃气"
) -> list[int]:
    ids = []
    for i in range(n):
        alert = make_alert(i, channels=channels)
        alert.rule = rule
        ids.append(store.record_alert(alert))
    return [i for i in ids if i is not None]


def test_sends_once_and_records_the_attempt(store: Store, http_server: HttpServer) -> None:
    record(store, 3)
    dispatcher = OutboxDispatcher(store, {"hook": hook(http_server)})
    assert dispatcher.drain() == 3
    assert dispatcher.drain() == 0
    keys = [r["headers"]["Idempotency-Key"] for r in http_server.requests]
    assert len(keys) == len(set(keys)) == 3
    assert list(history(store).values()) == [[("hook", "sent", 1, ["sent"])]] * 3


def test_two_dispatchers_never_send_the_same_delivery(store_url: str,
                                                      http_server: HttpServer) -> None:
    with open_store(store_url) as first, open_store(store_url) as second:
        record(first, 24)
        workers = [OutboxDispatcher(s, {"hook": hook(http_server, "/pause/ok")}, batch=3)
                   for s in (first, second, first)]
        threads = [threading.Thread(target=w.drain) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        keys = Counter(r["headers"]["Idempotency-Key"] for r in http_server.requests)
        assert len(keys) == 24 and set(keys.values()) == {1}


def test_retry_waits_for_backoff_then_sends(store: Store, http_server: HttpServer) -> None:
    record(store, 1)
    now = [T0]
    d = OutboxDispatcher(store, {"hook": hook(http_server, "/flaky")}, backoff=(30,),
                         clock=lambda: now[0])
    assert d.drain() == 1  # 500, held 30 s
    assert d.drain() == 0 and http_server.hits == {"/flaky": 1}
    now[0] = T0 + timedelta(seconds=31)
    assert d.drain() == 1
    assert history(store)["燃气:weibo:0"] == [("hook", "sent", 2, ["retry", "sent"])]


def test_configuration_error_is_not_retried_and_falls_back(store: Store,
                                                           http_server: HttpServer) -> None:
    rule = MatchRule(RuleConfig(name="燃气", channels=["bad"], fallback=["sms", "mail"]))
    record(store, 1, channels=("bad",))
    channels: dict[str, Channel] = {"bad": hook(http_server, "/bad", "bad"),
                                    "sms": hook(http_server, "/bad", "sms"),
                                    "mail": hook(http_server, "/ok", "mail")}
    OutboxDispatcher(store, channels, rules=[rule], max_attempts=5).drain()
    assert history(store)["燃气:weibo:0"] == [
        ("bad", "failed", 1, ["failed"]), ("mail", "sent", 1, ["sent"]),
        ("sms", "failed", 1, ["failed"])]


def interrupted_claim(store: Store, when: datetime) -> None:
    """A dispatcher that claimed everything, started its sends, and died (no finish)."""
    with store.write() as conn:
        claimed = outbox.claim_deliveries(conn, "dead:1:x", when, when + timedelta(seconds=5), 100)
        outbox.start_attempts(conn, "dead:1:x", claimed, when)


def test_interrupted_send_resent_only_over_idempotent_channels(
        store: Store, http_server: HttpServer) -> None:
    record(store, 1, channels=("hook", "wx"))
    interrupted_claim(store, T0)
    channels: dict[str, Channel] = {
        "hook": hook(http_server),
        "wx": WeComChannel("wx", http_server.url + "/wecom", allow_internal=True)}
    early = OutboxDispatcher(store, channels, clock=lambda: T0 + timedelta(seconds=4))
    assert early.drain() == 0  # the lease still holds
    late = OutboxDispatcher(store, channels, clock=lambda: T0 + timedelta(seconds=6))
    assert late.drain() == 2
    assert http_server.hits == {"/ok": 1}  # the robot is not sent twice
    assert history(store)["燃气:weibo:0"] == [
        ("hook", "sent", 1, ["interrupted", "sent"]), ("wx", "failed", 1, ["interrupted"])]
    with store.read() as conn:
        [row] = outbox.alert_history(conn, 1)
    assert row["deliveries"][1]["last_error"] == INTERRUPTED


def test_escalation_until_acknowledged(store: Store, http_server: HttpServer) -> None:
    rule = MatchRule(RuleConfig(name="燃气", channels=["hook"], escalation=["boss", "chief"],
                                ack_timeout=60))
    first, second = record(store, 2)
    with store.write() as conn:
        for alert_id in (first, second):
            alert_state.start_escalation(conn, alert_id, T0 + timedelta(seconds=60))
        assert alert_state.acknowledge(conn, second, "值班员", T0)
        assert not alert_state.acknowledge(conn, second, "值班员", T0)
    channels: dict[str, Channel] = {
        n: hook(http_server, "/ok", n) for n in ("hook", "boss", "chief")
    }
    now = [T0 + timedelta(seconds=61)]
    d = OutboxDispatcher(store, channels, rules=[rule], clock=lambda: now[0],
                         signer=AckSigner("k", "https://yq.example.cn", clock=lambda: 1.7e9))
    d.drain()
    now[0] += timedelta(seconds=61)
    d.drain()
    now[0] += timedelta(seconds=600)
    d.drain()
    got = history(store)
    assert [c for c, *_ in got["燃气:weibo:0"]] == ["boss", "chief", "hook"]
    assert [c for c, *_ in got["燃气:weibo:1"]] == ["hook"]
    bodies = [r["body"].decode() for r in http_server.requests]
    token = AckSigner("k", "", clock=lambda: 1.7e9).token(first)
    link = f"https://yq.example.cn/api/alerts/{first}/ack?token={token}"
    assert all(("确认收到" in b) for b in bodies) and any(link in b for b in bodies)


def test_background_thread_delivers_after_notify(store: Store, http_server: HttpServer) -> None:
    d = OutboxDispatcher(store, {"hook": hook(http_server)}, poll_s=5)
    d.start()
    try:
        record(store, 1)
        d.notify()
        for _ in range(100):
            if http_server.requests:
                break
            threading.Event().wait(0.02)
        assert len(http_server.requests) == 1
    finally:
        d.stop()
    assert not d.running


def test_an_alert_sent_in_parts_is_one_attempt(store: Store, http_server: HttpServer) -> None:
    alert = make_alert(1, channels=("wx",))
    alert.body = "\n".join(
        f"第{n}条：燃气管道泄漏，居民十分愤怒，物业电话一直打不通" for n in range(120)
    )
    store.record_alert(alert)
    wx = WeComChannel("wx", http_server.url + "/wecom", allow_internal=True, rate_per_minute=0)
    assert OutboxDispatcher(store, {"wx": wx}).drain() == 1
    parts = len(http_server.requests)
    assert parts > 1 and http_server.hits == {"/wecom": parts}  # every part accepted
    assert history(store)["燃气:weibo:1"] == [("wx", "sent", 1, ["sent"])]


def test_quiet_hours_hold_escalation_steps_too(store: Store, http_server: HttpServer) -> None:
    night = datetime(2024, 3, 5, 15, 0, tzinfo=UTC)  # 23:00 Beijing, quiet until 07:00
    morning = datetime(2024, 3, 5, 23, 0, tzinfo=UTC)
    rules = {level: MatchRule(RuleConfig(
        name=f"燃气{level}", channels=["hook"], escalation=["boss"], ack_timeout=60,
        quiet_hours="22:00-07:00", level=level)) for level in ("IV", "II")}
    policy = AlertPolicy(list(rules.values()), "https://yq.example.cn")
    store.save_items([make_item("weibo:q1"), make_item("weibo:q2")])
    with store.transaction() as tx:
        for level, key in (("IV", "weibo:q1"), ("II", "weibo:q2")):
            r = rules[level]
            policy.record(tx, r, r.stories([make_item(key)]), night)
    # a level-III alert sent before the quiet hours hold (recorded past the policy) whose
    # escalation falls due inside them
    [armed] = record(store, 1, rule="燃气IV")
    with store.write() as conn:
        alert_state.start_escalation(conn, armed, night + timedelta(seconds=60))
    now = [night + timedelta(seconds=61)]
    channels: dict[str, Channel] = {n: hook(http_server, "/ok", n) for n in ("hook", "boss")}
    d = OutboxDispatcher(store, channels, rules=list(rules.values()), clock=lambda: now[0])
    for _ in range(2):  # past ack_timeout in the night: only the override level goes out
        d.drain()
        now[0] += timedelta(seconds=3600)
    sent = {k: [c for c, s, *_ in v if s == "sent"] for k, v in history(store).items()}
    assert sent == {"燃气IV:weibo:q1": [], "燃气II:weibo:q2": ["boss", "hook"],
                    "燃气:weibo:0": ["hook"]}
    now[0] = morning  # quiet hours end: first deliveries; the step held since the night
    d.drain()
    sent = {k: [c for c, s, *_ in v if s == "sent"] for k, v in history(store).items()}
    assert sent["燃气IV:weibo:q1"] == ["hook"] and sent["燃气:weibo:0"] == ["boss", "hook"]
    now[0] = morning + timedelta(seconds=61)  # ack_timeout after the first delivery went out
    d.drain()
    assert [c for c, s, *_ in history(store)["燃气IV:weibo:q1"] if s == "sent"] == ["boss", "hook"]
