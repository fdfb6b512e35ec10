"""The contract of network sources polled concurrently (site, hotlist, newsnow, search, rss).

A :class:`PollingSource` is a source (:class:`~yuqing.sources.base.SourceBase`) whose
work is asynchronous: ``await source.poll(state, env)`` returns a
:class:`~yuqing.sources.base.FetchResult` like ``Source.fetch`` does, and never raises
for a bad page or a failed request (it reports them in the result). The
poller (sources/poll.py) runs every due source at once on one event loop;
``env.http`` makes the requests, one at a time per host with the host's
delay, so a slow or hanging source never delays another.

:class:`PollEnv` is what a poll may use besides its own state:

- ``http``: an :class:`Http` (sources/http.py), honouring robots.txt, the
  per-host limit and delay, the redirect policy and the 5 MB page cap;
- ``memory``: a :class:`SourceMemory` kept in the store, so what a source has
  seen survives restarts (article URLs of a site, hot-list snapshots);
- ``schemes``: the monitoring schemes (a search source runs their words);
- ``now``: the clock (aware UTC).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from yuqing.config import SchemeConfig
from yuqing.domain import HotlistEntry
from yuqing.sources.base import FetchResult, FetchState, Source, SourceBase

#: pages longer than this are cut (and flagged ``truncated``), bytes
MAX_PAGE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Page:
    """One HTTP answer as :meth:`Http.get` returns it.

    ``url`` is the final URL (after the redirects that were allowed);
    ``status`` the HTTP status (304 when the validators matched: ``body`` is
    then empty); ``headers`` have lower-case names; ``truncated`` is True
    when the body was cut at the size cap; ``etag``/``last_modified`` are
    the validators to send next time.
    """

    url: str
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    truncated: bool = False
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """True for a 304 answer to a conditional GET."""
        return self.status == 304


class FetchError(Exception):
    """A request that gave no usable page: ``url`` and a human ``reason``
    (``"robots.txt forbids"``, ``"HTTP 404"``, ``"redirect to other host x.cn"``,
    ``"timeout after 20 s"`` ...). ``str()`` names both."""

    def __init__(self, url: str, reason: str) -> None:
        """Keep ``url`` and ``reason``."""
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class Http(Protocol):
    """Asynchronous HTTP GET with the collection policy (sources/http.py)."""

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        allow_hosts: frozenset[str] = frozenset(),
        headers: Mapping[str, str] | None = None,
        max_bytes: int = MAX_PAGE_BYTES,
    ) -> Page:
        """GET ``url`` (conditional when validators are given); follow redirects on the
        same host or to ``allow_hosts`` only; wait for the host's turn and delay; raise
        FetchError when robots.txt forbids, the status is >= 400, the request fails or
        times out."""
        ...


class SourceMemory(Protocol):
    """What sources remember across polls and restarts (kept in the store)."""

    def unseen(self, source: str, keys: Sequence[str]) -> list[str]:
        """Return the ``keys`` (canonical URLs, topic keys) ``source`` has not marked
        seen, in the given order, without repeats."""
        ...

    def mark_seen(self, source: str, keys: Sequence[str], at: datetime) -> None:
        """Remember ``keys`` as seen by ``source`` at ``at`` (idempotent)."""
        ...

    def save_snapshot(self, source: str, at: datetime, entries: Sequence[HotlistEntry]) -> None:
        """Store one hot-list snapshot of ``source`` taken at ``at``."""
        ...

    def last_snapshot(self, source: str) -> list[HotlistEntry]:
        """Return the newest snapshot of ``source`` (empty when none), by rank."""
        ...

    def snapshot_series(self, source: str, key: str) -> list[tuple[datetime, HotlistEntry]]:
        """Return ``(taken_at, entry)`` of every snapshot of ``source`` listing the topic
        ``key``, oldest first (its rank and heat over time)."""
        ...


@dataclass(frozen=True)
class PollEnv:
    """What a poll may use: ``http``, ``memory``, the ``schemes`` and the clock ``now``."""

    http: Http
    memory: SourceMemory
    schemes: Sequence[SchemeConfig] = ()
    now: Callable[[], datetime] = field(default=lambda: datetime.now().astimezone())


@runtime_checkable
class PollingSource(SourceBase, Protocol):
    """A source polled asynchronously through :class:`PollEnv` (it has no ``fetch``)."""

    async def poll(self, state: FetchState, env: PollEnv) -> FetchResult:
        """Return what is new since ``state``; never raises for bad input or a failed
        request (reported in the result)."""
        ...


@runtime_checkable
class HasEndpoints(Protocol):
    """A source whose first requests go to URLs other than its ``url`` option (a hot
    list's default endpoint): the poller applies the source's ``delay`` and ``timeout``
    to the hosts of :meth:`endpoints` instead."""

    def endpoints(self) -> list[str]:
        """Return the URLs the source requests (``{query}`` templates as they are)."""
        ...


#: a source of either contract, as the source registry builds them
AnySource = Source | PollingSource
