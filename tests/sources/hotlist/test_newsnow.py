"""Tests of ``kind = "newsnow"`` (yuqing.sources.hotlist.newsnow): several lists of one
newsnow server, each with its own snapshots; a list that fails never hides the others."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pageserver import PageServer, running_page_server
from poll_helpers import poll_once

from yuqing.config import SourceConfig
from yuqing.domain import BadInput
from yuqing.sources.base import FetchResult, FetchState
from yuqing.sources.hotlist.newsnow import NewsnowSource, newsnow_list
from yuqing.store import Store

FIXTURES = Path(__file__).parents[2] / "fixtures" / "hotlist"
T0 = datetime(2024, 6, 15, 6, 0, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[PageServer]:
    with running_page_server() as s:
        s.add("/api/s?id=weibo", (FIXTURES / "newsnow-weibo.json").read_bytes())
        s.add("/api/s?id=zhihu", (FIXTURES / "newsnow-zhihu.json").read_bytes())
        yield s


def source(server: PageServer, ids: list[str]) -> NewsnowSource:
    return NewsnowSource(SourceConfig(name="nn", kind="newsnow", url=server.url("/"), ids=ids))


def poll(src: NewsnowSource, store: Store, at: datetime = T0) -> FetchResult:
    return poll_once(src, FetchState(), memory=store.collection, now=lambda: at)


def test_each_id_is_a_hot_list_of_its_own(server: PageServer, store: Store) -> None:
    result = poll(source(server, ["weibo", "zhihu"]), store)
    assert (result.status, result.error) == ("ok", None)
    assert len(result.items) == 6
    weibo, zhihu = result.items[0], result.items[4]
    assert (weibo.extra["platform"], weibo.extra["hotlist"], weibo.media_type) == (
        "newsnow/weibo", "微博热搜", "weibo")
    assert (zhihu.extra["platform"], zhihu.media_type, zhihu.url) == (
        "newsnow/zhihu", "forum", "https://www.zhihu.com/question/650001234")
    assert weibo.extra["heat"] is None and weibo.extra["hotlist_change"] == "entered"
    assert [e.key for e in store.collection.last_snapshot("nn/zhihu")] == [
        "650001234", "649987654"]

    doc = json.loads((FIXTURES / "newsnow-zhihu.json").read_text(encoding="utf-8"))
    doc["items"].reverse()
    server.add("/api/s?id=zhihu", json.dumps(doc).encode())
    later = poll(source(server, ["weibo", "zhihu"]), store, T0 + timedelta(minutes=5))
    assert [(it.extra["platform"], it.extra["rank"], it.extra["previous_rank"])
            for it in later.items] == [("newsnow/zhihu", 1, 2), ("newsnow/zhihu", 2, 1)]


@pytest.mark.parametrize(("answer", "status", "message"), [
    (b'{"status": "error", "id": "zhihu", "items": []}', 200,
     "newsnow zhihu: status 'error' is not one of success, cache"),
    (b'{"status": "success", "id": "zhihu", "updatedTime": 1, "items": []}', 200,
     "newsnow zhihu: items is empty"),
    (b'{"status": "success", "items": [{"title": "no id"}]}', 200,
     "newsnow zhihu: items[0].id missing"),
    (b"<html><head><title>500 Internal Server Error</title></head></html>", 200,
     "newsnow zhihu: the answer is an HTML page ('500 Internal Server Error')"),
    (b'{"statusCode": 500, "message": "Invalid source id"}', 500, "id=zhihu: HTTP 500"),
])
def test_a_failing_list_is_named_and_the_others_still_count(
        server: PageServer, store: Store, answer: bytes, status: int, message: str) -> None:
    server.add("/api/s?id=zhihu", answer, status=status)
    result = poll(source(server, ["weibo", "zhihu"]), store)
    assert result.status == "degraded" and len(result.items) == 4  # weibo's four
    assert result.error is not None and message in result.error
    assert store.collection.last_snapshot("nn/zhihu") == []
    alone = poll(source(server, ["zhihu"]), store)
    assert alone.status == "failed" and alone.items == []


def test_ids_are_required_and_labels_fall_back_to_the_id() -> None:
    for ids in (None, [], ["weibo", ""], "weibo"):
        with pytest.raises(BadInput, match="source 'nn' \\(kind newsnow\\): option 'ids'"):
            NewsnowSource(SourceConfig(name="nn", kind="newsnow", url="http://x", ids=ids))
    with pytest.raises(BadInput, match="option 'url' is required"):
        NewsnowSource(SourceConfig(name="nn", kind="newsnow", ids=["weibo"]))
    assert (newsnow_list("ifeng").label, newsnow_list("ifeng").media_type) == ("ifeng", "news")
    hot_video = newsnow_list("bilibili-hot-video")
    assert (hot_video.label, hot_video.media_type) == ("bilibili-hot-video", "video")
    src = NewsnowSource(SourceConfig(name="nn", kind="newsnow", url="http://h/",
                                     ids=["weibo", "weibo", "v2ex-share"]))
    assert [h.url for h in src.lists] == ["http://h/api/s?id=weibo", "http://h/api/s?id=v2ex-share"]
