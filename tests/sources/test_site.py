"""Tests of yuqing.sources.site: websites without feeds, served by real local HTTP servers.

The county site is GBK, declares its charset after 36 KB of inline CSS, and has
nav, footer, a "热点信息" box and a pager on every page, relative links under a
``<base href>`` (tests/fixtures/sites/README.md). Polls go through a real
HttpFetcher and the store's memory (``store.collection``), or through the
watcher (poller, pipeline, store, alert rules).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pageserver import Answer, PageServer, running_page_server
from poll_helpers import poll_once
from site_pages import (
    NEW_PATH,
    NEW_TITLE,
    OLD_TITLE,
    TZGG,
    ZWDT,
    page_bytes,
    publish_new_notice,
    running_county,
    serve_site,
)

from yuqing.config import SourceConfig, parse_config
from yuqing.domain import BACKFILL, BadInput
from yuqing.pipeline.urls import canonical_url
from yuqing.runtime.context import Context
from yuqing.runtime.watch import Watcher
from yuqing.sources.base import FetchState
from yuqing.sources.http import HttpFetcher
from yuqing.sources.registry import create_source, register_builtin_sources, source_registry
from yuqing.sources.site import SiteSource
from yuqing.store import Store

#: 10:00 in Shanghai on 6 March 2024: notice 1001 (5 March 10:30) is 23.5 h old
T1 = datetime(2024, 3, 6, 2, 0, tzinfo=UTC)


@pytest.fixture
def county() -> Iterator[PageServer]:
    """The county site on 127.0.0.2 (site_pages.running_county)."""
    with running_county("127.0.0.2") as server:
        yield server


def site(server: PageServer, *paths: str, **options: Any) -> SiteSource:
    return SiteSource(SourceConfig(name="青山县政府", kind="site", interval=60, delay=0,
                                   url=[server.url(p) for p in paths], **options))


def hits(server: PageServer, path: str) -> int:
    return sum(1 for p in server.paths() if p == path)


def test_county_first_poll(county: PageServer, store: Store) -> None:
    source = site(county, TZGG, ZWDT)
    result = poll_once(source, memory=store.collection, now=lambda: T1)
    by_title = {item.title: item for item in result.items}
    assert set(by_title) == {OLD_TITLE, "关于2024年第一季度城乡居民医疗保险缴费的公告",
                             "县长李明调研城区防汛排涝工作"}
    notice = by_title[OLD_TITLE]
    assert notice.url == county.url("/qsx/tzgg/202403/t20240305_1001.html")  # under <base href>
    assert "由王喆同志负责县城周边片区的督查。" in notice.text  # GBK; 喆 is not in GB2312
    assert not any(w in notice.text for w in ("当前位置", "打印本页", "主办单位", "首页"))
    assert (notice.author, notice.published_at, notice.tz) == (
        "县应急管理局", "2024-03-05 10:30", "Asia/Shanghai")
    # back-fill: older than 24 h before the first poll
    assert [BACKFILL in item.flags for item in result.items] == [
        item.title != OLD_TITLE for item in result.items]
    # three listed notices have no page: each named, the others stored anyway
    assert result.status == "degraded"
    assert sorted(str(r).rsplit("/", 1)[1] for r in result.rejected) == [
        "t20240219_985.html: HTTP 404", "t20240226_990.html: HTTP 404",
        "t20240228_993.html: HTTP 404"]
    # furniture (the 热点信息 box on both list pages) is never fetched, and remembered
    assert hits(county, "/qsx/zwgk/rdxx/202402/t20240220_901.html") == 0
    furniture = canonical_url(county.url("/qsx/zwgk/rdxx/202402/t20240220_901.html"))
    assert store.collection.unseen("青山县政府", [furniture]) == []


def test_a_new_notice_between_two_polls_is_stored_once(county: PageServer,
                                                       store_url: str) -> None:
    cfg = parse_config({
        "sources": [{"name": "青山县政府", "kind": "site", "interval": 60, "delay": 0,
                     "url": [county.url(TZGG), county.url(ZWDT)]}],
        "schemes": [{"name": "县情",
                     "subject_words": ["森林防火", "防汛", "医疗保险", "义务植树"]}],
        "alerts": {"rules": [{"name": "r", "negative": False, "sensitive": False,
                              "channels": ["quiet"]}],
                   "channels": [{"name": "quiet", "kind": "console", "style": "line"}]},
    })
    ctx = Context(config=cfg, database_url=store_url)
    clock = [T1]
    watcher = Watcher(ctx, clock=lambda: clock[0], fetcher=HttpFetcher(delay=0.0))
    try:
        first = watcher.round()
        assert (first.stored, first.rejected) == (3, 3)
        # the back-filled notices (4 and 5 days old) match the scheme but never alert
        stored = {it.title: it for it in ctx.store.iter_items(limit=10)}
        backfill = [it for it in stored.values() if BACKFILL in it.flags]
        assert len(backfill) == 2 and all(it.schemes for it in backfill)
        assert first.alerts == ctx.store.count_alerts() == 1

        publish_new_notice(county)
        clock[0] = T1 + timedelta(minutes=2)
        second = watcher.round()
        assert (second.stored, second.updated, second.alerts) == (1, 0, 1)
        new = ctx.store.get_item("url:" + canonical_url(county.url(NEW_PATH)))
        assert new is not None and new.title == NEW_TITLE and BACKFILL not in new.flags

        clock[0] = T1 + timedelta(minutes=4)
        third = watcher.round()
        assert (third.stored, third.updated, third.rejected) == (0, 0, 0)
    finally:
        watcher.close()
        ctx.close()
    assert hits(county, NEW_PATH) == 1
    assert hits(county, "/qsx/tzgg/202403/t20240305_1001.html") == 1
    assert hits(county, "/qsx/tzgg/202402/t20240226_990.html") == 1  # 404: never asked again
    # conditional GETs: the third round found both list pages unchanged (304)
    for path, etags in ((ZWDT, [None, '"v1"', '"v1"']), (TZGG, [None, '"v1"', '"v2"'])):
        assert [h.headers.get("if-none-match") for h in county.hits if h.path == path] == etags


@pytest.mark.parametrize(("body", "why"), [
    ("<html><head><title>404 页面不存在</title></head><body><div class='nav'>"
     "<a href='/'>首页</a></div><p>您访问的页面不存在或已被删除。</p></body></html>",
     "an error page"),
    ("<html><head><title>统一身份认证</title></head><body><form>用户名 <input name='u'> 密码 "
     "<input type='password'> <button>登录</button></form></body></html>", "a login wall"),
    ("<html><body><p>访问过于频繁，请输入验证码：</p><img src='/captcha.jpg'>"
     "<input name='code'></body></html>", "a captcha page"),
    ("", "an empty page"),
])
def test_list_page_that_is_no_list_fails_without_items(body: str, why: str) -> None:
    with running_page_server() as server:
        server.add("/list.html", body, headers={"Content-Type": "text/html; charset=utf-8"})
        result = poll_once(site(server, "/list.html"))
    assert (result.status, result.items) == ("failed", [])
    assert result.error is not None
    assert result.error.startswith(server.url("/list.html") + ": " + why)


def test_unknown_encoding_is_refused_and_robots_named() -> None:
    noise = bytes(range(0x80, 0x100)) * 8
    with running_page_server() as server:
        server.add("/list.html", b"<html><body><ul><li>" + noise + b"</li></ul></body></html>",
                   headers={"Content-Type": "text/html; charset=x-klingon"})
        server.add("/robots.txt", "User-agent: *\nDisallow: /private/\n")
        server.add("/private/list.html", "<html></html>")
        bad = poll_once(site(server, "/list.html"))
        forbidden = poll_once(site(server, "/private/list.html"))
    assert bad.status == "failed" and bad.error is not None
    assert bad.error.startswith(server.url("/list.html") + ": unknown encoding")
    assert forbidden.status == "failed" and "robots.txt forbids" in (forbidden.error or "")


def test_an_empty_list_page_does_not_stop_the_others(store: Store) -> None:
    with running_page_server() as server:
        serve_site(server, "school", content_type="text/html; charset=utf-8")
        server.add("/empty.htm", "", headers={"Content-Type": "text/html; charset=utf-8"})
        got = poll_once(site(server, "/empty.htm", "/xwdt.htm"), memory=store.collection,
                        now=lambda: T1)
    assert got.status == "degraded" and len(got.items) >= 1
    assert (got.error or "").startswith(server.url("/empty.htm") + ": an empty page")


def test_bad_articles_are_reported_and_do_not_stop_the_others(store: Store) -> None:
    with running_page_server() as server:
        serve_site(server, "school", content_type="text/html; charset=utf-8")
        server.add("/info/1011/2340.htm", b"<html><body><p>" + bytes(range(0x80, 0x100)) * 8
                   + b"</p></body></html>", headers={"Content-Type": "text/html; charset=utf-8"})
        server.add("/info/1011/2330.htm", "Bad Gateway", status=502)
        first = poll_once(site(server, "/xwdt.htm"), memory=store.collection, now=lambda: T1)
        assert [item.title for item in first.items] == ["我校召开2024届高三毕业班教学质量分析会"]
        reasons = sorted(str(r).split(": ", 1)[1] for r in first.rejected)
        assert reasons[0] == "HTTP 502"
        assert reasons[1].startswith("unknown encoding")
        second = poll_once(site(server, "/xwdt.htm"), FetchState(cursor=first.cursor),
                           memory=store.collection, now=lambda: T1)
    # the 502 is asked again at the next poll; the undecodable page is not
    assert [str(r).split(": ", 1)[1] for r in second.rejected] == ["HTTP 502"]
    assert server.paths().count("/info/1011/2340.htm") == 1
    assert server.paths().count("/info/1011/2330.htm") == 2
    assert server.paths().count("/info/1011/2345.htm") == 1


def test_endless_calendar_costs_at_most_max_new_per_poll(store: Store) -> None:
    polls = [0]

    def calendar(headers: Mapping[str, str]) -> Answer:
        polls[0] += 1
        days = "".join(
            f"<li><a href='/day/{polls[0]}/{n}.html'>第{polls[0]}期日程安排第{n}项活动通知</a></li>"
            for n in range(300))
        return Answer(f"<html><body><ul>{days}</ul></body></html>".encode(),
                      headers={"Content-Type": "text/html; charset=utf-8"})

    def day(headers: Mapping[str, str]) -> Answer:
        return Answer("<html><head><title>日程</title></head><body><h1>日程</h1><div id='zoom'>"
                      "<p>今天全县开展植树造林活动，各单位按时参加。</p></div></body></html>".encode(),
                      headers={"Content-Type": "text/html; charset=utf-8"})

    with running_page_server() as server:
        server.add("/cal.html", calendar)
        for p in (1, 2):
            for n in range(300):
                server.add(f"/day/{p}/{n}.html", day)
        source = site(server, "/cal.html", max_new_per_poll=5)
        first = poll_once(source, memory=store.collection, now=lambda: T1)
        second = poll_once(source, FetchState(cursor=first.cursor), memory=store.collection,
                           now=lambda: T1)
    assert len(first.items) == len(second.items) == 5
    assert sum(p.startswith("/day/") for p in server.paths()) == 10
    assert "295 more new links wait for the next poll" in (first.error or "")


def test_options_are_checked_naming_source_and_key() -> None:
    registry = register_builtin_sources(source_registry())

    def error(**options: Any) -> str:
        cfg = SourceConfig(name="县政府网", kind="site", **options)
        with pytest.raises(BadInput) as caught:
            create_source(registry, cfg)
        return str(caught.value)

    assert error(url="http://x.cn/", link_pattern="art_(") == (
        "source '县政府网' (kind site): option 'link_pattern': 'art_(' is not a regular "
        "expression (missing ), unterminated subpattern at position 4)")
    assert error(url="http://x.cn/", content_selector="div[").startswith(
        "source '县政府网' (kind site): option 'content_selector': 'div[' is not a CSS selector")
    assert error().startswith("source '县政府网' (kind site): option 'url' is required")
    assert error(url="x.cn/list").endswith("'x.cn/list' is not an http(s) URL")
    assert error(url="http://x.cn/", charset="klingon").endswith("'klingon' is not a known charset")
    assert "unknown key 'link_patern' — did you mean 'link_pattern'?" in error(
        url="http://x.cn/", link_patern="x")
    assert isinstance(create_source(registry, SourceConfig(
        name="s", kind="site", url="http://x.cn/", max_new_per_poll=3)), SiteSource)


def test_render_without_chromium_is_a_clear_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUQING_CHROMIUM", "/nonexistent/chromium")
    with running_page_server() as server:
        serve_site(server, "hospital", content_type="text/html; charset=utf-8")
        result = poll_once(site(server, "/news/list_3.html", render=True))
    assert result.status == "failed"
    assert "render = true needs Debian's chromium at /nonexistent/chromium" in (result.error or "")


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(),
                    reason="Debian's chromium is not installed (/usr/bin/chromium)")
def test_render_runs_the_list_pages_script(store: Store) -> None:
    pytest.importorskip("playwright.async_api", reason="playwright is not installed")
    script = ("<html><head><title>医院新闻</title></head><body><ul id='l'></ul><script>"
              "fetch('/api/news.json').then(r => r.json()).then(rows => {"
              "for (const r of rows) { const li = document.createElement('li');"
              "li.innerHTML = `<a href='${r.url}'>${r.title}</a>`;"
              "document.getElementById('l').appendChild(li); } });</script></body></html>")
    with running_page_server() as server:
        serve_site(server, "hospital", content_type="text/html; charset=utf-8")
        server.add("/news/js.html", script, headers={"Content-Type": "text/html; charset=utf-8"})
        server.add("/api/news.json", '[{"url": "/news/show-1200.html", "title": '
                   '"我院成功救治一名重症心肌梗死患者"}]',
                   headers={"Content-Type": "application/json"})
        result = poll_once(site(server, "/news/js.html", render=True), memory=store.collection,
                           now=lambda: T1)
    assert [item.title for item in result.items] == ["我院成功救治一名重症心肌梗死患者"]


def test_a_page_over_5_mb_is_cut_and_flagged(store: Store) -> None:
    article = page_bytes("hospital", "/news/show-1200.html").replace(
        b"</body>", b"<!--" + b"x" * (5 * 1024 * 1024) + b"--></body>")
    with running_page_server() as server:
        serve_site(server, "hospital", content_type="text/html; charset=utf-8")
        server.add("/news/show-1200.html", article,
                   headers={"Content-Type": "text/html; charset=utf-8"})
        result = poll_once(site(server, "/news/list_3.html"), memory=store.collection,
                           now=lambda: T1)
    flagged = {item.title: item.flags for item in result.items}
    assert flagged["我院成功救治一名重症心肌梗死患者"] == ["truncated", BACKFILL]
    assert flagged["关于调整门诊部分科室就诊时间的通知"] == [BACKFILL]
