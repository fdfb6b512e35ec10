"""Run polled sources in tests: one poll on a new event loop, through a real HttpFetcher.

``poll_once(source, state)`` polls a PollingSource once with a fresh HttpFetcher
(no delay between requests, the source's own ``delay``/``timeout`` options
applied, as the poller does) and returns the FetchResult. ``memory`` is the
source's SourceMemory: pass ``store.collection`` for a source that remembers;
the default :class:`NoMemory` fails the test if the source touches it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from yuqing.config import SchemeConfig
from yuqing.domain import HotlistEntry
from yuqing.sources.base import FetchResult, FetchState
from yuqing.sources.http import HttpFetcher
from yuqing.sources.polling import PollEnv, PollingSource, SourceMemory


class NoMemory:
    """A SourceMemory for sources that must not remember anything: every call fails."""

    def unseen(self, source: str, keys: Sequence[str]) -> list[str]:
        raise AssertionError(f"{source} asked its memory for unseen keys")

    def mark_seen(self, source: str, keys: Sequence[str], at: datetime) -> None:
        raise AssertionError(f"{source} marked keys seen")

    def save_snapshot(self, source: str, at: datetime, entries: Sequence[HotlistEntry]) -> None:
        raise AssertionError(f"{source} saved a snapshot")

    def last_snapshot(self, source: str) -> list[HotlistEntry]:
        raise AssertionError(f"{source} asked for its last snapshot")

    def snapshot_series(self, source: str, key: str) -> list[tuple[datetime, HotlistEntry]]:
        raise AssertionError(f"{source} asked for a snapshot series")


def poll_once(
    source: PollingSource, state: FetchState | None = None, *,
    memory: SourceMemory | None = None, schemes: Sequence[SchemeConfig] = (),
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> FetchResult:
    """Return the result of one ``source.poll(state, env)`` (see the module doc)."""
    async def run() -> FetchResult:
        fetcher = HttpFetcher(delay=0.0)
        fetcher.configure_source(source.config)
        env = PollEnv(http=fetcher, memory=memory or NoMemory(), schemes=schemes, now=now)
        try:
            return await source.poll(state or FetchState(), env)
        finally:
            await fetcher.aclose()
    return asyncio.run(run())
