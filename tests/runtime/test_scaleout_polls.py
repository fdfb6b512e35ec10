"""Polls in the scale-out mode (runtime/scaleout_polls.py, store/scaleout.py leases): each
source is queued once, polled by one worker at a time, and polled again after a worker
died holding it. On both backends; the broker is a list here (the Celery side is in
test_celery_app.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pageserver import running_page_server
from sqlalchemy import create_engine, make_url, text

from yuqing.config import parse_config
from yuqing.runtime.context import Context
from yuqing.runtime.scaleout_polls import (
    LEASE_TTL,
    QUEUE_TTL,
    next_due,
    poll_source,
    schedule_round,
)
from yuqing.store import Store, open_store
from yuqing.store.scaleout import LEADER_CLASS

T0 = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)


def context(tmp_path: Path, url: str) -> Context:
    rows = [{"id": str(i), "text": f"第{i}中学食堂饭菜变质，学生腹痛送医，编号{i * 7919}",
             "published_at": "2024-03-05 08:15"} for i in range(4)]
    (tmp_path / "items.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    cfg = parse_config({"sources": [
        {"name": "exports", "kind": "file", "path": str(tmp_path / "items.jsonl"),
         "interval": 60},
        {"name": "off", "kind": "file", "path": str(tmp_path / "none.jsonl"), "enabled": False},
    ]})
    return Context(config=cfg, database_url=url)


def test_leases_are_exclusive_and_expire(store: Store) -> None:
    shared = store.shared
    assert shared.mark_queued(["a", "b"], T0, QUEUE_TTL) == ["a", "b"]
    assert shared.mark_queued(["a", "b"], T0 + timedelta(seconds=5), QUEUE_TTL) == []
    assert shared.claim_source("a", "w1", T0, LEASE_TTL)
    assert not shared.claim_source("a", "w2", T0 + timedelta(seconds=1), LEASE_TTL)
    assert shared.mark_queued(["a"], T0 + LEASE_TTL / 2, QUEUE_TTL) == []  # being polled
    later = T0 + LEASE_TTL + timedelta(seconds=1)  # w1 died: its lease expired
    assert shared.claim_source("a", "w2", later, LEASE_TTL)
    shared.release_source("a", "w1")  # not w1's any more: no effect
    assert shared.leases()["a"][0] == "w2"
    shared.release_source("a", "w2")
    assert shared.leases()["a"][:2] == (None, None)
    assert shared.claim_source("a", "w3", later, LEASE_TTL)


def test_one_process_leads_a_chore_and_another_takes_over(store_url: str) -> None:
    first, second = open_store(store_url), open_store(store_url)
    a, b = first.shared.leader("chores"), second.shared.leader("chores")
    try:
        assert a.leading() and a.leading()
        if not store_url.startswith("postgresql"):
            assert b.leading()  # SQLite: one process, always the leader
            return
        assert not b.leading() and not b.leading()
        assert second.shared.leader("other chore").leading()  # one lock per chore
        a.close()  # the leader stops: the next to ask leads
        assert b.leading() and not a.leading()
        with create_engine(make_url(store_url).set(query={}),
                           isolation_level="AUTOCOMMIT").connect() as admin:
            # the leader's connection dies (the lock with it): another takes over
            admin.execute(text("SELECT pg_terminate_backend(pid) FROM pg_locks "
                               "WHERE locktype = 'advisory' AND classid = :c AND granted"),
                          {"c": LEADER_CLASS})
        assert a.leading()
        assert not b.leading()
    finally:
        a.close()
        b.close()
        first.close()
        second.close()


def test_a_due_source_is_queued_once_polled_once_and_not_skipped(tmp_path: Path,
                                                                  store_url: str) -> None:
    ctx = context(tmp_path, store_url)
    queued: list[str] = []
    assert schedule_round(ctx, queued.append, T0) == ["exports"]  # "off" is disabled
    assert schedule_round(ctx, queued.append, T0 + timedelta(seconds=1)) == []

    # a second worker while the first polls: nothing; the first stores the items
    assert ctx.store.shared.claim_source("exports", "other", T0, LEASE_TTL)
    assert poll_source(ctx, "exports", holder="w1", clock=lambda: T0).read == 0
    ctx.store.shared.release_source("exports", "other")
    assert poll_source(ctx, "exports", holder="w1", clock=lambda: T0).stored == 4
    # the same poll delivered again: not due any more, nothing fetched
    assert poll_source(ctx, "exports", holder="w2", clock=lambda: T0).read == 0
    assert schedule_round(ctx, queued.append, T0 + timedelta(seconds=30)) == []
    # due again one interval later
    assert schedule_round(ctx, queued.append, T0 + timedelta(seconds=61)) == ["exports"]

    # the worker of that poll dies holding the lease: queued again once it expires
    died = T0 + timedelta(seconds=62)
    ctx.store.shared.claim_source("exports", "dead", died, LEASE_TTL)
    assert schedule_round(ctx, queued.append, died + LEASE_TTL / 2) == []
    assert schedule_round(ctx, queued.append, died + LEASE_TTL * 1.1) == ["exports"]
    assert ctx.store.count_items() == 4
    ctx.close()


def test_a_failing_source_backs_off_across_workers(tmp_path: Path, store_url: str) -> None:
    # each poll may run on another worker: the failure count travels in the store
    cfg = parse_config({"sources": [{"name": "feed", "kind": "rss", "interval": 60,
                                     "url": "http://127.0.0.1:9/feed.xml"}]})
    ctx = Context(config=cfg, database_url=store_url)
    now, waits = T0, []
    for worker in ("w1", "w2", "w3"):
        poll_source(ctx, "feed", holder=worker, clock=lambda at=now: at)
        due = next_due(ctx.store.load_source_state("feed"))
        assert due is not None
        waits.append((due - now).total_seconds())
        now = due
    ctx.close()
    assert waits[0] < waits[1] < waits[2]  # 60 s x 2^failures, with jitter


def test_a_source_added_in_the_browser_is_polled_by_a_running_worker(tmp_path: Path,
                                                                      store_url: str) -> None:
    worker, web = context(tmp_path, store_url), context(tmp_path, store_url)
    worker.live.refresh_s = 0.0  # the worker started before the edit
    (tmp_path / "more.jsonl").write_text(json.dumps(
        {"id": "m1", "text": "青山县城关镇一处仓库起火，消防正在扑救",
         "published_at": "2024-03-05 08:15"},
        ensure_ascii=False) + "\n", encoding="utf-8")
    doc = {**web.live.doc, "sources": [*web.live.doc["sources"], {
        "name": "more", "kind": "file", "path": str(tmp_path / "more.jsonl"), "interval": 60}]}
    web.live.save(doc, actor="admin", note="add a source")
    assert schedule_round(web, lambda name: None, T0) == ["exports", "more"]
    assert poll_source(worker, "more", holder="w1", clock=lambda: T0).stored == 1
    worker.close()
    web.close()


def test_a_worker_keeps_its_robots_answers_from_poll_to_poll(tmp_path: Path,
                                                             store_url: str) -> None:
    feed = ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t"
            "</title><item><title>青山县通报</title><link>http://x.cn/1</link>"
            "<description>青山县城关镇发生火情</description></item></channel></rss>")
    with running_page_server() as site:
        site.add("/robots.txt", "User-agent: *\nAllow: /\n")
        site.add("/feed.xml", feed, headers={"Content-Type": "application/rss+xml"})
        cfg = parse_config({"sources": [{"name": "feed", "kind": "rss", "interval": 60,
                                         "url": site.url("/feed.xml")}]})
        ctx = Context(config=cfg, database_url=store_url)
        now = T0
        for worker in ("w1", "w1", "w1"):
            poll_source(ctx, "feed", holder=worker, clock=lambda at=now: at)
            due = next_due(ctx.store.load_source_state("feed"))
            assert due is not None
            now = due
        ctx.close()
        paths = [hit.path for hit in site.hits]
    assert paths.count("/feed.xml") == 3
    assert paths.count("/robots.txt") == 1  # before: once a poll
