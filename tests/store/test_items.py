"""Tests of store/items.py: the item JSON shape and batching."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta, timezone

from yuqing.domain import Item, TermHit
from yuqing.store import Store, item_to_json
from yuqing.store.items import item_to_row

# docs/INTERFACES.md, "JSON shapes that scripts read": an item.
EXCHANGE = {"id", "text", "title", "source", "media_type", "url", "author", "author_id",
            "published_at", "parent_id", "reposts", "comments", "likes"}
ANALYSIS = {"sentiment", "sentiment_score", "sensitive_terms", "schemes", "duplicate_of",
            "event_id", "handling_class", "places"}


def test_item_json_shape(make_item: Callable[..., Item]) -> None:
    item = make_item("weibo:0012", "警察到场", id="0012", sentiment="negative",
                     sentiment_score=0.9, sensitive_terms=[TermHit("警察", "police", 0, 2, 0.3)],
                     schemes=["城管"], places=["北京市"], handling_class=1)
    doc = item_to_json(item)
    assert set(doc) == EXCHANGE | ANALYSIS | {"key", "flags"}
    assert (doc["id"], doc["key"], doc["flags"]) == ("0012", "weibo:0012", [])
    assert doc["published_at"] == "2024-03-05T00:15:00+00:00"
    assert doc["sensitive_terms"] == [{"term": "警察", "category": "police", "start": 0, "end": 2}]
    assert item_to_json(item, tz="Asia/Shanghai")["published_at"] == "2024-03-05T08:15:00+08:00"
    assert json.loads(json.dumps(doc, ensure_ascii=False)) == doc


def test_json_round_trip_through_store(store: Store, make_item: Callable[..., Item]) -> None:
    item = make_item("k", "文本😀", published_at=make_item("x", "").published_at.astimezone(
        timezone(timedelta(hours=8))), schemes=["a"])
    store.save_items([item])
    got = store.get_item("k")
    assert got is not None and item_to_json(got) == item_to_json(item)


def test_identity_offsets_are_not_stored(make_item: Callable[..., Item]) -> None:
    now = make_item("x", "").fetched_at
    assert item_to_row(make_item("a", "一二三"), now)["offsets"] is None
    assert item_to_row(make_item("b", "一二三", offsets=[0, 0, 1]), now)["offsets"] == [0, 0, 1]


def test_more_than_one_batch(store: Store, make_item: Callable[..., Item]) -> None:
    batch = [make_item(f"k{i}", f"第{i}条") for i in range(2500)]
    result = store.save_items(batch)
    assert (result.inserted, result.updated) == (2500, 0)
    again = store.save_items(batch[2000:])  # unchanged: nothing written (F20.9)
    assert (again.inserted, again.updated) == (0, 0)
    for it in batch[2000:2100]:
        it.likes = 7
    changed = store.save_items(batch[2000:])
    assert (changed.inserted, changed.updated) == (0, 100)
    assert store.get_item("k2000").likes == 7
    assert store.count_items() == 2500
    assert store.existing_keys(f"k{i}" for i in range(2490, 2510)) == {
        f"k{i}" for i in range(2490, 2500)
    }


def test_typed_stage_fields_keep_the_stored_extra_shape(
        store: Store, make_item: Callable[..., Item]) -> None:
    item = make_item("k", "北京下雨", extra={"topic": "交通"})
    item.repost_chain = ["路人甲"]
    item.place_detail = {"mentions": [{"name": "北京市", "level": "province", "adcode": "110000",
                                       "start": 0, "end": 2}], "ambiguous": []}
    item.keywords = [("下雨", 1.0)]
    item.handling = {"class": None, "label": None, "confidence": 1.0, "cues": [],
                     "scores": {"1": 0.0, "2": 0.0, "3": 0.0, "4": 0.0}}
    item.spike = True
    extra = item_to_row(item, item.fetched_at)["extra"]
    # the keys and order stages wrote into Item.extra before these fields were typed
    assert list(extra) == ["topic", "repost_chain", "places", "keywords", "handling", "spike"]
    assert extra["keywords"] == [["下雨", 1.0]] and extra["spike"] is True
    assert item.extra == {"topic": "交通"}
    store.save_items([item])
    got = store.get_item("k")
    assert got is not None
    assert (got.repost_chain, got.place_detail, got.keywords, got.handling, got.spike,
            got.incident, got.extra) == (item.repost_chain, item.place_detail, item.keywords,
                                         item.handling, True, None, {"topic": "交通"})


def test_unset_typed_fields_add_nothing_and_foreign_shapes_stay_in_extra(
        store: Store, make_item: Callable[..., Item]) -> None:
    plain = make_item("p", "文本", extra={"kind": "post"})
    assert item_to_row(plain, plain.fetched_at)["extra"] == {"kind": "post"}
    # a source field that happens to share a key but not the shape stays a free-form field
    foreign = make_item("f", "文本", extra={"keywords": ["地铁", "故障"], "spike": "yes"})
    store.save_items([plain, foreign])
    got = store.get_item("f")
    assert got is not None and (got.keywords, got.spike) == (None, False)
    assert got.extra == {"keywords": ["地铁", "故障"], "spike": "yes"}
    again = store.get_item("p")
    assert again is not None and again.extra == {"kind": "post"} and again.repost_chain == []


def test_emotion_is_stored_in_extra_and_read_back(
        store: Store, make_item: Callable[..., Item]) -> None:
    item = make_item("e", "家长投诉学校乱收费", extra={"topic": "教育"})
    item.repost_chain = ["路人甲"]
    item.sentiment, item.emotion = "negative", "neutral"
    extra = item_to_row(item, item.fetched_at)["extra"]
    # the sentiment stage runs after dedup (repost_chain) and before places
    assert list(extra) == ["topic", "repost_chain", "emotion"] and extra["emotion"] == "neutral"
    assert item.extra == {"topic": "教育"}
    odd = make_item("o", "文本", extra={"emotion": "angry"})  # a source's own field stays its own
    store.save_items([item, odd])
    got = store.get_item("e")
    assert got is not None and (got.sentiment, got.emotion) == ("negative", "neutral")
    assert got.extra == {"topic": "教育"}
    other = store.get_item("o")
    assert other is not None and other.emotion is None and other.extra == {"emotion": "angry"}
