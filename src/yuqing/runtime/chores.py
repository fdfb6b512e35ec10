"""The periodic work besides polling: scheduled reports and the units' daily reports
(reports/schedule.py), case deadline reminders and escalations (cases/reminders.py), and
retention (runtime/retention.py).

`yuqing run` does them after each round; in the scale-out mode `yuqing scheduler` does
them, and when several schedulers run, only the one leading the chore (a session
advisory lock, store/scaleout.py ``Leader``); another takes over when it dies. Each
chore is also safe to run twice: a report period is stored once, a reminder is marked on
its case, retention removes what is old. A failing chore is logged and tried again at
the next tick; it never stops the loop that calls it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from yuqing.cases.reminders import sweep
from yuqing.cases.service import CaseService
from yuqing.runtime.context import Context
from yuqing.runtime.retention import DailyRetention

log = logging.getLogger(__name__)

#: how often case deadlines are checked for reminders and escalations
CASE_SWEEP_EVERY = timedelta(minutes=5)
#: the name of the chores' leadership lock in the scale-out mode
CHORES = "chores"


def _report_scheduler(ctx: Context) -> Any:
    """Return the scheduler of ctx's [[reports.schedules]] and units' daily reports
    ([cases.reporting] daily_at; reports/schedule.py), or None when there are neither."""
    if not (ctx.config.reports.schedules or ctx.config.cases.reporting.daily_at):
        return None
    from yuqing.alerts.channels.registry import build_channels
    from yuqing.reports.schedule import ReportScheduler

    return ReportScheduler(ctx.store, ctx.config,
                           build_channels(ctx.config.alerts.channels, ctx.channels))


class Chores:
    """Runs the periodic chores of ``ctx`` at each :meth:`tick` when they are due.

    ``clock`` returns aware UTC now. The report scheduler is rebuilt when the live
    settings change (new channels or units reach the next report). Deliveries of
    reminders and escalations go to the outbox; its dispatcher sends them.
    """

    def __init__(self, ctx: Context,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.ctx = ctx
        self.clock = clock
        self.cases = CaseService(ctx.store, ctx.config, clock=clock)
        self.retention = DailyRetention(ctx)
        self._version = ctx.live.version
        self.reports = _report_scheduler(ctx)
        self._last_sweep: datetime | None = None

    def tick(self) -> None:
        """Run every chore that is due now; a failure is logged, the others still run."""
        if self.ctx.live.version != self._version:
            self._version = self.ctx.live.version
            self.reports = _report_scheduler(self.ctx)
        for name, chore in (("reports", self._reports), ("case deadlines", self._sweep_cases),
                            ("retention", self._retention)):
            try:
                chore()
            except Exception:  # noqa: BLE001 - one chore's failure never stops the loop
                log.exception("%s failed; tried again at the next tick", name)

    def _reports(self) -> None:
        if self.reports is not None:
            self.reports.tick(self.clock())

    def _retention(self) -> None:
        self.retention.tick(self.clock())

    def _sweep_cases(self) -> None:
        """Every CASE_SWEEP_EVERY, record due deadline reminders and escalations."""
        now = self.clock()
        if self._last_sweep is not None and now - self._last_sweep < CASE_SWEEP_EVERY:
            return
        self._last_sweep = now
        counts = sweep(self.cases, None)
        if counts["reminded"] or counts["escalated"]:
            log.info("case deadlines: %s", counts)
