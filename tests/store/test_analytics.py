"""SQL aggregates of store/analytics.py (as store.reports methods) on both backends
(hand-written day, tests/support/report_items.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from report_items import DAY_END, DAY_START, fill

from yuqing.store import Store
from yuqing.store import analytics as sql
from yuqing.store.analytics import Scope

DAY = Scope(DAY_START, DAY_END)


@pytest.fixture
def filled(store: Store) -> Store:
    return fill(store)


def test_totals_count_the_day_only(filled: Store) -> None:
    with filled.snapshot() as tx:
        got = tx.reports.totals(DAY)
    assert got == {"items": 6, "negative": 3, "sensitive": 2, "duplicates": 1,
                   "engagement": 120 + 40 + 300 + 30 + 5}


def test_scheme_scope(filled: Store) -> None:
    with filled.snapshot() as tx:
        got = tx.reports.totals(Scope(DAY_START, DAY_END, "公共安全"))
        assert tx.reports.totals(Scope(DAY_START, DAY_END, "无此方案"))["items"] == 0
    assert (got["items"], got["negative"]) == (3, 2)


def test_hourly_sentiment_buckets_are_utc_hours(filled: Store) -> None:
    with filled.snapshot() as tx:
        rows = tx.reports.hourly_sentiment(DAY)
    # 09:15 and 09:45 Shanghai are 01:xx UTC
    assert ("2024-03-05 01", "negative", 2) in rows
    assert sum(n for _, _, n in rows) == 6


def test_counts_by_author_skips_missing(filled: Store) -> None:
    with filled.snapshot() as tx:
        authors = tx.reports.counts_by(DAY, "author")
        media = tx.reports.counts_by(DAY, "media_type", limit=1)
    assert ("城市观察", 1, 460) in authors
    assert all(name for name, _, _ in authors) and len(authors) == 5
    assert media == [("weibo", 4, 460)]


def test_place_counts_unnest_json(filled: Store) -> None:
    with filled.snapshot() as tx:
        places = dict(tx.reports.place_counts(DAY))
    assert places == {"深圳": 2, "广东省": 1, "北京市": 1, "广东": 1}


def test_top_items_by_engagement_without_duplicates(filled: Store) -> None:
    with filled.snapshot() as tx:
        top = tx.reports.top_items(DAY, 2, sentiments=["negative"])
        sensitive = tx.reports.top_items(DAY, 5, sensitive_only=True)
    assert [i.key for i in top] == ["weibo:1", "weibo:2"]
    assert {i.key for i in sensitive} == {"weibo:1", "weibo:6"}


def test_match_texts_and_count(filled: Store) -> None:
    assert len(filled.reports.match_texts(DAY, 100)) == 6
    assert len(filled.reports.match_texts(None, 3)) == 3
    assert filled.reports.count_in(DAY) == 6
    with filled.read() as conn:
        assert sql.count_all(conn) == 7


def test_scope_refuses_naive_and_empty() -> None:
    with pytest.raises(ValueError, match="naive"):
        Scope(datetime(2024, 3, 5), DAY_END)
    with pytest.raises(ValueError, match="empty time range"):
        Scope(DAY_END, DAY_START.astimezone(UTC))
