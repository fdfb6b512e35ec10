"""`yuqing run`'s loop: sources polled, state saved, restart resumes without re-storing."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

from feedserver import FEEDS
from pageserver import Answer, running_page_server

from yuqing.config import parse_config
from yuqing.runtime.context import Context
from yuqing.runtime.watch import Watcher

T0 = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)


def write_items(path: Path, n: int) -> None:
    places = ["东城", "西城", "南岗", "北湖", "中山", "江北", "河西"]
    rows = [{"id": str(i), "text": f"{places[i]}区第{i}中学食堂饭菜变质，学生腹痛送医，"
                                   f"家长很愤怒，太过分了！编号{i * 7919}",
             "published_at": "2024-03-05 08:15"} for i in range(n)]
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )


def context(tmp_path: Path, url: str) -> Context:
    cfg = parse_config({
        "sources": [{"name": "exports", "kind": "file", "path": str(tmp_path / "items.jsonl"),
                     "interval": 60},
                    {"name": "down", "kind": "rss", "url": "http://127.0.0.1:9/feed.xml",
                     "interval": 60}],
        "schemes": [{"name": "学校", "subject_words": ["中学"]}],
        "alerts": {"rules": [{"name": "r", "channels": ["quiet"]}],
                   "channels": [{"name": "quiet", "kind": "console", "style": "line"}]},
    })
    return Context(config=cfg, database_url=url)


def test_round_stores_reports_health_and_resumes(tmp_path: Path, store_url: str) -> None:
    write_items(tmp_path / "items.jsonl", 5)
    clock = [T0]
    ctx = context(tmp_path, store_url)
    watcher = Watcher(ctx, clock=lambda: clock[0])
    first = watcher.round()
    assert first.stored == 5
    stored = ctx.store.iter_items(limit=10)
    should_alert = [it for it in stored if it.schemes and it.duplicate_of is None
                    and (it.is_negative or it.is_sensitive)]
    assert first.alerts == len(should_alert) == ctx.store.count_alerts()
    # the failing feed is recorded and backs off; the file source was not stopped by it
    assert watcher.health["down"].status == "failed"
    assert watcher.health["exports"].status == "ok"
    saved = {s.name: s for s in ctx.store.list_source_states()}
    assert saved["down"].health["last_error"]["message"]
    assert saved["exports"].health["items_last_hour"] == 5
    # freshness: the newest stored item was published 08:15 Beijing time, 1 h 45 min before T0
    assert saved["exports"].health["freshness_lag_s"] == 6300.0
    assert saved["exports"].health["polls_24h"] == 1
    assert saved["down"].health["failure_rate_24h"] == 1.0
    watcher.close()
    ctx.close()

    # restart: a new process on the same database, file unchanged -> nothing new
    clock[0] = T0 + timedelta(minutes=5)
    ctx2 = context(tmp_path, store_url)
    watcher2 = Watcher(ctx2, clock=lambda: clock[0])
    again = watcher2.round()
    watcher2.close()
    assert (again.stored, again.alerts) == (0, 0)
    assert ctx2.store.count_alerts() == first.alerts
    ctx2.close()


def test_run_stops_when_asked(tmp_path: Path, store_url: str) -> None:
    write_items(tmp_path / "items.jsonl", 2)
    ctx = context(tmp_path, store_url)
    stop = threading.Event()
    watcher = Watcher(ctx, on_round=lambda outcome, health: stop.set())
    total = watcher.run(stop)
    watcher.close()
    assert total.stored == 2
    ctx.close()


def test_items_of_a_fast_source_are_stored_while_a_slow_one_is_in_flight(
        tmp_path: Path, store_url: str) -> None:
    write_items(tmp_path / "items.jsonl", 3)
    seen_while_waiting: list[int] = []
    with running_page_server() as site:
        cfg = parse_config({"sources": [
            {"name": "exports", "kind": "file", "path": str(tmp_path / "items.jsonl")},
            {"name": "slow", "kind": "rss", "url": site.url("/feed.xml"), "delay": 0}]})
        ctx = Context(config=cfg, database_url=store_url)

        def slow_feed(_headers: Mapping[str, str]) -> Answer:
            # answers only once the file source's items are in the store (or after 30 s)
            deadline = time.monotonic() + 30
            while ctx.store.count_items() < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            seen_while_waiting.append(ctx.store.count_items())
            return Answer((FEEDS / "normal.xml").read_bytes())

        site.add("/feed.xml", slow_feed)
        watcher = Watcher(ctx)
        outcome = watcher.round()
        watcher.close()
        ctx.close()
    assert seen_while_waiting == [3]  # stored before the slow feed had answered
    assert outcome.stored == 5 and watcher.health["slow"].status == "ok"


def test_a_failing_source_is_told_once_until_it_recovers(tmp_path: Path, store_url: str
                                                         ) -> None:
    """`yuqing run` says when a source turns failing (cli/run.py prints it), not at every
    failed poll."""
    write_items(tmp_path / "items.jsonl", 1)
    clock = [T0]
    ctx = context(tmp_path, store_url)
    told: list[tuple[str, str | None]] = []
    watcher = Watcher(ctx, clock=lambda: clock[0],
                      on_failing=lambda name, h: told.append((name, h.last_error)))
    for minutes in (0, 30, 90, 240):  # the backoff of the failing feed is due again
        clock[0] = T0 + timedelta(minutes=minutes)
        watcher.round()
    assert watcher.health["down"].consecutive_failures >= 2
    assert [name for name, _ in told] == ["down"] and told[0][1]
    watcher.close()
    ctx.close()
