"""Tests of yuqing.sources.hotsearch and the bundled hot-search data."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from yuqing.sources.hotsearch import bundled_demo_items, hotsearch_items, topic_id

SHARED = Path(__file__).parents[3] / "shared" / "data" / "weibo_hotsearch"
TOPIC = ('{"title": "某地暴雨", "category": "社会", "description": "多条道路积水", '
         '"first_snapshot": "2025-06-02T10:00+08:00", "last_snapshot": "2025-06-02T12:00+08:00", '
         '"n_snapshots": 3, "max_hot": 900, "best_rank": 2}\n'
         '{"title": "明星A", "category": "暂无", "description": null, '
         '"first_snapshot": "2025-06-02T11:00+08:00", "last_snapshot": "2025-06-02T11:00+08:00", '
         '"n_snapshots": 1, "max_hot": 50, "best_rank": 40}\n')
SNAPS = ("snapshot,rank,title,hot,read_count,discuss_count,origin_count,ads,display_time_unix\n"
         "2025-06-02T10:00+08:00,5,某地暴雨,500,100,10,1,0,0\n"
         "2025-06-02T11:00+08:00,2,某地暴雨,900,200,20,2,0,0\n"
         "2025-06-02T12:00+08:00,3,某地暴雨,900,300,30,3,0,0\n")


def test_conversion_uses_best_snapshot(tmp_path: Path) -> None:
    (tmp_path / "t.jsonl").write_text(TOPIC, encoding="utf-8")
    (tmp_path / "s.csv").write_text(SNAPS, encoding="utf-8")
    rain, star = hotsearch_items(tmp_path / "t.jsonl", tmp_path / "s.csv")
    assert rain.id == topic_id("某地暴雨") and len(rain.id) == 16
    assert (rain.title, rain.text) == ("某地暴雨", "某地暴雨\n多条道路积水")
    assert (rain.source, rain.media_type, rain.url) == ("weibo-hotsearch", "weibo", None)
    assert rain.published_at == "2025-06-02T10:00+08:00"
    assert (rain.reposts, rain.comments) == (20, 2)  # 11:00 row: highest hot, earliest on tie
    assert rain.extra["heat"] == 900 and rain.extra["category"] == "社会"
    assert rain.extra["read_count"] == 200
    assert star.text == "明星A" and star.extra["category"] is None
    assert (star.reposts, star.comments) == (None, None)


def test_topic_id_is_stable() -> None:
    assert topic_id("瓶邪") == topic_id("瓶邪") != topic_id("瓶邪 ")
    assert topic_id("瓶邪") == "9b6cca937bfbfd04"  # SHA-1 of the UTF-8 title, first 16 hex


def test_bundled_items_and_licence() -> None:
    items = list(bundled_demo_items())
    assert len(items) == 5750
    assert len({i.id for i in items}) == 5750
    assert all(isinstance(i.id, str) and i.text for i in items)
    folder = resources.files("yuqing").joinpath("data", "hotsearch")
    assert "Copyright (c) 2020 xiadd" in folder.joinpath("LICENSE").read_text(encoding="utf-8")
    assert "lxw15337674/weibo-trending-hot-history" in folder.joinpath("SOURCE.txt").read_text(
        encoding="utf-8")


def test_bundled_copy_matches_shared_data_when_present() -> None:
    if not SHARED.exists():
        pytest.skip(f"{SHARED} not present")
    from_shared = list(hotsearch_items(SHARED / "topics.jsonl", SHARED / "snapshots.csv"))
    bundled = list(bundled_demo_items())
    assert [(i.id, i.text, i.reposts) for i in from_shared] == [
        (i.id, i.text, i.reposts) for i in bundled]
