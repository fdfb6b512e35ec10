"""Tests of yuqing.sources.http (HttpFetcher) against real local HTTP servers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import TypeVar

import pytest
from pageserver import Answer, Hit, PageServer, running_page_server

from yuqing.config import SourceConfig
from yuqing.domain import BadInput
from yuqing.sources.http import HttpFetcher, content_charset
from yuqing.sources.polling import FetchError, Page

T = TypeVar("T")


@pytest.fixture
def site() -> Iterator[PageServer]:
    """A page server on 127.0.0.1 (no robots.txt unless a test adds one)."""
    with running_page_server() as server:
        yield server


@pytest.fixture
def other_site() -> Iterator[PageServer]:
    """A page server on another host, 127.0.0.2."""
    with running_page_server("127.0.0.2") as server:
        yield server


def fetch(use: Callable[[HttpFetcher], Awaitable[T]], **options: float) -> T:
    """Run ``use(fetcher)`` on a new event loop with a fetcher of no delay (unless given)."""
    async def run() -> T:
        fetcher = HttpFetcher(**{"delay": 0.0, **options})
        try:
            return await use(fetcher)
        finally:
            await fetcher.aclose()
    return asyncio.run(run())


def get(url: str, **kwargs: object) -> Page:
    """One GET through a fresh fetcher."""
    return fetch(lambda f: f.get(url, **kwargs))  # type: ignore[arg-type]


def error_of(url: str, **kwargs: object) -> FetchError:
    """The FetchError one GET of ``url`` raises."""
    with pytest.raises(FetchError) as caught:
        get(url, **kwargs)
    return caught.value


def page_hits(server: PageServer, prefix: str) -> list[Hit]:
    return sorted((h for h in server.hits if h.path.startswith(prefix)), key=lambda h: h.start)


def test_one_request_at_a_time_per_host_while_other_hosts_go_on(
        site: PageServer, other_site: PageServer) -> None:
    for n in range(3):
        site.add(f"/a{n}", f"page {n}", delay=0.2)
    other_site.add("/b", "other", delay=0.2)

    async def use(fetcher: HttpFetcher) -> list[Page]:
        urls = [site.url(f"/a{n}") for n in range(3)] + [other_site.url("/b")]
        return list(await asyncio.gather(*(fetcher.get(u) for u in urls)))

    pages = fetch(use)
    assert [p.body for p in pages] == [b"page 0", b"page 1", b"page 2", b"other"]
    same_host = page_hits(site, "/a")
    assert len(same_host) == 3
    for before, after in zip(same_host, same_host[1:], strict=False):
        assert after.start >= before.end  # never two at once on one host
    (other,) = page_hits(other_site, "/b")
    assert any(other.start < a.end and a.start < other.end for a in same_host)


def test_configured_delay_separates_requests_to_a_host(site: PageServer) -> None:
    site.add("/p1", "1")
    site.add("/p2", "2")

    async def use(fetcher: HttpFetcher) -> None:
        fetcher.configure(site.url("/"), delay=0.3)
        await asyncio.gather(fetcher.get(site.url("/p1")), fetcher.get(site.url("/p2")))

    fetch(use)
    hits = sorted(site.hits, key=lambda h: h.start)
    assert [h.path for h in hits][0] == "/robots.txt"
    for before, after in zip(hits, hits[1:], strict=False):
        assert after.start - before.end >= 0.29


def test_robots_txt_forbids_with_a_clear_reason_and_is_fetched_once(
        site: PageServer, other_site: PageServer) -> None:
    site.add("/robots.txt", "User-agent: *\nDisallow: /private\n\n"
                            "User-agent: otherbot\nDisallow: /\n")
    site.add("/public", "ok")
    site.add("/private/1", "secret")

    async def use(fetcher: HttpFetcher) -> list[Page | BaseException]:
        return list(await asyncio.gather(
            fetcher.get(site.url("/public")), fetcher.get(site.url("/private/1")),
            fetcher.get(site.url("/public")), return_exceptions=True))

    public, private, again = fetch(use)
    assert isinstance(public, Page) and public.body == b"ok" and isinstance(again, Page)
    assert isinstance(private, FetchError)
    assert private.reason == "robots.txt forbids fetching /private/1"
    assert str(private) == f"{site.url('/private/1')}: robots.txt forbids fetching /private/1"
    assert site.paths().count("/robots.txt") == 1
    assert "/private/1" not in site.paths()
    # a group naming our product token wins over the * group
    other_site.add("/robots.txt", "User-agent: yuqing\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    other_site.add("/news", "ok")
    assert error_of(other_site.url("/news")).reason == "robots.txt forbids fetching /news"


def test_missing_robots_allows_and_unreachable_robots_forbids(
        site: PageServer, other_site: PageServer) -> None:
    site.add("/page", "ok")  # robots.txt answers 404
    assert get(site.url("/page")).body == b"ok"
    other_site.add("/robots.txt", "down", status=503)
    other_site.add("/page", "ok")
    error = error_of(other_site.url("/page"))
    assert error.reason.startswith("robots.txt unreachable (HTTP 503)")
    assert "/page" not in other_site.paths()


def test_redirects_on_the_same_host_are_followed(site: PageServer) -> None:
    site.add("/old", status=301, headers={"Location": "/mid"})
    site.add("/mid", status=302, headers={"Location": site.url("/new")})
    site.add("/new", "moved here")
    page = get(site.url("/old"))
    assert (page.url, page.status, page.body) == (site.url("/new"), 200, b"moved here")


def test_redirect_to_another_host_only_when_allowed(
        site: PageServer, other_site: PageServer) -> None:
    other_site.add("/x", "elsewhere")
    site.add("/away", status=302, headers={"Location": other_site.url("/x")})
    error = error_of(site.url("/away"))
    assert error.reason.startswith("redirect to other host 127.0.0.2")
    assert other_site.paths() == []
    page = get(site.url("/away"), allow_hosts=frozenset({"127.0.0.2"}))
    assert (page.url, page.body) == (other_site.url("/x"), b"elsewhere")


def test_redirect_loop_is_an_error(site: PageServer) -> None:
    site.add("/loop", status=302, headers={"Location": "/loop"})
    assert error_of(site.url("/loop")).reason == "more than 10 redirects"


def test_body_is_cut_at_max_bytes_and_flagged(site: PageServer) -> None:
    site.add("/big", b"x" * 100_000)
    site.add("/exact", b"y" * 100)
    big = get(site.url("/big"), max_bytes=1000)
    assert (len(big.body), big.truncated) == (1000, True)
    exact = get(site.url("/exact"), max_bytes=100)
    assert (len(exact.body), exact.truncated) == (100, False)


def test_conditional_get_gives_a_304_page_with_the_validators(site: PageServer) -> None:
    def answer(headers: Mapping[str, str]) -> Answer:
        if headers.get("if-none-match") == '"v1"':
            return Answer(status=304)
        return Answer(b"<rss/>", headers={"ETag": '"v1"', "Last-Modified": "Tue, 05 Mar 2024 "
                                          "00:00:00 GMT", "Content-Type": "text/xml; charset=gbk"})

    site.add("/feed", answer)
    first = get(site.url("/feed"))
    assert (first.status, first.etag, first.not_modified) == (200, '"v1"', False)
    assert content_charset(first.headers) == "gbk"
    second = get(site.url("/feed"), etag=first.etag, last_modified=first.last_modified)
    assert (second.status, second.body, second.not_modified) == (304, b"", True)
    assert (second.etag, second.last_modified) == (first.etag, first.last_modified)
    sent = site.hits[-1].headers
    assert sent["if-modified-since"] == first.last_modified
    assert sent["user-agent"].startswith("yuqing/")


def test_http_errors_timeouts_and_refused_connections_are_fetch_errors(
        site: PageServer) -> None:
    site.add("/gone", "no", status=404)
    site.add("/slow", "late", delay=1.0)
    assert error_of(site.url("/gone")).reason == "HTTP 404"

    async def slow(fetcher: HttpFetcher) -> FetchError:
        fetcher.configure_source(SourceConfig(name="gov", kind="site", timeout=0.2,
                                              url=["http://a.example.cn/", site.url("/list")]))
        with pytest.raises(FetchError) as caught:
            await fetcher.get(site.url("/slow"))
        return caught.value

    assert fetch(slow).reason == "timeout after 0.2 s"
    assert "ConnectError" in error_of("http://127.0.0.1:9/x").reason
    assert error_of("ftp://example.cn/x").reason == "not an http(s) URL"


def test_configure_source_refuses_bad_values() -> None:
    fetcher = HttpFetcher()
    bad = SourceConfig(name="gov", kind="site", url="http://a.example.cn/", delay="slow")
    with pytest.raises(BadInput, match="source 'gov': option 'delay' must be a number"):
        fetcher.configure_source(bad)
    with pytest.raises(BadInput, match="'timeout' must be a number of seconds > 0"):
        fetcher.configure_source(SourceConfig(name="gov", kind="site", url="x", timeout=0))
    asyncio.run(fetcher.aclose())


def test_content_charset() -> None:
    assert content_charset({"content-type": 'text/html; charset="GB2312"'}) == "gb2312"
    assert content_charset({"content-type": "text/html"}) is None
    assert content_charset({}) is None
