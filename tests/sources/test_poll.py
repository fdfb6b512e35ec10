"""Tests of yuqing.sources.poll: due sources polled at once, each failure its own."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import httpx
import pytest
from feedserver import FEEDS
from pageserver import PageServer, running_page_server
from poll_helpers import NoMemory

from yuqing.config import SourceConfig
from yuqing.domain import BadInput, RawItem
from yuqing.sources.base import ConfiguredSource, FetchResult, FetchState
from yuqing.sources.health import SourceHealth
from yuqing.sources.http import HttpFetcher
from yuqing.sources.poll import poll_due, prepare
from yuqing.sources.polling import AnySource, PollEnv
from yuqing.sources.rss import RssSource

T0 = datetime(2024, 3, 5, 8, 0, tzinfo=UTC)


class _Fake(ConfiguredSource):
    """A blocking Source: ``ok``, ``raise``, ``finite`` or ``hang`` (sleeps 0.5 s)."""

    supports_conditional_get: ClassVar[bool] = False
    is_finite: ClassVar[bool] = False
    is_remote: ClassVar[bool] = False

    def __init__(self, name: str, behaviour: str, **options: object) -> None:
        self._config = SourceConfig(name=name, kind="fake", interval=60, **options)
        self.behaviour = behaviour
        self.calls = 0

    def fetch(self, state: FetchState) -> FetchResult:
        self.calls += 1
        if self.behaviour == "raise":
            raise RuntimeError("kaput")
        if self.behaviour == "hang":
            time.sleep(0.5)
        item = RawItem(source=self.name, text="t", fetched_at=T0, id=str(self.calls))
        return FetchResult([item], "ok", done=self.behaviour == "finite")


class _Stuck(ConfiguredSource):
    """A PollingSource that never answers."""

    supports_conditional_get: ClassVar[bool] = False
    is_finite: ClassVar[bool] = False
    is_remote: ClassVar[bool] = True

    def __init__(self, name: str, **options: object) -> None:
        self._config = SourceConfig(name=name, kind="stuck", interval=60, **options)

    async def poll(self, state: FetchState, env: PollEnv) -> FetchResult:
        await asyncio.sleep(3600)
        return FetchResult([])


def run_poll(sources: list[AnySource], health: dict[str, SourceHealth],
             now: datetime = T0) -> list[RawItem | BadInput]:
    """One poll_due on a new event loop, through a fetcher with no delay."""
    async def run() -> list[RawItem | BadInput]:
        fetcher = HttpFetcher(delay=0.0)
        prepare(sources, fetcher)
        try:
            return await poll_due(sources, health, now, PollEnv(fetcher, NoMemory()))
        finally:
            await fetcher.aclose()
    return asyncio.run(run())


@pytest.fixture
def two_sites() -> Iterator[tuple[PageServer, PageServer]]:
    """Two hosts each serving /feed.xml after 0.3 s."""
    with running_page_server() as one, running_page_server("127.0.0.2") as two:
        for server in (one, two):
            server.add("/feed.xml", (FEEDS / "normal.xml").read_bytes(), delay=0.3,
                       headers={"Content-Type": "application/rss+xml"})
        yield one, two


def test_due_sources_are_polled_at_once_and_failures_stay_their_own(
        two_sites: tuple[PageServer, PageServer]) -> None:
    one, two = two_sites
    feeds = [RssSource(SourceConfig(name=f"feed{n}", kind="rss", url=s.url("/feed.xml"),
                                    interval=60)) for n, s in enumerate(two_sites)]
    bad, good, finite = _Fake("bad", "raise"), _Fake("good", "ok"), _Fake("fin", "finite")
    sources: list[AnySource] = [bad, feeds[0], good, feeds[1], finite]
    health: dict[str, SourceHealth] = {}
    items = run_poll(sources, health)
    assert [i.source for i in items] == ["feed0", "feed0", "good", "feed1", "feed1", "fin"]
    (a,), (b,) = ([h for h in s.hits if h.path == "/feed.xml"] for s in (one, two))
    assert a.start < b.end and b.start < a.end  # the two feeds were fetched at once
    assert health["bad"].status == "failed"
    assert health["bad"].last_error == "RuntimeError: kaput"
    assert {n: health[n].status for n in ("feed0", "feed1", "good", "fin")} == dict.fromkeys(
        ("feed0", "feed1", "good", "fin"), "ok")
    assert health["good"].next_due == T0 + timedelta(seconds=60)
    assert run_poll(sources, health, T0 + timedelta(seconds=30)) == []
    later = run_poll([bad, good, finite], health, T0 + timedelta(seconds=61))
    assert [i.source for i in later] == ["good"]  # bad backs off (>= 96 s), fin is done
    assert (bad.calls, good.calls, finite.calls) == (1, 2, 1)


def test_a_source_past_its_poll_timeout_fails_and_the_others_finish() -> None:
    stuck = _Stuck("stuck", poll_timeout=0.2)
    slow = _Fake("slow", "hang", poll_timeout=0.2)
    good = _Fake("good", "ok")
    health: dict[str, SourceHealth] = {}
    items = run_poll([stuck, slow, good], health)
    assert [i.source for i in items] == ["good"]
    for name in ("stuck", "slow"):
        assert health[name].status == "failed"
        assert health[name].last_error == "no answer within 0.2 s (poll_timeout)"
    assert health["good"].status == "ok"


def test_prepare_refuses_a_bad_poll_timeout() -> None:
    with pytest.raises(BadInput, match="source 'x': option 'poll_timeout' must be a number"):
        prepare([_Fake("x", "ok", poll_timeout="soon")], HttpFetcher())


def test_prepare_applies_a_hot_list_delay_to_its_default_endpoint() -> None:
    from yuqing.sources.hotlist.platforms import PLATFORMS
    from yuqing.sources.hotlist.source import HotlistSource

    fetcher = HttpFetcher()
    source = HotlistSource(SourceConfig(name="wb", kind="hotlist", platform="weibo",
                                        delay=7, timeout=9))
    prepare([source], fetcher)
    host = fetcher._host(httpx.URL(PLATFORMS["weibo"].url))
    assert (host.delay, host.timeout) == (7.0, 9.0)
