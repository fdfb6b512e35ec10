"""Tests of ``kind = "search"`` (yuqing.sources.search): queries from the schemes, RSS and
JSON Feed answers from a local server, de-duplication across queries and polls, HTML
answers and other failures named."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from pageserver import PageServer, running_page_server
from poll_helpers import poll_once

from yuqing.config import SchemeConfig, SourceConfig
from yuqing.domain import BadInput
from yuqing.sources.base import FetchResult, FetchState
from yuqing.sources.search import SearchSource, scheme_queries
from yuqing.store import Store

FIXTURES = Path(__file__).parents[1] / "fixtures" / "search"
T0 = datetime(2024, 6, 15, 6, 0, tzinfo=UTC)
COUNTY = SchemeConfig(name="青山县", region_words=["青山县"], subject_words=["食物中毒", "暴雨"])
BLOCKED = (b"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>\xe5\xae\x89\xe5\x85\xa8"
           b"\xe9\xaa\x8c\xe8\xaf\x81</title></head><body>captcha</body></html>")


def test_queries_from_the_schemes() -> None:
    assert scheme_queries([COUNTY], "s") == [
        ("青山县 食物中毒", "青山县"), ("青山县 暴雨", "青山县")]
    hospital = SchemeConfig(name="医院", subject_words=["县人民医院", "县医院"],
                            search_queries=["青山县人民医院  投诉", "青山县 暴雨"])
    regions = SchemeConfig(name="乡镇", region_words=["东山镇", "西河乡"])
    elsewhere = SchemeConfig(name="别处", subject_words=["学校"], sources=["gov-rss"])
    expr = SchemeConfig(name="表达式", expression="青山 AND 学校")
    assert scheme_queries([COUNTY, hospital, regions, elsewhere, expr], "s") == [
        ("青山县 食物中毒", "青山县"), ("青山县 暴雨", "青山县"), ("青山县人民医院 投诉", "医院"),
        ("东山镇", "乡镇"), ("西河乡", "乡镇")]
    assert ("学校", "别处") in scheme_queries([elsewhere], "gov-rss")


@pytest.fixture
def site() -> Iterator[PageServer]:
    with running_page_server() as server:
        rss = {"Content-Type": "application/rss+xml; charset=utf-8"}
        server.add("/rss/" + quote("青山县 食物中毒", safe=""),
                   (FIXTURES / "poisoning.xml").read_bytes(), headers=rss)
        server.add("/rss/" + quote("青山县 暴雨", safe=""),
                   (FIXTURES / "rainstorm.xml").read_bytes(), headers=rss)
        server.add("/json/" + quote("青山县 暴雨", safe=""),
                   (FIXTURES / "rainstorm.json").read_bytes(),
                   headers={"Content-Type": "application/feed+json"})
        yield server


def source(site: PageServer, path: str = "/rss/{query}", **options: object) -> SearchSource:
    return SearchSource(SourceConfig(name="新闻搜索", kind="search", url=site.url(path),
                                     media_type="news", **options))


def poll(src: SearchSource, store: Store, schemes: list[SchemeConfig],
         state: FetchState | None = None) -> FetchResult:
    return poll_once(src, state or FetchState(), memory=store.collection, schemes=schemes,
                     now=lambda: T0)


def test_results_deduplicated_across_queries_and_polls(site: PageServer, store: Store) -> None:
    src = source(site)
    first = poll(src, store, [COUNTY])
    assert (first.status, first.error) == ("ok", None)
    assert [(it.title, it.extra["search_query"]) for it in first.items] == [
        ("青山县一中学食堂发生疑似食物中毒 32名学生送医", "青山县 食物中毒"),
        ("青山县市场监管局抽检校园食堂", "青山县 食物中毒"),
        ("青山县遭遇强降雨 县应急局启动四级响应", "青山县 暴雨"),
    ]  # article 1001 came back for 暴雨 under another spelling of its URL: once
    item = first.items[0]
    assert (item.source, item.media_type, item.published_at, item.extra["search_scheme"]) == (
        "新闻搜索", "news", "Sat, 15 Jun 2024 12:40:00 +0800", "青山县")
    assert "<b>青山县</b>" in item.text  # HTML kept for the normaliser, as rss.py does
    again = poll(src, store, [COUNTY])
    assert (again.status, again.items) == ("ok", [])  # asked again, all seen
    assert len([h for h in site.hits if h.path.startswith("/rss/")]) == 4


def test_a_json_feed_answer(site: PageServer, store: Store) -> None:
    scheme = SchemeConfig(name="汛情", search_queries=["青山县 暴雨"])
    result = poll(source(site, "/json/{query}"), store, [scheme])
    assert [it.title for it in result.items] == [
        "青山县遭遇强降雨 县应急局启动四级响应", "青山县城东积水严重", "只有标题没有链接也没有正文"]
    first, forum, headline = result.items
    assert (first.author, first.published_at, first.guid) == (
        "青山日报", "2024-06-15T06:20:00+08:00",
        "https://www.county-news.example.cn/news/2024/06/15/1003.html")
    assert "<b>青山县</b>" in first.text and forum.author == "老张"
    assert (headline.url, headline.guid, headline.text) == (
        None, "rsshub-78", "只有标题没有链接也没有正文")
    assert result.status == "degraded" and len(result.rejected) == 1
    assert "/json/" in str(result.rejected[0]) and "#4: entry has no content" in str(
        result.rejected[0])


def test_an_html_answer_is_a_clear_error_and_never_items(site: PageServer, store: Store) -> None:
    site.add("/rss/" + quote("青山县 暴雨", safe=""), BLOCKED,
             headers={"Content-Type": "text/html; charset=utf-8"})
    result = poll(source(site), store, [COUNTY])
    assert result.status == "degraded" and len(result.items) == 2  # 食物中毒's two
    assert result.error == (site.url("/rss/" + quote("青山县 暴雨", safe="")) +
                            ": the answer is an HTML page ('安全验证') (a login wall, a captcha "
                            "or an error page?), not a feed")
    only = SchemeConfig(name="汛情", search_queries=["青山县 暴雨"])
    blocked = poll(source(site), store, [only])
    assert blocked.status == "failed" and blocked.items == []


@pytest.mark.parametrize(("body", "status", "message"), [
    (b"Service Unavailable", 503, "HTTP 503"),
    (b"plain words, no feed", 200, "not a feed"),
    (b'{"results": []}', 200, "not a JSON Feed (version of jsonfeed.org and items expected)"),
])
def test_other_failures_are_named(site: PageServer, store: Store, body: bytes, status: int,
                                  message: str) -> None:
    site.add("/rss/" + quote("青山县 暴雨", safe=""), body, status=status)
    only = SchemeConfig(name="汛情", search_queries=["青山县 暴雨"])
    result = poll(source(site), store, [only])
    assert result.status == "failed" and result.error is not None and message in result.error


def test_queries_take_turns_past_max_queries(site: PageServer, store: Store) -> None:
    src = source(site, max_queries=1)
    first = poll(src, store, [COUNTY])
    assert {it.extra["search_query"] for it in first.items} == {"青山县 食物中毒"}
    assert first.cursor == "1"
    second = poll(src, store, [COUNTY], first.next_state(FetchState()))
    assert [it.extra["search_query"] for it in second.items] == ["青山县 暴雨"]
    assert second.cursor == "0"


def test_no_query_to_ask_fails_with_the_reason(site: PageServer, store: Store) -> None:
    result = poll(source(site), store, [SchemeConfig(name="表达式", expression="青山")])
    assert result.status == "failed" and result.error is not None
    assert "no query to ask" in result.error and site.hits == []


@pytest.mark.parametrize(("options", "message"), [
    ({}, "option 'url' is required"),
    ({"url": "http://x/rss?q=fixed"}, "option 'url' must contain {query}"),
    ({"url": "http://x/{query}", "max_queries": 0}, "option 'max_queries' must be a whole"),
])
def test_bad_options_name_the_source(options: dict[str, object], message: str) -> None:
    with pytest.raises(BadInput, match="source 's' \\(kind search\\): ") as caught:
        SearchSource(SourceConfig(name="s", kind="search", **options))
    assert message in str(caught.value)


def test_the_query_is_url_encoded_into_the_template() -> None:
    src = SearchSource(SourceConfig(name="s", kind="search", url="https://h/s?q={query}&f=rss"))
    assert src.url_for("青山县 A&B/C") == (
        "https://h/s?q=%E9%9D%92%E5%B1%B1%E5%8E%BF%20A%26B%2FC&f=rss")
