"""Tests of the web feed's reads (store/feed.py and store/items.py through ItemsRepository) on
both backends: both query shapes give what store.search gives; filters, live feed, related."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from yuqing.domain import Item, TermHit
from yuqing.store import Store
from yuqing.store import feed as feed_sql
from yuqing.store.events_tables import events

T0 = datetime(2024, 3, 5, 0, 15, tzinfo=UTC)  # make_item's minute 0 (tests/store/conftest.py)
TEXTS = ["市医院门口发生车祸，警察到场", "警察节快乐", "中国，国家安全", "中国家庭",
         "iPhone 15 发布", "我们的学校", "学校食堂"]


def stored(store: Store) -> None:
    t0 = datetime(2024, 3, 5, tzinfo=UTC)
    store.save_items([Item(key=f"t:{i}", source="t", text=t, match_text=t, offsets=[],
                           published_at=t0 + timedelta(minutes=i), fetched_at=t0,
                           content_hash=str(i), schemes=["s"] if i % 2 else [])
                      for i, t in enumerate(TEXTS)])


@pytest.mark.parametrize("scan_above", [0, 10**9])
@pytest.mark.parametrize("query", ["警察", "中国家", "学校 我们", "iphone", "警", "车祸 警察"])
def test_both_shapes_find_what_store_search_finds(store: Store, query: str, scan_above: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    stored(store)
    monkeypatch.setattr(feed_sql, "SCAN_ABOVE", scan_above)
    found = store.items.feed(query=query, limit=100)
    assert [it.key for it in found] == [it.key for it in store.search(query)]


def test_scheme_filter_and_bad_query(store: Store) -> None:
    stored(store)
    assert [it.key for it in store.items.feed(scheme="s")] == ["t:5", "t:3", "t:1"]
    with pytest.raises(ValueError, match="no letter"):
        store.items.feed(query="，。")


def test_planner_statistics_are_refreshed_once(store: Store) -> None:
    stored(store)
    if store.dialect != "sqlite":
        assert store.items.refresh_planner_stats() is False
        return
    assert store.items.refresh_planner_stats() is True
    assert store.items.refresh_planner_stats() is False  # fresh now


def test_feed_filters_by_media_sensitive_words_and_event_level(
        store: Store, make_item: Callable[..., Item]) -> None:
    store.save_items([
        make_item("w:1", "警察到场", 1, event_id="e1"),
        make_item("w:2", "警察节", 2, media_type="news",
                  sensitive_terms=[TermHit("警察", "test", 0, 2)]),
        make_item("w:3", "学校食堂", 3, media_type="news", event_id="e2"),
    ])
    with store.write() as conn:
        conn.execute(events.insert(), [
            {"id": e, "title": e, "rep_key": "w:1", "origin_key": "w:1", "first_at": T0,
             "last_at": T0, "size": 1, "heat": 1.0, "level": level, "keywords": [],
             "terms": [], "state": {}, "updated_at": T0}
            for e, level in (("e1", "II"), ("e2", "IV"))])
    assert [it.key for it in store.items.feed(media="news")] == ["w:3", "w:2"]
    assert [it.key for it in store.items.feed(sensitive=True)] == ["w:2"]
    assert [it.key for it in store.items.feed(level="II")] == ["w:1"]
    assert [it.key for it in store.items.feed(media="news", query="警察")] == ["w:2"]
    assert [it.key for it in store.items.feed(since=T0 + timedelta(minutes=2),
                                              source="weibo")] == ["w:3", "w:2"]
    assert [it.key for it in store.items.feed(limit=1, offset=1)] == ["w:2"]


def test_items_after_gives_the_live_feed_in_storage_order(
        store: Store, make_item: Callable[..., Item]) -> None:
    assert store.items.items_after(-1) == (0, [])
    store.save_items([make_item(f"w:{i}", f"第{i}条", 10 - i) for i in range(3)])
    top, none = store.items.items_after(-1)
    assert top > 0 and none == []
    assert store.items.items_after(top) == (top, [])
    start, first = store.items.items_after(top - 3, limit=2)
    assert [it.key for it in first] == ["w:0", "w:1"] and start == top - 1
    assert first[0].published_at == T0 + timedelta(minutes=10)
    end, rest = store.items.items_after(start)
    assert end == top and [it.key for it in rest] == ["w:2"]


def test_related_items_are_duplicates_reposts_and_replies(
        store: Store, make_item: Callable[..., Item]) -> None:
    store.save_items([
        make_item("weibo:1", "原帖", 0),
        make_item("weibo:2", "转发", 5, parent_id="1"),
        make_item("weibo:3", "回复的回复", 9, parent_id="2", root_id="1"),
        make_item("news:9", "同文", 7, source="news", duplicate_of="weibo:1"),
        make_item("news:4", "别处的回复", 8, source="news", parent_id="1"),
        make_item("weibo:5", "无关", 6),
    ])
    assert [it.key for it in store.items.related("weibo:1")] == ["weibo:3", "news:9", "weibo:2"]
    assert [it.key for it in store.items.related("weibo:1", limit=1)] == ["weibo:3"]
    assert store.items.related("weibo:5") == []


def test_published_range(store: Store, make_item: Callable[..., Item]) -> None:
    assert store.items.published_range() is None
    store.save_items([make_item(f"w:{i}", f"第{i}条", m) for i, m in enumerate((30, -5, 12))])
    assert store.items.published_range() == (T0 - timedelta(minutes=5),
                                             T0 + timedelta(minutes=30))
