"""`yuqing run`'s loop over hot lists and a search feed: the real poller, HttpFetcher,
store memory and pipeline; one failing source never stops the others."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from pageserver import PageServer, running_page_server

from yuqing.config import parse_config
from yuqing.runtime.context import Context
from yuqing.runtime.watch import Watcher
from yuqing.sources.http import HttpFetcher

FIXTURES = Path(__file__).parents[1] / "fixtures"
T0 = datetime(2024, 6, 15, 6, 0, tzinfo=UTC)
VISITOR = b"<!DOCTYPE html><html><head><title>Sina Visitor System</title></head></html>"


@pytest.fixture
def site() -> Iterator[PageServer]:
    with running_page_server() as server:
        server.add("/weibo", VISITOR, headers={"Content-Type": "text/html"})
        server.add("/baidu", (FIXTURES / "hotlist" / "baidu.html").read_bytes())
        for query, name in (("青山县 食物中毒", "poisoning"), ("青山县 暴雨", "rainstorm")):
            server.add("/rss/" + quote(query, safe=""),
                       (FIXTURES / "search" / f"{name}.xml").read_bytes())
        yield server


def context(site: PageServer, url: str) -> Context:
    cfg = parse_config({
        "sources": [
            {"name": "微博热搜", "kind": "hotlist", "platform": "weibo",
             "url": site.url("/weibo"), "interval": 60},
            {"name": "百度热搜", "kind": "hotlist", "platform": "baidu",
             "url": site.url("/baidu"), "interval": 60},
            {"name": "新闻搜索", "kind": "search", "url": site.url("/rss/{query}"),
             "interval": 60, "media_type": "news"},
        ],
        "schemes": [{"name": "青山县", "region_words": ["青山县"],
                     "subject_words": ["食物中毒", "暴雨"]}],
        "alerts": {"rules": [{"name": "上热榜", "negative": False, "sensitive": False,
                              "hotlist": ["entered", "rising"], "channels": ["quiet"]}],
                   "channels": [{"name": "quiet", "kind": "console", "style": "line"}]},
    })
    return Context(config=cfg, database_url=url)


def test_hot_lists_and_search_in_the_watch_loop(site: PageServer, store_url: str) -> None:
    clock = [T0]
    ctx = context(site, store_url)
    watcher = Watcher(ctx, clock=lambda: clock[0], fetcher=HttpFetcher(delay=0.0))
    try:
        first = watcher.round()
        health = watcher.health
        assert health["微博热搜"].status == "failed"  # a login wall instead of JSON
        assert "weibo: the answer is an HTML page ('Sina Visitor System')" in str(
            health["微博热搜"].as_dict())
        assert (health["百度热搜"].status, health["新闻搜索"].status) == ("ok", "ok")
        assert first.stored == 4 + 3  # Baidu's topics, the three search results
        assert first.alerts == 1  # 青山县暴雨 entered Baidu's list; search results carry no fact

        site.add("/weibo", (FIXTURES / "hotlist" / "weibo.json").read_bytes())
        clock[0] = T0 + timedelta(minutes=30)  # past the failed source's backoff
        second = watcher.round()
        assert health["微博热搜"].status == "ok"
        assert second.stored == 5 and second.updated == 0  # Baidu and search: nothing new
        assert second.alerts == 1  # the 青山县 topic entered Weibo's list
        assert len(ctx.store.collection.last_snapshot("百度热搜")) == 4
    finally:
        watcher.close()
        ctx.close()
