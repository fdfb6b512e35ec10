"""F15 (docs/FIELD_CASES.md): floods after restart and with two workers.

A rule fired for event E at 10:00. The service restarts at 10:05 with E
unchanged; two workers run; event F appears while the service is down
(10:10) and it comes back at 10:15. Expected: E is not sent again; F is
sent exactly once at 10:15 by one worker; identical alerts per rule and
window are capped and summarised. On a REAL store (SQLite file and
PostgreSQL, each worker with its own connection pool) and a REAL receiver.
"""

from __future__ import annotations

import json
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "alerts"))

from alert_servers import HttpServer, running_http_server  # noqa: E402
from alerts_helpers import make_item  # noqa: E402

from yuqing.alerts.channels.webhook import WebhookChannel  # noqa: E402
from yuqing.alerts.outbox import OutboxDispatcher  # noqa: E402
from yuqing.alerts.policy import AlertPolicy  # noqa: E402
from yuqing.alerts.rules import MatchRule  # noqa: E402
from yuqing.config import RuleConfig  # noqa: E402
from yuqing.domain import Item  # noqa: E402
from yuqing.store import Store, open_store  # noqa: E402


def beijing(hh: int, mm: int) -> datetime:
    return datetime(2024, 3, 5, hh - 8, mm, tzinfo=UTC)


@pytest.fixture
def http_server() -> Iterator[HttpServer]:
    with running_http_server() as server:
        yield server


class Worker:
    """One worker process's objects: own store connections, rule, policy and dispatcher."""

    def __init__(self, url: str, server: HttpServer, now: datetime) -> None:
        self.store = open_store(url)
        self.rule = MatchRule(RuleConfig(name="燃气", channels=["hook"], max_per_window=3,
                                         window=600), clock=lambda: now)
        self.policy = AlertPolicy([self.rule], "https://yq.example.cn")
        hook = WebhookChannel("hook", server.url + "/ok", allow_internal=True)
        self.dispatcher = OutboxDispatcher(self.store, {"hook": hook}, clock=lambda: now)

    def process(self, items: list[Item]) -> None:
        with self.store.transaction() as tx:
            self.policy.record(tx, self.rule, self.rule.stories(items), self.rule.clock())

    def close(self) -> None:
        self.store.close()


def event(name: str, n: int) -> list[Item]:
    return [make_item(f"weibo:{name}{i}", event_id=name) for i in range(n)]


def sent(server: HttpServer) -> Counter[str]:
    return Counter(json.loads(r["body"])["dedup_key"] for r in server.requests)


def run_both(workers: list[Worker], items: list[Item]) -> None:
    """Both workers alert on the same stored batch at once (the pipeline stored it before)."""
    workers[0].store.save_items(items)
    threads = [threading.Thread(target=lambda w=w: (w.process(items), w.dispatcher.drain()))
               for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)


def test_restart_two_workers_event_while_down(store: Store, store_url: str,
                                              http_server: HttpServer) -> None:
    first = Worker(store_url, http_server, beijing(10, 0))
    first.store.save_items(event("E", 2))
    first.process(event("E", 2))
    first.dispatcher.drain()
    first.close()  # the service stops (10:05 restart with E unchanged)
    assert sent(http_server) == Counter({"燃气:event:E": 1})

    workers = [Worker(store_url, http_server, beijing(10, 15)) for _ in range(2)]
    try:
        run_both(workers, event("E", 2) + event("F", 3))  # both workers see the same batch
        assert sent(http_server) == Counter({"燃气:event:E": 1, "燃气:event:F": 1})

        flood = [make_item(f"weibo:x{i}") for i in range(8)]  # identical alerts, one window
        run_both(workers, flood)
    finally:
        for w in workers:
            w.close()
    got = sent(http_server)
    assert set(got.values()) == {1}  # nothing twice
    storm = [k for k in got if ":storm:" in k]
    assert len(storm) == 1
    # cap 3 per 10-minute window: 10:10-10:20 holds F and two of the flood
    assert sum(1 for k in got if k.startswith("燃气:weibo:x")) == 2
    assert store.count_alerts() == 2 + 8 + 1  # held alerts are kept, not dropped
