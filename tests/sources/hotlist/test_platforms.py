"""Tests of yuqing.sources.hotlist.platforms: every platform's adapter on its recorded-shape
answer (tests/fixtures/hotlist), and answers whose shape changed."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from yuqing.domain import BadInput
from yuqing.sources.answers import ShapeError
from yuqing.sources.hotlist.platforms import PLATFORMS, platform

FIXTURES = Path(__file__).parents[2] / "fixtures" / "hotlist"

#: platform -> (topics, first key, first heat, first url); ads, pinned and header entries
#: of the fixtures are not topics
EXPECTED: dict[str, tuple[int, str, float | None, str]] = {
    "weibo": (5, "青山县通报一中学食堂食物中毒事件", 2851764.0,
              "https://s.weibo.com/weibo?q=%23%E9%9D%92%E5%B1%B1%E5%8E%BF%E9%80%9A%E6%8A%A5"),
    "baidu": (4, "青山县暴雨", 4960253.0, "https://www.baidu.com/s?wd=%E9%9D%92%E5%B1%B1"),
    "zhihu": (4, "650001234", 15240000.0, "https://www.zhihu.com/question/650001234"),
    "toutiao": (4, "7380468231876543210", 32561287.0,
                "https://www.toutiao.com/trending/7380468231876543210/"),
    "douyin": (4, "1788990", 11809876.0, "https://www.douyin.com/hot/1788990"),
    "bilibili": (4, "青山县暴雨", 2871234.0,
                 "https://search.bilibili.com/all?keyword=%E9%9D%92%E5%B1%B1"),
    "thepaper": (3, "27765432", None, "https://www.thepaper.cn/newsDetail_forward_27765432"),
    "tieba": (3, "226001", 1932045.0,
              "https://tieba.baidu.com/hottopic/browse/hottopic?topic_id=226001"),
    "qq-news": (3, "20240615A03XYZ00", 5123456.0, "https://new.qq.com/rain/a/20240615A03XYZ00"),
    "netease": (3, "J3K4L5M60514R9P4", None,
                "https://www.163.com/dy/article/J3K4L5M60514R9P4.html"),
}


def fixture_path(name: str) -> Path:
    return FIXTURES / (f"{name}.html" if name == "baidu" else f"{name}.json")


def answer(name: str) -> Any:
    return json.loads(fixture_path(name).read_text(encoding="utf-8"))


def test_at_least_eight_platforms_each_with_a_fixture() -> None:
    assert len(PLATFORMS) >= 8 and set(EXPECTED) == set(PLATFORMS)
    assert all(fixture_path(name).exists() for name in PLATFORMS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_platform_reads_its_recorded_answer(name: str) -> None:
    count, key, heat, url = EXPECTED[name]
    entries = PLATFORMS[name].parse(fixture_path(name).read_bytes())
    assert len(entries) == count
    assert [e.rank for e in entries] == list(range(1, count + 1))
    assert len({e.key for e in entries}) == count
    first = entries[0]
    assert (first.key, first.heat) == (key, heat)
    assert first.url is not None and first.url.startswith(url)
    assert "青山县" in first.title
    assert all(e.title.strip() and e.url for e in entries)


def test_skipped_entries_are_not_topics_and_do_not_take_a_rank() -> None:
    weibo = [e.title for e in PLATFORMS["weibo"].parse(fixture_path("weibo").read_bytes())]
    assert "某品牌手机新品发布会" not in weibo and weibo[2] == "南方多地进入主汛期"  # the ad
    baidu = [e.title for e in PLATFORMS["baidu"].parse(fixture_path("baidu").read_bytes())]
    assert "坚定不移推进高质量发展" not in baidu  # the pinned isTop entry
    qq = [e.title for e in PLATFORMS["qq-news"].parse(fixture_path("qq-news").read_bytes())]
    assert "腾讯新闻热点榜" not in qq  # the list's header card


def _without(doc: Any, path: str) -> bytes:
    """``doc`` with the field at dotted ``path`` removed, as JSON bytes."""
    doc = copy.deepcopy(doc)
    *parents, last = path.split(".")
    node = doc
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    del node[int(last) if last.isdigit() else last]
    return json.dumps(doc, ensure_ascii=False).encode()


@pytest.mark.parametrize(("name", "removed", "message"), [
    ("weibo", "data.realtime", "weibo: data.realtime missing"),
    ("weibo", "data.realtime.1.word", "weibo: data.realtime[1].word missing"),
    ("weibo", "data.realtime.0.num", "weibo: data.realtime[0].num missing"),
    ("zhihu", "data.2.target.title", "zhihu: data[2].target.title missing"),
    ("zhihu", "data.0.target.id", "zhihu: data[0].target.id missing"),
    ("toutiao", "data.0.ClusterIdStr", "toutiao: data[0].ClusterIdStr missing"),
    ("douyin", "data.word_list", "douyin: data.word_list missing"),
    ("bilibili", "list.3.show_name", "bilibili: list[3].show_name missing"),
    ("thepaper", "data", "thepaper: data missing"),
    ("tieba", "data.bang_topic", "tieba: data.bang_topic missing"),
    ("qq-news", "idlist.0", "qq-news: idlist[0] missing"),
    ("netease", "data.list.0.docid", "netease: data.list[0].docid missing"),
])
def test_a_changed_shape_is_an_error_naming_the_field(name: str, removed: str,
                                                      message: str) -> None:
    with pytest.raises(ShapeError) as caught:
        PLATFORMS[name].parse(_without(answer(name), removed))
    assert str(caught.value) == message


def test_the_baidu_page_without_its_data_comment_names_it() -> None:
    page = fixture_path("baidu").read_bytes()
    changed = page.replace(b"<!--s-data:", b"<!--other:")
    with pytest.raises(ShapeError, match="baidu: the page comment <!--s-data:...--> missing"):
        PLATFORMS["baidu"].parse(changed)
    data = json.loads(page.split(b"<!--s-data:")[1].split(b"-->")[0])
    del data["data"]["cards"][0]["content"]
    moved = page.split(b"<!--s-data:")[0] + b"<!--s-data:" + json.dumps(data).encode() + b"-->"
    with pytest.raises(ShapeError, match=r"baidu: data.cards\[0\].content missing"):
        PLATFORMS["baidu"].parse(moved)


@pytest.mark.parametrize(("body", "message"), [
    (b"<!DOCTYPE html><html><head><title>Sina Visitor System</title></head><body></body></html>",
     "weibo: the answer is an HTML page ('Sina Visitor System') (a login wall, a captcha or "
     "an error page?), not JSON"),
    (b"", "weibo: the answer is empty"),
    (b'{"ok": 1, "data": {"realtime": []}}', "weibo: data.realtime is empty"),
    (b'{"ok": 1, "data": {"realtime": {"word": "x"}}}',
     "weibo: data.realtime is not a list (got dict)"),
    (b'{"ok": -100, "url": "https://passport.weibo.com/visitor"}', "weibo: data missing"),
    (b'{"ok": 1, "data": {"realtime": [{"word": "ad", "num": 1, "is_ad": 1}]}}',
     "weibo: none of the 1 entries of data.realtime is a topic (all ads or pinned?)"),
    (b'{"ok": 1, "data": {"realtime": ["x"]}}', "weibo: data.realtime[0] is not an object"),
    (b'{"ok": 1, "data": {"realtime": [{"word": "  ", "num": 1}]}}',
     "weibo: data.realtime[0].word is empty"),
    (b'{"ok": 1, "data": {"realtime": [{"word": null, "num": 1}]}}',
     "weibo: data.realtime[0].word is not text (got NoneType)"),
    (b"\xff\xfe not json", "weibo: the answer is not JSON"),
])
def test_bad_answers_are_clear_errors(body: bytes, message: str) -> None:
    with pytest.raises(ShapeError) as caught:
        PLATFORMS["weibo"].parse(body)
    assert str(caught.value).startswith(message)


def test_duplicate_topics_are_kept_once_at_their_best_place() -> None:
    doc = answer("toutiao")
    doc["data"].insert(2, copy.deepcopy(doc["data"][0]))
    entries = PLATFORMS["toutiao"].parse(json.dumps(doc).encode())
    assert [e.rank for e in entries] == [1, 2, 3, 4] and len({e.key for e in entries}) == 4


def test_an_unknown_platform_names_the_known_ones() -> None:
    with pytest.raises(BadInput, match="source 'x': unknown hot-list platform 'twitter' "
                                       r"\(known: weibo, baidu, zhihu"):
        platform("twitter", "source 'x'")
