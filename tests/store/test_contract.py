"""The store contract: the same tests run on SQLite and PostgreSQL (fixture ``store``).

One class, parametrised through tests/conftest.py's ``store_url`` fixture,
in the manner of Scrapy's tests/utils/bases/download_handlers_http.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from yuqing.domain import Alert, Item, SourceState, TermHit
from yuqing.store import SaveResult, Store, open_store
from yuqing.store.alert_state import GroupState
from yuqing.store.migrate import current_revisions, head_revisions

T0 = datetime(2024, 3, 5, 0, 15, tzinfo=UTC)  # the publication time make_item starts from

MakeItem = Callable[..., Item]


def _alert(dedup_key: str, channels: list[str] | None = None) -> Alert:
    return Alert(rule="negative_burst", dedup_key=dedup_key, title="负面舆情预警",
                 body="警察 😀", item_keys=["weibo:1", "weibo:2"],
                 created_at=datetime(2024, 3, 5, 10, 0, tzinfo=UTC),
                 level="III", channels=channels if channels is not None else ["email", "wecom"])


class TestStoreContract:
    """Behaviour every backend of the store must show."""

    def test_insert_then_update_keeps_one_row(self, store: Store, make_item: MakeItem) -> None:
        first = make_item("weibo:1", "桥面塌陷，警察到场", title="旧标题", likes=3)
        assert store.save_items([first, make_item("weibo:2", "另一条")]) == SaveResult(2, 0)
        changed = make_item("weibo:1", "桥面塌陷，已封路", title="新标题", likes=40, reposts=7,
                            is_update=True)
        result = store.save_items([changed])
        assert (result.inserted, result.updated) == (0, 1)
        assert store.count_items() == 2
        got = store.get_item("weibo:1")
        assert got is not None
        assert (got.text, got.title, got.likes, got.reposts) == (
            "桥面塌陷，已封路",
            "新标题",
            40,
            7,
        )
        assert [i.key for i in store.search("封路")] == ["weibo:1"]
        assert store.search("警察") == []

    def test_update_without_counts_keeps_stored_counts(self, store: Store,
                                                       make_item: MakeItem) -> None:
        store.save_items([make_item("weibo:1", "原文", likes=5, comments=2)])
        store.save_items([make_item("weibo:1", "原文（更新）", is_update=True)])
        got = store.get_item("weibo:1")
        assert got is not None and (got.likes, got.comments) == (5, 2)

    def test_repeated_key_in_one_batch_is_one_row(self, store: Store,
                                                  make_item: MakeItem) -> None:
        result = store.save_items([make_item("k", "一"), make_item("k", "二")])
        assert (result.inserted, result.updated) == (1, 1)
        got = store.get_item("k")
        assert store.count_items() == 1 and got is not None and got.text == "二"

    def test_ids_are_strings(self, store: Store, make_item: MakeItem) -> None:
        item = make_item("weibo:5012345678901234", "转发", id="5012345678901234",
                         parent_id="0012", root_id="0012", author_id="000123")
        store.save_items([item, make_item("0012", "前导零", id="0012")])
        got = store.get_item("weibo:5012345678901234")
        assert got is not None
        assert (got.id, got.parent_id, got.root_id, got.author_id) == (
            "5012345678901234", "0012", "0012", "000123")
        zero = store.get_item("0012")
        assert zero is not None and zero.id == "0012"
        assert store.existing_keys(["0012", "12", "weibo:5012345678901234"]) == {
            "0012", "weibo:5012345678901234"}

    def test_timestamps_round_trip_as_aware_utc(self, store: Store, make_item: MakeItem) -> None:
        beijing = timezone(timedelta(hours=8))
        published = datetime(2024, 3, 5, 8, 15, 30, 123456, tzinfo=beijing)
        store.save_items([make_item("t", "时间", published_at=published)])
        got = store.get_item("t")
        assert got is not None
        assert got.published_at == published
        assert got.published_at.utcoffset() == timedelta(0)
        assert got.published_at.hour == 0 and got.fetched_at.tzinfo is not None

    def test_naive_timestamp_is_refused(self, store: Store, make_item: MakeItem) -> None:
        naive = make_item("n", "无时区", published_at=datetime(2024, 3, 5, 8, 15))
        with pytest.raises(ValueError, match="naive datetime"):
            store.save_items([naive])
        assert store.count_items() == 0

    def test_json_fields_round_trip(self, store: Store, make_item: MakeItem) -> None:
        text = "警察到场😀，市民👍 “引号”"
        hits = [TermHit("警察", "police", 0, 2), TermHit("😀", "emoji", 4, 5, 0.5)]
        item = make_item("j", text, title="标题🎉", sensitive_terms=hits, schemes=["城管", "交通"],
                         places=["北京市", "海淀区"], flags=["html_stripped"],
                         extra={"表情": "😀🎉", "nested": [1, "中文", {"k": None}]},
                         offsets=[0, 1, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
                         sentiment="negative", sentiment_score=0.875, handling_class=2,
                         event_id="e1", duplicate_of="weibo:0")
        store.save_items([item])
        got = store.get_item("j")
        assert got is not None
        for name in ("text", "title", "sensitive_terms", "schemes", "places", "flags", "extra",
                     "offsets", "sentiment", "sentiment_score", "handling_class", "event_id",
                     "duplicate_of", "match_text", "content_hash", "media_type", "source"):
            assert getattr(got, name) == getattr(item, name), name

    def test_json_keeps_long_integers_and_small_floats(self, store: Store,
                                                       make_item: MakeItem) -> None:
        extra = {"big": 2**70, "id": 12345678901234567890, "small": 1e-05, "n": [0.1 + 0.2]}
        store.save_items([make_item("big", "大数", extra=extra)])
        got = store.get_item("big")
        assert got is not None and got.extra == extra
        assert isinstance(got.extra["big"], int)

    def test_storm_window_counts_alerts_one_after_the_other(self, store: Store) -> None:
        start = datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
        assert store.alerts.take_window_slots("r", start, 2, 3) == [0, 0, 1]
        assert store.alerts.take_window_slots("r", start, 2, 2) == [2, 3]
        assert store.alerts.take_window_slots("r", start, 4, 3) == [0, 0, 4]  # cap raised
        assert store.alerts.take_window_slots("other", start, 1, 2) == [0, 1]

    def test_story_states_round_trip(self, store: Store) -> None:
        at = datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
        first, later = GroupState(3, 3, "III", at, 0), GroupState(8, 8, "II", at, 1)
        store.alerts.save_groups("r", {"event:E1": first, "item:k": first})
        store.alerts.save_groups("r", {"event:E1": later})
        assert store.alerts.load_groups("r", ["event:E1", "item:k", "event:none"]) == {
            "event:E1": later, "item:k": first}
        assert store.alerts.load_groups("other", ["event:E1"]) == {}

    def test_search_two_character_words(self, store: Store, make_item: MakeItem) -> None:
        store.save_items([
            make_item("a", "路口有警察指挥交通"), make_item("b", "道路塌陷，车辆绕行"),
            make_item("c", "警方正在察看现场"), make_item("d", "交警察看事故"),
            make_item("e", "新款iPhone 15发布"), make_item("f", "A股今日上涨"),
        ])

        def keys(query: str) -> set[str]:
            return {i.key for i in store.search(query)}

        assert keys("警察") == {"a", "d"}  # "c" has 警 and 察 but not adjacent
        assert keys("塌陷") == {"b"}
        assert keys("警察指挥") == {"a"}
        assert keys("车辆绕行") == {"b"}
        assert keys("iPhone") == keys("iphone") == {"e"}
        assert keys("警察 交通") == {"a"}
        assert keys("察") == {"a", "c", "d"}
        assert keys("A股") == {"f"}
        assert store.count_items(query="警察") == 2

    def test_search_rejects_unsearchable_query(self, store: Store) -> None:
        with pytest.raises(ValueError, match="no letter"):
            store.search("，。！")

    def test_filters_and_order(self, store: Store, make_item: MakeItem) -> None:
        store.save_items([
            make_item("old", "旧帖", minutes=0, sentiment="negative", schemes=["城管"]),
            make_item("mid", "中帖", minutes=10, sentiment="neutral", schemes=["城管", "交通"]),
            make_item("new", "新帖", minutes=20, sentiment="negative", source="people.cn"),
        ])
        assert [i.key for i in store.iter_items()] == ["new", "mid", "old"]
        assert [i.key for i in store.iter_items(scheme="城管")] == ["mid", "old"]
        assert [i.key for i in store.iter_items(sentiment="negative")] == ["new", "old"]
        assert [i.key for i in store.iter_items(since=T0 + timedelta(minutes=10))] == ["new", "mid"]
        assert [i.key for i in store.iter_items(source="people.cn")] == ["new"]
        assert [i.key for i in store.iter_items(limit=1, offset=1)] == ["mid"]
        assert store.count_items(scheme="城管", sentiment="negative") == 1

    def test_rescheduled_schemes_replace_old_ones(self, store: Store,
                                                  make_item: MakeItem) -> None:
        store.save_items([make_item("k", "文本", schemes=["城管"])])
        store.save_items([make_item("k", "文本", schemes=["交通"], is_update=True)])
        assert store.count_items(scheme="城管") == 0
        assert store.count_items(scheme="交通") == 1

    def test_recent_fingerprints(self, store: Store, make_item: MakeItem) -> None:
        store.save_items([make_item("a", "早", minutes=0, canonical_url="example.com/a")])
        store.save_items([make_item("c", "中", minutes=50), make_item("b", "晚", minutes=30)])
        got = list(store.recent_fingerprints(2))  # the two stored last, in insertion order
        assert got == [("c", store.get_item("c").content_hash, None, "中"),  # type: ignore[union-attr]
                       ("b", store.get_item("b").content_hash, None, "晚")]  # type: ignore[union-attr]
        assert [k for k, *_ in store.recent_fingerprints(10)] == ["a", "c", "b"]

    def test_alert_dedup_survives_reopen(self, store: Store, store_url: str) -> None:
        first = store.record_alert(_alert("rule:E"))
        assert isinstance(first, int)
        assert store.record_alert(_alert("rule:E")) is None
        store.close()
        with open_store(store_url) as reopened:
            assert reopened.record_alert(_alert("rule:E")) is None
            assert reopened.count_alerts() == 1
            second = reopened.record_alert(_alert("rule:F", channels=["email"]))
            assert isinstance(second, int) and second != first
            listed = reopened.list_alerts(10)
            assert [a.id for a in listed] == [second, first]
            assert listed[1].alert.channels == ["email", "wecom"]
            assert listed[1].alert.body == "警察 😀"

    def test_delivery_outbox(self, store: Store) -> None:
        alert_id = store.record_alert(_alert("rule:E"))
        assert alert_id is not None
        pending = store.pending_deliveries()
        assert [(p.alert_id, p.channel, p.attempts) for p in pending] == [
            (alert_id, "email", 0), (alert_id, "wecom", 0)]
        assert pending[0].alert.dedup_key == "rule:E"
        store.record_delivery(alert_id, "email", "sent")
        store.record_delivery(alert_id, "wecom", "failed", error="errcode 310000")
        assert store.pending_deliveries() == []
        store.record_delivery(alert_id, "wecom", "pending", error="errcode 310000")
        (retry,) = store.pending_deliveries()
        assert (retry.channel, retry.attempts, retry.last_error) == ("wecom", 1, "errcode 310000")
        with pytest.raises(ValueError, match="delivery status"):
            store.record_delivery(alert_id, "email", "done")

    def test_opening_twice_is_fine(self, store: Store, store_url: str,
                                   make_item: MakeItem) -> None:
        store.save_items([make_item("k", "保留")])
        with open_store(store_url) as again:
            assert again.count_items() == 1
        assert current_revisions(store._engines.write) == head_revisions()

    def test_rejections(self, store: Store, make_item: MakeItem) -> None:
        refused = make_item("x", "", origin="export.csv:12")
        refused.rejected = "empty_text"
        written = store.record_rejections([
            refused, {"reason": "bad_id", "source": "weibo", "origin": "a.jsonl:3",
                      "detail": "id 1.5e+15 is a float"},
            {"reason": "empty_text"},
        ])
        assert written == 3
        assert store.rejection_counts() == {"empty_text": 2, "bad_id": 1}
        newest = store.list_rejections()
        assert [r["reason"] for r in newest] == ["empty_text", "bad_id", "empty_text"]
        bad = store.list_rejections(reason="bad_id")
        assert [(r["source"], r["origin"], r["detail"]) for r in bad] == [
            ("weibo", "a.jsonl:3", "id 1.5e+15 is a float")]
        assert bad[0]["at"].tzinfo is not None
        assert [r["origin"] for r in store.list_rejections(source="weibo")] == [
            "a.jsonl:3", "export.csv:12"]
        assert store.list_rejections(since=datetime.now(UTC) + timedelta(hours=1)) == []
        assert len(store.list_rejections(limit=1)) == 1
        with pytest.raises(ValueError, match="no reason"):
            store.record_rejections([{"source": "weibo"}])

    def test_source_state(self, store: Store) -> None:
        assert store.load_source_state("people.cn") is None
        store.save_source_state(SourceState("people.cn", etag='W/"1"', cursor="0012",
                                            health={"failures": 2, "last_error": "超时"}))
        store.save_source_state(SourceState("people.cn", etag='W/"2"', cursor="0013",
                                            health={"failures": 0}))
        state = store.load_source_state("people.cn")
        assert state is not None
        assert (state.etag, state.cursor, state.last_modified) == ('W/"2"', "0013", None)
        assert state.health == {"failures": 0}
        assert state.updated_at is not None and state.updated_at.tzinfo is not None
        with pytest.raises(TypeError, match="etgs"):
            SourceState("people.cn", etgs="x")  # type: ignore[call-arg]
        store.save_source_state(SourceState("a-feed", health={"status": "failed"}))
        listed = store.list_source_states()
        assert [s.name for s in listed] == ["a-feed", "people.cn"]
        assert listed[0].health == {"status": "failed"} and listed[1].cursor == "0013"

    def test_stats(self, store: Store, make_item: MakeItem) -> None:
        store.save_items([
            make_item("a", "一", sentiment="negative", schemes=["城管", "交通"],
                      sensitive_terms=[TermHit("一", "c", 0, 1)]),
            make_item("b", "二", sentiment="negative", duplicate_of="a"),
            make_item("c", "三", sentiment="positive", schemes=["交通"]),
            make_item("d", "四"),
        ])
        store.record_alert(_alert("rule:E"))
        store.record_rejections([{"reason": "empty_text"}])
        assert store.stats() == {
            "items": 4, "by_sentiment": {"negative": 2, "neutral": 0, "positive": 1, "none": 1},
            "sensitive": 1, "matched": 2, "duplicates": 1, "alerts": 1, "rejected": 1,
        }
