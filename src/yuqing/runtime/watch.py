"""`yuqing run`: watch the configured sources until stopped.

Each round fetches every due source (a failing source is retried with
backoff and never stops the others), runs what came in through the pipeline,
and saves each source's state (validators, cursor, health) in the store, so
that a restart resumes where it stopped. Identity and the alert outbox make a
restart idempotent: an item seen before is an update, never a second row,
and an alert already recorded is never sent again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from yuqing.cases.reminders import sweep
from yuqing.cases.service import CaseService
from yuqing.runtime.context import Context
from yuqing.runtime.ingest import run_stream
from yuqing.runtime.outcome import Outcome
from yuqing.runtime.retention import DailyRetention
from yuqing.sources.base import Source
from yuqing.sources.health import SourceHealth, poll_due
from yuqing.sources.registry import create_sources

log = logging.getLogger(__name__)

#: longest sleep between rounds, seconds (a stop request is seen at once anyway)
MAX_IDLE_S = 5.0
#: how often case deadlines are checked for reminders and escalations
CASE_SWEEP_EVERY = timedelta(minutes=5)


def _report_scheduler(ctx: Context) -> Any:
    """Return the scheduler of ctx's [[reports.schedules]] (reports/schedule.py), or None."""
    if not ctx.config.reports.schedules:
        return None
    from yuqing.alerts.channels.registry import build_channels
    from yuqing.reports.schedule import ReportScheduler

    return ReportScheduler(ctx.store, ctx.config,
                           build_channels(ctx.config.alerts.channels, ctx.channels))


class Watcher:
    """Polls the enabled sources of ``ctx.config`` and feeds the pipeline.

    ``clock`` returns aware UTC now; ``on_round(outcome, health)`` is called
    after every round that fetched something (for progress output).
    """

    def __init__(
        self,
        ctx: Context,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_round: Callable[[Outcome, dict[str, SourceHealth]], None] | None = None,
    ) -> None:
        self.ctx = ctx
        self.clock = clock
        self.on_round = on_round
        self.sources: list[Source] = create_sources(ctx.sources, ctx.config.sources)
        self.health = {s.name: SourceHealth.restored(s.name, s.config.interval,
                                                     ctx.store.load_source_state(s.name))
                       for s in self.sources}
        self.reports = _report_scheduler(ctx)
        self.cases = CaseService(ctx.store, ctx.config, clock=clock)
        self._last_sweep: datetime | None = None
        self.retention = DailyRetention(ctx)

    def _save(self) -> None:
        now = self.clock()
        for health in self.health.values():
            self.ctx.store.save_source_state(health.saved_state(now))

    def round(self) -> Outcome:
        """Fetch every due source once and process what came in."""
        raws = poll_due(self.sources, self.health, self.clock())
        outcome = run_stream(self.ctx.pipeline, raws) if raws else Outcome()
        self._save()
        if self.reports is not None:
            self.reports.tick(self.clock())
        self._sweep_cases()
        self.retention.tick(self.clock())
        if raws and self.on_round is not None:
            self.on_round(outcome, self.health)
        return outcome

    def _sweep_cases(self) -> None:
        """Every CASE_SWEEP_EVERY, record due deadline reminders and escalations; the
        outbox dispatcher delivers them."""
        now = self.clock()
        if self._last_sweep is not None and now - self._last_sweep < CASE_SWEEP_EVERY:
            return
        self._last_sweep = now
        counts = sweep(self.cases, None)
        if counts["reminded"] or counts["escalated"]:
            log.info("case deadlines: %s", counts)

    def seconds_to_next(self) -> float:
        """Seconds until the next source is due (0 when one is due now)."""
        now = self.clock()
        waits = [(h.next_due - now).total_seconds() for h in self.health.values()
                 if h.next_due is not None and not h.state.done]
        pending = any(h.next_due is None for h in self.health.values())
        return 0.0 if pending else max(0.0, min(waits, default=MAX_IDLE_S))

    def run(self, stop: threading.Event) -> Outcome:
        """Run rounds until ``stop`` is set; the batch in flight always finishes."""
        total = Outcome()
        while not stop.is_set():
            total.add(self.round())
            stop.wait(min(self.seconds_to_next(), MAX_IDLE_S))
        return total
