"""Polling the due sources concurrently, on one event loop.

:func:`poll_due` starts every due source at once (``asyncio.gather``): a
:class:`~yuqing.sources.polling.PollingSource` is awaited (``poll(state, env)``,
its requests going through ``env.http``, one at a time per host), a plain
:class:`~yuqing.sources.base.Source` runs its blocking ``fetch(state)`` in a
worker thread. Each poll has its own time limit (option ``poll_timeout``,
seconds, default 300): a source that takes longer is recorded as failed and
the others finish. ANY exception of one source is that source's failure only.
Each source's items can be handed on as soon as its poll is done (``deliver``), so
a slow source holds up only its own items within a round.

A source that hangs in ``fetch`` keeps its worker thread until it returns (a
thread cannot be stopped), but its result is dropped and nobody waits for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime

from yuqing.config import SourceConfig
from yuqing.domain import BadInput, RawItem
from yuqing.sources.base import FetchResult, FetchState, seconds_option
from yuqing.sources.health import SourceHealth
from yuqing.sources.http import HttpFetcher
from yuqing.sources.polling import AnySource, HasEndpoints, PollEnv, PollingSource

log = logging.getLogger(__name__)

DEFAULT_POLL_TIMEOUT_S = 300.0
#: what takes one source's items as soon as its poll is done
Deliver = Callable[[list[RawItem | BadInput]], Awaitable[None]]


def poll_timeout(config: SourceConfig) -> float:
    """Return the time limit of one poll of the source (option ``poll_timeout``, seconds);
    raises BadInput naming the source for a value that is not a number > 0."""
    value = seconds_option(config, "poll_timeout", zero_ok=False)
    return DEFAULT_POLL_TIMEOUT_S if value is None else value


def prepare(sources: Iterable[AnySource], fetcher: HttpFetcher) -> None:
    """Apply each source's ``delay`` and ``timeout`` to the hosts of its URLs in
    ``fetcher`` and check its ``poll_timeout``; raises BadInput naming the source and the
    option for a bad value (so a bad option stops the start, not a poll)."""
    for source in sources:
        fetcher.configure_source(
            source.config, source.endpoints() if isinstance(source, HasEndpoints) else None)
        poll_timeout(source.config)


async def poll_source(source: AnySource, state: FetchState, env: PollEnv) -> FetchResult:
    """Poll ``source`` once within its time limit; never raises (an exception or the
    time limit gives a ``failed`` result naming it)."""
    limit = poll_timeout(source.config)
    deadline = asyncio.timeout(limit)
    try:
        async with deadline:
            if isinstance(source, PollingSource):
                return await source.poll(state, env)
            return await asyncio.to_thread(source.fetch, state)
    except Exception as exc:  # noqa: BLE001 - a failing source never stops the others
        if deadline.expired():
            log.warning("source %s timed out after %g s", source.name, limit)
            return FetchResult([], "failed", f"no answer within {limit:g} s (poll_timeout)")
        log.warning("source %s failed: %r", source.name, exc)
        return FetchResult([], "failed", f"{type(exc).__name__}: {exc}")


async def poll_due(
    sources: Iterable[AnySource], health: dict[str, SourceHealth], now: datetime,
    env: PollEnv, *, deliver: Deliver | None = None,
) -> list[RawItem | BadInput]:
    """Poll every due source at once; return their items, in source order, and update
    ``health`` (each result recorded at ``now``).

    Entries a source could not use come back as BadInput elements (naming the entry)
    so the caller counts them as rejected. ``deliver``, when given, is awaited with each
    source's items as soon as that source is done, so they need not wait for a slower
    source (an exception it raises ends the poll). Sources without an entry in
    ``health`` get one (due at once); finite sources that are done are skipped.
    """
    due: list[tuple[AnySource, SourceHealth]] = []
    for source in sources:
        h = health.get(source.name)
        if h is None:
            h = health[source.name] = SourceHealth(source.name, source.config.interval)
        if h.is_due(now) and not h.state.done:
            due.append((source, h))

    async def one(source: AnySource, h: SourceHealth) -> list[RawItem | BadInput]:
        result = await poll_source(source, h.state, env)
        h.record_result(result, now)
        for bad in result.rejected:
            bad.source = bad.source or source.name
        raws: list[RawItem | BadInput] = [*result.items, *result.rejected]
        if deliver is not None and raws:
            await deliver(raws)
        return raws

    done = await asyncio.gather(*(one(s, h) for s, h in due))
    return [raw for raws in done for raw in raws]
