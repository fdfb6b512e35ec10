"""Tests of store/collection.py (store.collection, the sources' memory) on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from yuqing.domain import HotlistEntry
from yuqing.sources.polling import SourceMemory
from yuqing.store import Store

T0 = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)


def test_is_a_source_memory(store: Store) -> None:
    memory: SourceMemory = store.collection  # checked by mypy: the port is implemented
    assert memory.unseen("s", []) == []


def test_unseen_keeps_order_drops_repeats_and_forgets_nothing(store: Store) -> None:
    mem = store.collection
    long_url = "http://gov.example.cn/list?" + "x" * 5000  # past PostgreSQL's index limit
    assert mem.unseen("site", ["a", "b", "a", long_url]) == ["a", "b", long_url]
    mem.mark_seen("site", ["b", long_url, "b"], T0)
    mem.mark_seen("site", ["b"], T0 + timedelta(hours=1))  # idempotent
    assert mem.unseen("site", ["c", "b", "a", long_url]) == ["c", "a"]
    assert mem.unseen("other", ["b"]) == ["b"]  # per source
    many = [f"http://x.cn/{i}" for i in range(1200)]  # more than one IN list
    mem.mark_seen("site", many[::2], T0)
    assert mem.unseen("site", many) == many[1::2]


def test_snapshots_last_and_series(store: Store) -> None:
    mem = store.collection
    assert mem.last_snapshot("weibo") == []
    first = [HotlistEntry("k1", 1, "话题一", 500.0, "http://w.cn/1"),
             HotlistEntry("k2", 2, "话题二")]
    second = [HotlistEntry("k2", 1, "话题二", 900.0), HotlistEntry("k3", 2, "话题三", 10.0)]
    mem.save_snapshot("weibo", T0, first)
    mem.save_snapshot("baidu", T0 + timedelta(minutes=9), [HotlistEntry("b", 1, "百度")])
    mem.save_snapshot("weibo", T0 + timedelta(minutes=5), list(reversed(second)))
    mem.save_snapshot("weibo", T0 + timedelta(minutes=10), [])  # nothing stored
    assert mem.last_snapshot("weibo") == second  # by rank
    assert mem.last_snapshot("baidu") == [HotlistEntry("b", 1, "百度")]
    series = mem.snapshot_series("weibo", "k2")
    assert [(t, e.rank, e.heat) for t, e in series] == [
        (T0, 2, None), (T0 + timedelta(minutes=5), 1, 900.0)]
    assert series[0][0].tzinfo is not None
    assert mem.snapshot_series("weibo", "k1") == [(T0, first[0])]
    assert mem.snapshot_series("weibo", "k2", since=T0 + timedelta(minutes=1))[0][1].rank == 1
    assert mem.snapshot_series("baidu", "k2") == []


def test_snapshots_older_than_the_keep_period_are_dropped_per_source(store: Store) -> None:
    from yuqing.store.collection import SNAPSHOT_KEEP

    mem = store.collection
    topic = HotlistEntry(key="k", rank=1, title="青山县暴雨", heat=100.0)
    mem.save_snapshot("weibo", T0, [topic])
    mem.save_snapshot("baidu", T0, [topic])
    later = T0 + SNAPSHOT_KEEP + timedelta(hours=1)
    mem.save_snapshot("weibo", later, [topic])
    assert [at for at, _ in mem.snapshot_series("weibo", "k")] == [later]
    assert len(mem.snapshot_series("baidu", "k")) == 1  # another source's are kept
