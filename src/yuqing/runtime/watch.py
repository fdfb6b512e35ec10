"""`yuqing run`: watch the configured sources until stopped.

Each round fetches every due source (a failing source is retried with
backoff and never stops the others), runs what came in through the pipeline,
and saves each source's state (validators, cursor, health) in the store, so
that a restart resumes where it stopped. Identity and the alert outbox make a
restart idempotent: an item seen before is an update, never a second row,
and an alert already recorded is never sent again.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from yuqing.domain import BadInput, RawItem
from yuqing.runtime.chores import Chores
from yuqing.runtime.context import Context
from yuqing.runtime.ingest import run_stream
from yuqing.runtime.outcome import Outcome
from yuqing.sources.health import SourceHealth
from yuqing.sources.http import HttpFetcher
from yuqing.sources.poll import poll_due, prepare
from yuqing.sources.polling import AnySource, PollEnv
from yuqing.sources.registry import create_sources

log = logging.getLogger(__name__)

#: longest sleep between rounds, seconds (a stop request is seen at once anyway)
MAX_IDLE_S = 5.0


class Watcher:
    """Polls the enabled sources of ``ctx.config`` and feeds the pipeline.

    ``clock`` returns aware UTC now; ``on_round(outcome, health)`` is called
    after every round that fetched something (for progress output);
    ``on_failing(name, health)`` once when a source turns ``failed`` (not at every
    failed poll; again only after it has recovered) and ``on_recovered(name, health)``
    when it is no longer failed. The sources
    are polled on one event loop that lives as long as the watcher (``close()``
    ends it), through ``fetcher`` (default: an HttpFetcher with its default
    delay), with ``store.collection`` as their memory. Raises BadInput naming
    the source for a bad source option.
    """

    def __init__(
        self,
        ctx: Context,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_round: Callable[[Outcome, dict[str, SourceHealth]], None] | None = None,
        on_failing: Callable[[str, SourceHealth], None] | None = None,
        on_recovered: Callable[[str, SourceHealth], None] | None = None,
        fetcher: HttpFetcher | None = None,
    ) -> None:
        self.ctx = ctx
        self.clock = clock
        self.on_round = on_round
        self.on_failing = on_failing
        self.on_recovered = on_recovered
        self._failing: set[str] = set()
        self.fetcher = fetcher or HttpFetcher()
        self.sources: list[AnySource] = []
        self.health: dict[str, SourceHealth] = {}
        self._settings_version = -1
        self._take_sources()
        self._loop = asyncio.Runner()
        self.chores = Chores(ctx, clock)

    def _take_sources(self) -> None:
        """Poll the enabled sources of the settings version in force: a source new or changed
        is (re)built and polled at once, one removed or disabled is no longer polled, the
        others keep their health and turn. Raises BadInput naming a bad source option."""
        self._settings_version = self.ctx.live.version  # opens the live settings first
        cfg = self.ctx.config
        old = {s.name: s for s in self.sources}
        fresh = create_sources(self.ctx.sources, cfg.sources)
        prepare(fresh, self.fetcher)
        self.sources = [old[s.name] if s.name in old and old[s.name].config == s.config else s
                        for s in fresh]
        self.env = PollEnv(http=self.fetcher, memory=self.ctx.store.collection,
                           schemes=cfg.schemes, now=self.clock)
        health = {}
        for s in self.sources:
            if s is old.get(s.name):
                health[s.name] = self.health[s.name]
                continue
            health[s.name] = SourceHealth.restored(s.name, s.config.interval,
                                                   self.ctx.store.load_source_state(s.name))
            health[s.name].next_due = None  # a (re)start or a change polls it at once
        self.health = health

    def _refresh_settings(self) -> None:
        """Take a new settings version (runtime/live_settings.py) before a round; a version
        whose sources cannot be built is logged and the sources polled so far go on."""
        self.ctx.refresh_settings()
        if self.ctx.live.version == self._settings_version:
            return
        try:
            self._take_sources()
        except BadInput as exc:
            self._settings_version = self.ctx.live.version
            log.error("settings version %s: sources not changed: %s",
                      self.ctx.live.version, exc)
        else:
            log.info("settings version %s: polling %d sources", self._settings_version,
                     len(self.sources))

    def _save(self) -> None:
        now = self.clock()
        for health in self.health.values():
            self.ctx.store.save_source_state(health.saved_state(now))

    def round(self) -> Outcome:
        """Fetch every due source once and process what came in, each source's items as
        soon as that source is done."""
        self._refresh_settings()
        now = self.clock()
        outcome = Outcome()

        async def process(raws: list[RawItem | BadInput]) -> None:
            # in a worker thread; the pipeline merges concurrent calls (group commit)
            outcome.add(await asyncio.to_thread(run_stream, self.ctx.pipeline, raws))

        raws = self._loop.run(poll_due(self.sources, self.health, now, self.env,
                                       deliver=process))
        self._note_freshness([h for h in self.health.values() if h.last_item_at == now])
        self._save()
        self.chores.tick()
        if raws and self.on_round is not None:
            self.on_round(outcome, self.health)
        self._note_failing()
        return outcome

    def _note_failing(self) -> None:
        """Call ``on_failing`` for each source that turned failed since the last round,
        ``on_recovered`` for each that is no longer failed."""
        for name, health in self.health.items():
            if health.status == "failed" and name not in self._failing:
                self._failing.add(name)
                if self.on_failing is not None:
                    self.on_failing(name, health)
            elif health.status != "failed" and name in self._failing:
                self._failing.discard(name)
                if self.on_recovered is not None:
                    self.on_recovered(name, health)

    def _note_freshness(self, fed: list[SourceHealth]) -> None:
        """Tell each source that brought items the newest publication time of its stored
        items (its freshness lag, sources/health.py)."""
        if fed:
            newest = self.ctx.store.items.newest_published(h.name for h in fed)
            for health in fed:
                if health.name in newest:
                    health.note_published(newest[health.name])

    def seconds_to_next(self) -> float:
        """Seconds until the next source is due (0 when one is due now)."""
        now = self.clock()
        waits = [(h.next_due - now).total_seconds() for h in self.health.values()
                 if h.next_due is not None and not h.state.done]
        pending = any(h.next_due is None for h in self.health.values())
        return 0.0 if pending else max(0.0, min(waits, default=MAX_IDLE_S))

    def close(self) -> None:
        """Close the HTTP client and the event loop (the store is the context's)."""
        self._loop.run(self.fetcher.aclose())
        self._loop.close()

    def run(self, stop: threading.Event) -> Outcome:
        """Run rounds until ``stop`` is set; the batch in flight always finishes."""
        total = Outcome()
        while not stop.is_set():
            total.add(self.round())
            stop.wait(min(self.seconds_to_next(), MAX_IDLE_S))
        return total
