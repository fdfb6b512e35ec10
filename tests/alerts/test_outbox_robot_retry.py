"""Retries of robot deliveries through the outbox, on a REAL store (SQLite and PostgreSQL)
and a REAL local WeCom-like robot (alert_servers.py).

- An alert split into numbered parts whose part 2 fails (HTTP 500, or HTTP 200 with a
  busy errcode) is retried from part 2: the robot accepts every part exactly once, also
  when the retry is made by another dispatcher on another connection (a restart).
- A message our own rate limiter holds back is deferred until the limiter allows it:
  no attempt is recorded for the hold and the retry budget is untouched, while the
  robot's own rate-limit refusal (errcode 45009) is an attempt with backoff.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alert_servers import HttpServer, wecom_content
from alerts_helpers import make_alert
from alerts_helpers import outbox_history as history

from yuqing.alerts.channels.robot import RateLimit
from yuqing.alerts.channels.wecom import WeComChannel
from yuqing.alerts.outbox import OutboxDispatcher
from yuqing.domain import Alert
from yuqing.store import Store, open_store
from yuqing.store import alerts as outbox

T0 = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)
MARK = re.compile(r"^\((\d+)/(\d+)\)$", re.M)


def accepted(server: HttpServer) -> list[str]:
    """The markdown of every message the robot accepted (errcode 0), in order."""
    return [wecom_content(r["body"]) for r in server.requests
            if r["status"] == 200 and r["answer"].startswith(b'{"errcode":0')]


def part_marks(contents: list[str]) -> list[tuple[int, int]]:
    return [(int(m[1]), int(m[2])) for c in contents for m in MARK.finditer(c)]


def long_alert(n: int = 1) -> Alert:
    """Alert ``n`` to ``wx`` with a body of about 11 KB (three WeCom messages)."""
    alert = make_alert(n, channels=("wx",))
    alert.body = "\n".join(
        f"第{k}条：燃气管道泄漏，居民十分愤怒，物业电话一直打不通" for k in range(120)
    )
    return alert


def wecom(server: HttpServer, path: str, **kw: Any) -> WeComChannel:
    return WeComChannel("wx", server.url + path, allow_internal=True, **kw)


@pytest.mark.parametrize("path", ["/wecom-part2-500", "/wecom-part2-busy"])
def test_retry_of_a_split_alert_sends_only_the_parts_not_accepted(
        path: str, store: Store, store_url: str, http_server: HttpServer) -> None:
    store.record_alert(long_alert())
    first = OutboxDispatcher(store, {"wx": wecom(http_server, path, rate_per_minute=0)},
                             backoff=(30,), clock=lambda: T0)
    assert first.drain() == 1  # part 1 accepted, part 2 refused: held 30 s
    assert part_marks(accepted(http_server))[0][0] == 1
    parts = part_marks(accepted(http_server))[0][1]
    assert parts >= 3 and len(http_server.requests) == 2
    # another dispatcher, on its own connection, retries after the backoff
    with open_store(store_url) as again:
        second = OutboxDispatcher(again, {"wx": wecom(http_server, path, rate_per_minute=0)},
                                  backoff=(30,), clock=lambda: T0 + timedelta(seconds=31))
        assert second.drain() == 1
    marks = part_marks(accepted(http_server))
    assert Counter(marks) == Counter((k, parts) for k in range(1, parts + 1))  # each part once
    assert (
        part_marks([wecom_content(r["body"]) for r in http_server.requests]).count((1, parts)) == 1
    )
    assert history(store)["燃气:weibo:1"] == [("wx", "sent", 2, ["retry", "sent"])]
    with store.read() as conn:
        [row] = outbox.alert_history(conn, 1)
    assert row["deliveries"][0]["tries"][0]["error"].endswith("parts 1-1 were delivered")


def test_local_rate_limit_defers_without_spending_attempts(store: Store,
                                                           http_server: HttpServer) -> None:
    for n in (1, 2, 3):
        store.record_alert(make_alert(n, channels=("wx",)))
    now = [T0]
    wx = wecom(http_server, "/wecom", max_bytes=300)  # one message per alert
    wx.limit = RateLimit(1, clock=lambda: (now[0] - T0).total_seconds())
    d = OutboxDispatcher(store, {"wx": wx}, max_attempts=1, clock=lambda: now[0])
    assert d.drain() == 3  # alert 1 sent, 2 and 3 held by our own limiter
    assert len(http_server.requests) == 1
    got = history(store)
    assert got["燃气:weibo:2"] == got["燃气:weibo:3"] == [("wx", "pending", 0, [])]
    now[0] = T0 + timedelta(seconds=59)
    assert d.drain() == 0 and len(http_server.requests) == 1  # not due before the limiter allows
    now[0] = T0 + timedelta(seconds=61)
    d.drain()
    now[0] = T0 + timedelta(seconds=122)
    d.drain()
    got = history(store)
    assert [got[f"燃气:weibo:{n}"] for n in (1, 2, 3)] == [[("wx", "sent", 1, ["sent"])]] * 3
    titles = Counter(line for c in accepted(http_server) for line in c.splitlines()
                     if line.startswith("### "))
    assert titles == Counter(f"### {make_alert(n).title}" for n in (1, 2, 3))


def test_robot_rate_limit_refusal_is_an_attempt_with_backoff(store: Store,
                                                             http_server: HttpServer) -> None:
    store.record_alert(make_alert(1, channels=("wx",)))
    now = [T0]
    d = OutboxDispatcher(store, {"wx": wecom(http_server, "/wecom-freq", rate_per_minute=0)},
                         backoff=(30,), clock=lambda: now[0])
    assert d.drain() == 1  # errcode 45009
    assert history(store)["燃气:weibo:1"] == [("wx", "pending", 1, ["retry"])]
    now[0] = T0 + timedelta(seconds=29)
    assert d.drain() == 0
    now[0] = T0 + timedelta(seconds=31)
    assert d.drain() == 1
    assert history(store)["燃气:weibo:1"] == [("wx", "sent", 2, ["retry", "sent"])]
    assert len(accepted(http_server)) == 1


def test_split_alert_longer_than_the_local_limit_goes_out_over_minutes(
        store: Store, http_server: HttpServer) -> None:
    store.record_alert(long_alert())
    now = [T0]
    wx = wecom(http_server, "/wecom", max_bytes=1500)
    wx.limit = RateLimit(2, clock=lambda: (now[0] - T0).total_seconds())
    d = OutboxDispatcher(store, {"wx": wx}, max_attempts=1, clock=lambda: now[0])
    d.drain()  # parts 1 and 2 go out, the rest waits for the limiter
    first = part_marks(accepted(http_server))
    parts = first[0][1]
    assert first == [(1, parts), (2, parts)] and parts >= 5
    assert history(store)["燃气:weibo:1"] == [("wx", "pending", 0, ["deferred"])]
    for minute in range(1, parts):
        now[0] = T0 + timedelta(seconds=60 * minute + 1)
        d.drain()
    assert part_marks(accepted(http_server)) == [(k, parts) for k in range(1, parts + 1)]
    assert len(http_server.requests) == parts  # nothing refused, nothing repeated
    [(channel, status, attempts, tries)] = history(store)["燃气:weibo:1"]
    assert (status, attempts, tries[-1]) == ("sent", 1, "sent")
    assert set(tries[:-1]) == {"deferred"}
