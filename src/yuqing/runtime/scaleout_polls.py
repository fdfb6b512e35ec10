"""Polls of configured sources in the scale-out mode: the scheduler's round, a worker's poll.

``yuqing scheduler`` runs :func:`schedule_round` every ``TICK_S``: a source is due when
its saved health says so (``next_due`` passed, or never polled; a finished file or
replay source never is); each due source nobody polls and nobody queued is marked
queued for ``QUEUE_TTL`` (store/scaleout.py ``mark_queued``) and its poll enqueued.
A worker runs :func:`poll_source`: it claims the source's lease for ``LEASE_TTL``,
checks again that it is due (a poll delivered twice runs once), polls it (sources/poll.py
``poll_due``, with the HttpFetcher its process keeps from poll to poll, so robots.txt
answers and per-host pacing carry over), runs the items through the pipeline,
saves the source's state AFTER the items (so a crash re-fetches rather than loses), and
releases the lease.

Each source is polled by one worker at a time (the lease), never twice for one due
time (the due check under the lease), and never skipped after a worker dies: its
message is redelivered, or, once its lease and queue mark expire, the still-due
source is enqueued again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from yuqing.domain import BadInput, RawItem, SourceState
from yuqing.runtime.chores import CHORES, Chores
from yuqing.runtime.context import Context
from yuqing.runtime.ingest import run_stream
from yuqing.runtime.outcome import Outcome
from yuqing.sources.health import SourceHealth
from yuqing.sources.http import HttpFetcher
from yuqing.sources.poll import poll_due, prepare
from yuqing.sources.polling import AnySource, PollEnv
from yuqing.sources.registry import create_source

log = logging.getLogger(__name__)

_T = TypeVar("_T")

#: how long a worker may poll one source (fetch and pipeline) before others may
LEASE_TTL = timedelta(minutes=10)
#: how long a queued poll may wait in the broker before the scheduler queues it again
QUEUE_TTL = timedelta(minutes=10)
#: seconds between two rounds of the scheduler
TICK_S = 1.0


def next_due(state: SourceState | None) -> datetime | None:
    """Return when the source of the saved ``state`` is due next (None: now, never polled
    or no time saved); ``datetime.max`` (UTC) when a finite source is done."""
    if state is None:
        return None
    if state.health.get("done"):
        return datetime.max.replace(tzinfo=UTC)
    due = state.health.get("next_due")
    return datetime.fromisoformat(due) if due else None


def is_due(state: SourceState | None, now: datetime) -> bool:
    """True when the source of the saved ``state`` is due at ``now``."""
    due = next_due(state)
    return due is None or due <= now


def schedule_round(ctx: Context, enqueue: Callable[[str], None], now: datetime) -> list[str]:
    """Enqueue (``enqueue(name)``) a poll of every enabled source that is due at ``now``,
    not being polled and not queued; return their names."""
    states = {s.name: s for s in ctx.store.list_source_states()}
    due = [s.name for s in ctx.config.sources if s.enabled and is_due(states.get(s.name), now)]
    marked = ctx.store.shared.mark_queued(due, now, QUEUE_TTL) if due else []
    for name in marked:
        enqueue(name)
    return marked


def run_scheduler(ctx: Context, enqueue: Callable[[str], None], stop: threading.Event,
                  clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> int:
    """Run :func:`schedule_round` every TICK_S until ``stop`` is set; return the polls
    enqueued. A failed round (database or broker away) is logged and tried again. The
    scheduler that leads the chores (runtime/chores.py: scheduled and units' daily
    reports, case deadline sweeps, retention) does them too, as ``yuqing run`` does."""
    total = 0
    chores = Chores(ctx, clock)
    leader = ctx.store.shared.leader(CHORES)
    leading = False
    try:
        while not stop.is_set():
            try:
                ctx.refresh_settings()
                total += len(schedule_round(ctx, enqueue, clock()))
            except Exception as exc:  # noqa: BLE001 - it outlives a broker or DB restart
                log.warning("scheduler round failed: %r", exc)
            if leader.leading() != leading:
                leading = not leading
                log.info("scheduler %s the chores", "leads" if leading else "no longer leads")
            if leading:
                chores.tick()
            stop.wait(TICK_S)
    finally:
        leader.close()
    return total


def poll_source(ctx: Context, name: str, *, holder: str,
                clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> Outcome:
    """Poll the configured source ``name`` once under its lease (module doc) and run its
    items through the pipeline; return their counts (nothing when another worker holds
    the lease, the source is not due, or it is not configured and enabled). The live
    settings are taken first, so a source added in the browser is polled at once."""
    ctx.live.refresh()  # opens the store (and the live settings) first
    config = next((s for s in ctx.config.sources if s.name == name and s.enabled), None)
    now = clock()
    if config is None:
        log.warning("poll of %r: no such enabled source in the config", name)
        return Outcome()
    if not ctx.store.shared.claim_source(name, holder, now, LEASE_TTL):
        return Outcome()
    try:
        saved = ctx.store.load_source_state(name)
        if not is_due(saved, now):
            return Outcome()
        source = create_source(ctx.sources, config)
        health = SourceHealth.restored(name, config.interval, saved)
        raws = _POLLER.run(lambda fetcher: _poll_once(ctx, source, health, now, clock, fetcher))
        outcome = run_stream(ctx.pipeline, raws) if raws else Outcome()
        ctx.store.save_source_state(health.saved_state(now))
        return outcome
    finally:
        ctx.store.shared.release_source(name, holder)


class _ProcessPoller:
    """The event loop and HttpFetcher this process polls with, kept from one poll to the
    next, so a worker's robots.txt answers (cached 24 h) and per-host pacing carry over
    between its polls (a fetcher belongs to one event loop). Made on first use in the
    process that polls (a pool process), never inherited through a fork."""

    def __init__(self) -> None:
        self._pid = -1
        self._runner: asyncio.Runner | None = None
        self.fetcher: HttpFetcher | None = None

    def run(self, poll: Callable[[HttpFetcher], Coroutine[Any, Any, _T]]) -> _T:
        """Run ``poll(fetcher)`` on this process's loop; return its result."""
        if self._runner is None or self.fetcher is None or self._pid != os.getpid():
            self._pid, self._runner, self.fetcher = os.getpid(), asyncio.Runner(), HttpFetcher()
        return self._runner.run(poll(self.fetcher))


_POLLER = _ProcessPoller()


async def _poll_once(ctx: Context, source: AnySource, health: SourceHealth, now: datetime,
                     clock: Callable[[], datetime],
                     fetcher: HttpFetcher) -> list[RawItem | BadInput]:
    """Poll ``source`` once with ``fetcher``; return its items and bad records."""
    prepare([source], fetcher)
    env = PollEnv(http=fetcher, memory=ctx.store.collection, schemes=ctx.config.schemes,
                  now=clock)
    return await poll_due([source], {source.name: health}, now, env)
