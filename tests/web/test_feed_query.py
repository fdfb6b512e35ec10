"""Tests of web/feed_query.py on both backends: both query shapes give what store.search gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from yuqing.domain import Item
from yuqing.store import Store
from yuqing.store.items import row_to_item
from yuqing.web import feed_query
from yuqing.web.feed_query import feed_statement, refresh_planner_stats

TEXTS = ["市医院门口发生车祸，警察到场", "警察节快乐", "中国，国家安全", "中国家庭", "iPhone 15 发布",
         "我们的学校", "学校食堂"]


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
    monkeypatch.setattr(feed_query, "SCAN_ABOVE", scan_above)
    with store.read() as conn:
        rows = conn.execute(feed_statement(conn, store.dialect, query=query, scheme=None,
                                           extra=[])).all()
    assert [row_to_item(r._mapping).key for r in rows] == [it.key for it in store.search(query)]


def test_scheme_filter_and_bad_query(store: Store) -> None:
    stored(store)
    with store.read() as conn:
        rows = conn.execute(feed_statement(conn, store.dialect, query=None, scheme="s",
                                           extra=[])).all()
        assert [r.key for r in rows] == ["t:5", "t:3", "t:1"]
        with pytest.raises(ValueError, match="no letter"):
            feed_statement(conn, store.dialect, query="，。", scheme=None, extra=[])


def test_planner_statistics_are_refreshed_once(store: Store) -> None:
    stored(store)
    if store.dialect != "sqlite":
        assert refresh_planner_stats(store) is False
        return
    assert refresh_planner_stats(store) is True
    assert refresh_planner_stats(store) is False  # fresh now
