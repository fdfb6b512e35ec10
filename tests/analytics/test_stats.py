"""analytics/stats.py over the hand-written day (tests/support/report_items.py), both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from report_items import DAY_END, DAY_START, TZ, day_items, fill

from yuqing.analytics import stats
from yuqing.store import Store
from yuqing.store.analytics import Scope

DAY = Scope(DAY_START, DAY_END)


@pytest.fixture
def filled(store: Store) -> Store:
    return fill(store)


def test_overview_and_negative_share(filled: Store) -> None:
    got = stats.overview(filled, DAY)
    assert (got["items"], got["negative"], got["sensitive"]) == (6, 3, 2)
    assert got["negative_share"] == 0.5


def test_hourly_series_has_every_local_hour(filled: Store) -> None:
    series = stats.sentiment_series(filled, DAY, TZ, "hour")
    assert len(series) == 24 and series[0]["t"] == "2024-03-05T00:00:00+08:00"
    nine = series[9]
    assert (nine["count"], nine["negative"]) == (2, 2)
    assert sum(b["count"] for b in series) == 6 and series[3]["count"] == 0


def test_daily_series_rolls_up_local_days(filled: Store) -> None:
    week = Scope(DAY_START - timedelta(days=1), DAY_END)
    series = stats.sentiment_series(filled, week, TZ, "day")
    assert [(b["t"][:10], b["count"]) for b in series] == [("2024-03-04", 1), ("2024-03-05", 6)]


def test_geography_provinces_and_cities(filled: Store) -> None:
    geo = stats.geography(filled, DAY)
    assert geo["provinces"] == [{"name": "广东", "count": 2}, {"name": "北京", "count": 1}]
    assert geo["cities"] == [{"name": "深圳", "count": 2}]


def test_geography_empty_when_no_places(store: Store) -> None:
    store.save_items([i for i in day_items() if not i.places])
    assert stats.geography(store, DAY) == {"provinces": [], "cities": []}


def test_province_names() -> None:
    assert stats.province_name("广西壮族自治区") == "广西"
    assert stats.province_name("上海市") == "上海"
    assert stats.province_name("深圳市") is None


def test_range_stats_document(filled: Store) -> None:
    doc = stats.range_stats(filled, Scope(DAY_START, DAY_END, "公共安全"), tz=TZ)
    assert doc["overview"]["items"] == 3
    assert {m["name"]: m["count"] for m in doc["media"]} == {"weibo": 2, "news": 1}
    assert doc["accounts"]["sources"][0] == {"name": "weibo", "count": 2, "engagement": 460}
    words = [k["word"] for k in doc["keywords"]]
    assert "燃气" in words and "网页链接" not in words and "怒" not in words
