"""Tests of ``kind = "hotlist"`` (yuqing.sources.hotlist.source): polls through the real
HttpFetcher against a local server, snapshots in the real store (SQLite and PostgreSQL),
and the topics' items through the real pipeline with a hot-list alert rule."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pageserver import PageServer, running_page_server
from poll_helpers import poll_once

from yuqing.config import SourceConfig, parse_config
from yuqing.domain import BadInput, RawItem
from yuqing.runtime.pipeline import Pipeline
from yuqing.runtime.registries import load_registries
from yuqing.sources.base import FetchResult, FetchState
from yuqing.sources.hotlist.source import HotlistSource
from yuqing.store import Store

FIXTURES = Path(__file__).parents[2] / "fixtures" / "hotlist"
T0 = datetime(2024, 6, 15, 6, 0, tzinfo=UTC)
QINGSHAN = "青山县通报一中学食堂食物中毒事件"
RESPONSE = "青山县教育局回应食物中毒事件"


def weibo_answer() -> dict[str, Any]:
    return dict(json.loads((FIXTURES / "weibo.json").read_text(encoding="utf-8")))


def second_answer() -> bytes:
    """The list five minutes later: 青山县 heat +58 % (rising in place), 逆行 5 -> 2
    (rising by heat), a new 青山县 topic entered at 3, 高考 and 汛期 down, 端午 gone."""
    doc = weibo_answer()
    by_word = {e["word"]: e for e in doc["data"]["realtime"]}
    entered = copy.deepcopy(by_word[QINGSHAN])
    entered.update(word=RESPONSE, note=RESPONSE, word_scheme=f"#{RESPONSE}#", num=2000000)
    rows = [(by_word[QINGSHAN], 4500000), (by_word["男子高速逆行被查"], 3000000),
            (entered, 2000000), (by_word["高考分数线陆续公布"], 1702356),
            (by_word["南方多地进入主汛期"], 986543)]
    doc["data"]["realtime"] = [{**e, "num": heat, "rank": i} for i, (e, heat) in enumerate(rows)]
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


@pytest.fixture
def site() -> Iterator[PageServer]:
    with running_page_server() as server:
        yield server


def source(site: PageServer, **options: object) -> HotlistSource:
    return HotlistSource(SourceConfig(name="微博热搜", kind="hotlist", platform="weibo",
                                      url=site.url("/weibo"), **options))


def poll(src: HotlistSource, store: Store, at: datetime) -> FetchResult:
    return poll_once(src, FetchState(), memory=store.collection, now=lambda: at)


def facts(result: FetchResult) -> dict[str, Any]:
    return {it.title: (it.extra["hotlist_change"], it.extra["rank"], it.extra["previous_rank"],
                       it.extra["best_rank"]) for it in result.items}


def test_two_polls_entered_rising_moved_left(site: PageServer, store: Store) -> None:
    site.add("/weibo", (FIXTURES / "weibo.json").read_bytes(),
             headers={"Content-Type": "application/json"})
    src = source(site)
    first = poll(src, store, T0)
    assert (first.status, first.error) == ("ok", None)
    assert [it.title for it in first.items][:2] == [QINGSHAN, "高考分数线陆续公布"]
    assert {f[0] for f in facts(first).values()} == {"entered"}  # new to us: all entered
    item = first.items[0]
    assert (item.source, item.media_type, item.published_at, item.fetched_at) == (
        "微博热搜", "weibo", T0, T0)
    assert item.url is not None and item.url.startswith("https://s.weibo.com/weibo?q=%23")
    assert item.extra == {"platform": "weibo", "hotlist": "微博热搜", "hotlist_change": "entered",
                          "rank": 1, "previous_rank": None, "best_rank": 1,
                          "heat": 2851764.0}

    site.add("/weibo", second_answer(), headers={"Content-Type": "application/json"})
    second = poll(src, store, T0 + timedelta(minutes=5))
    assert facts(second) == {
        QINGSHAN: ("rising", 1, 1, 1),
        "男子高速逆行被查": ("rising", 2, 5, 2),
        RESPONSE: ("entered", 3, None, 3),
        "高考分数线陆续公布": (None, 4, 2, 2),
        "南方多地进入主汛期": (None, 5, 3, 3),
        "端午假期出行预测": ("left", None, 4, 4),
    }
    ids = {it.title: it.id for it in first.items}
    assert all(ids[it.title] == it.id for it in second.items if it.title in ids)  # one topic
    assert [e.key for _, e in store.collection.snapshot_series("微博热搜", QINGSHAN)] == [
        QINGSHAN, QINGSHAN]

    third = poll(src, store, T0 + timedelta(minutes=10))  # nothing moved
    assert (third.status, third.items) == ("ok", [])


@pytest.mark.parametrize(("body", "status", "error"), [
    (b"<!DOCTYPE html><html><head><title>Sina Visitor System</title></head></html>", 200,
     "weibo: the answer is an HTML page ('Sina Visitor System')"),
    (b'{"ok": 1, "data": {"realtime": []}}', 200, "weibo: data.realtime is empty"),
    (b'{"ok": 1, "data": {"hotgov": {}}}', 200, "weibo: data.realtime missing"),
    (b"busy", 503, "/weibo: HTTP 503"),
])
def test_a_bad_answer_fails_the_poll_and_keeps_the_last_snapshot(
        site: PageServer, store: Store, body: bytes, status: int, error: str) -> None:
    site.add("/weibo", (FIXTURES / "weibo.json").read_bytes())
    src = source(site)
    assert len(poll(src, store, T0).items) == 5
    site.add("/weibo", body, status=status)
    bad = poll(src, store, T0 + timedelta(minutes=5))
    assert bad.status == "failed" and bad.items == []
    assert bad.error is not None and error in bad.error
    assert len(store.collection.last_snapshot("微博热搜")) == 5  # nobody "left"
    site.add("/weibo", (FIXTURES / "weibo.json").read_bytes())
    assert poll(src, store, T0 + timedelta(minutes=10)).items == []


def test_rise_thresholds_are_options(site: PageServer, store: Store) -> None:
    site.add("/weibo", (FIXTURES / "weibo.json").read_bytes())
    src = source(site, rise_places=3, rise_heat_percent=1000)
    poll(src, store, T0)
    site.add("/weibo", second_answer())
    got = facts(poll(src, store, T0 + timedelta(minutes=5)))
    assert got[QINGSHAN][0] is None and got["男子高速逆行被查"][0] == "rising"  # 3 places


@pytest.mark.parametrize(("options", "message"), [
    ({}, "option 'platform' is required"),
    ({"platform": "myspace"}, "unknown hot-list platform 'myspace' (known: weibo, baidu"),
    ({"platform": "weibo", "rise_places": 0}, "option 'rise_places' must be a whole number"),
    ({"platform": "weibo", "rise_heat_percent": "many"}, "option 'rise_heat_percent' must be"),
    ({"platform": "weibo", "headers": {"Cookie": 1}}, "option 'headers' must be a table"),
])
def test_bad_options_name_the_source(options: dict[str, object], message: str) -> None:
    with pytest.raises(BadInput, match="source 'hot' \\(kind hotlist\\): ") as caught:
        HotlistSource(SourceConfig(name="hot", kind="hotlist", **options))
    assert message in str(caught.value)


def test_the_default_endpoint_and_media_type_and_an_override() -> None:
    plain = HotlistSource(SourceConfig(name="z", kind="hotlist", platform="zhihu"))
    assert plain.lists[0].url.startswith("https://www.zhihu.com/api/v3/feed/topstory/hot-lists")
    assert plain.lists[0].media_type == "forum"
    typed = HotlistSource(SourceConfig(name="z", kind="hotlist", platform="zhihu",
                                       media_type="news"))
    assert typed.lists[0].media_type == "news"


def test_topics_walk_the_pipeline_and_a_hotlist_rule_alerts_per_fact(
        site: PageServer, store: Store) -> None:
    config = parse_config({
        "schemes": [{"name": "青山县", "subject_words": ["青山县"]}],
        "alerts": {"rules": [{"name": "上热榜", "negative": False, "sensitive": False,
                              "hotlist": ["entered", "rising"]}]},
    })
    pipeline = Pipeline(config, store, registries=load_registries())
    src = source(site)

    def run(body: bytes, at: datetime) -> tuple[list[RawItem], Any]:
        site.add("/weibo", body)
        items = poll(src, store, at).items
        return items, pipeline.process(items)

    _, first = run((FIXTURES / "weibo.json").read_bytes(), T0)
    assert (first.stored, first.alerts) == (5, 1)  # the 青山县 topic entered
    items, second = run(second_answer(), T0 + timedelta(minutes=5))
    assert (second.stored, second.updated) == (1, 5)  # one new topic, five updates
    keys = {it.title: f"微博热搜:{it.id}" for it in items}
    stored = store.get_item(keys[QINGSHAN])
    assert stored is not None and stored.published_at == T0  # first sighting kept
    assert stored.extra["hotlist_change"] == "rising" and stored.extra["heat"] == 4500000.0
    # one story per event and fact: the update that rose alerted; the new 青山县 topic
    # joined the same event, whose "entered" was alerted already; plain updates never alert
    story = f"event:{stored.event_id}" if stored.event_id else keys[QINGSHAN]
    assert second.alerts == 1
    assert sorted(a.alert.dedup_key for a in store.list_alerts(limit=10)) == [
        f"上热榜:{story}#hotlist:entered", f"上热榜:{story}#hotlist:rising"]
    _, third = run(second_answer(), T0 + timedelta(minutes=10))
    assert third.read == 0 and third.alerts == 0
