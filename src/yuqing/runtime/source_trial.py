""""Fetch now" (试抓取): what a source would collect, before it is saved, storing nothing.

:func:`try_source` builds the source from its config, polls it once through a new
HttpFetcher (the same politeness: robots.txt, the source's delay and timeouts) against a
fresh state and a :class:`ScratchMemory`, and returns what came back. Nothing is written:
no item, no health, no seen key, no hot-list snapshot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from yuqing.config import SchemeConfig, SourceConfig
from yuqing.domain import HotlistEntry
from yuqing.plugins import Registry
from yuqing.sources.base import FetchState
from yuqing.sources.http import HttpFetcher
from yuqing.sources.poll import poll_source, prepare
from yuqing.sources.polling import PollEnv
from yuqing.sources.registry import SourceFactory, create_source
from yuqing.time_range import local_time

#: the items shown of a trial fetch
TRIAL_ITEMS = 20


class ScratchMemory:
    """A SourceMemory (sources/polling.py) that forgets everything when dropped: a trial
    fetch sees every key as new and no earlier snapshot."""

    def __init__(self) -> None:
        self.seen: dict[str, set[str]] = {}
        self.snapshots: dict[str, list[tuple[datetime, list[HotlistEntry]]]] = {}

    def unseen(self, source: str, keys: Sequence[str]) -> list[str]:
        """Return ``keys`` not marked seen in this trial, without repeats."""
        seen = self.seen.get(source, set())
        return list(dict.fromkeys(k for k in keys if k not in seen))

    def mark_seen(self, source: str, keys: Sequence[str], at: datetime) -> None:
        """Remember ``keys`` for the rest of the trial."""
        self.seen.setdefault(source, set()).update(keys)

    def save_snapshot(self, source: str, at: datetime, entries: Sequence[HotlistEntry]) -> None:
        """Keep the snapshot for the rest of the trial."""
        self.snapshots.setdefault(source, []).append((at, list(entries)))

    def last_snapshot(self, source: str) -> list[HotlistEntry]:
        """Return the newest snapshot of this trial (none before it)."""
        taken = self.snapshots.get(source)
        return list(taken[-1][1]) if taken else []

    def snapshot_series(self, source: str, key: str) -> list[tuple[datetime, HotlistEntry]]:
        """Return the entries of topic ``key`` in this trial's snapshots."""
        return [(at, e) for at, entries in self.snapshots.get(source, [])
                for e in entries if e.key == key]


def shown_time(value: str | datetime | None, tz: str) -> str | None:
    """Return a source's publication time for people: an aware datetime in zone ``tz``
    (time_range.local_time), text as the source wrote it."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return local_time(value, tz)
    return None if value is None else str(value)


def try_source(registry: Registry[SourceFactory], cfg: SourceConfig,
               schemes: Sequence[SchemeConfig] = (), tz: str = "Asia/Shanghai"
               ) -> dict[str, Any]:
    """Poll the source of ``cfg`` once, storing nothing; return ``{"status", "error",
    "count", "rejected", "items": [{"title", "text", "url", "published_at", "author"}]}``
    (the first TRIAL_ITEMS items; ``published_at`` by :func:`shown_time` in ``tz``, text
    cut to 200 characters). Raises BadInput naming the source and option for a bad config."""
    source = create_source(registry, cfg)

    async def run() -> dict[str, Any]:
        fetcher = HttpFetcher()
        try:
            prepare([source], fetcher)
            env = PollEnv(http=fetcher, memory=ScratchMemory(), schemes=schemes,
                          now=lambda: datetime.now(UTC))
            result = await poll_source(source, FetchState(), env)
        finally:
            await fetcher.aclose()
        return {"status": result.status, "error": result.error, "count": len(result.items),
                "rejected": [str(r) for r in result.rejected[:5]],
                "items": [{"title": it.title, "text": it.text[:200], "url": it.url,
                           "author": it.author,
                           "published_at": shown_time(it.published_at, tz)}
                          for it in result.items[:TRIAL_ITEMS]]}

    return asyncio.run(run())
