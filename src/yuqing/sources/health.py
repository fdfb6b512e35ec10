"""Per-source health: status, counters and when each source is next due.

:class:`SourceHealth` is pure bookkeeping with times passed in (no clock of
its own), so tests use fixed times. Backoff after failures is exponential
with proportional jitter:

    delay = min(interval * 2**failures, max_backoff) * (1 + jitter * u),  u ~ U[-1, 1]

with ``max_backoff`` = 1 h and ``jitter`` = 0.2 by default; after a success
the next fetch is due one ``interval`` later. (Capped exponential backoff
with jitter: M. Brooker, "Exponential Backoff And Jitter", AWS
Architecture Blog, 2015; jitter spreads retries of many sources that failed
together.) ``degraded`` counts as a success for scheduling (items came
through) but shows in ``status`` (docs/FIELD_CASES.md F2).

Three figures say how well a source serves (``yuqing sources``):

- ``freshness_lag_s``: seconds from the newest item's publication time
  (``newest_published``, set by the runner from the stored items) to now; when
  the source's items carry no usable time, from the last poll that brought
  items (``last_item_at``); None before any item;
- ``failure_rate_24h``: failed polls / polls over the last 24 hourly buckets
  (``polls_24h`` polls); None without a poll;
- ``items_per_poll``: items returned per successful poll (a 304 counts, with
  0) over the same buckets, as fetched (a feed returns its whole list each time).

Everything is saved in ``SourceState.health`` (:meth:`SourceHealth.saved_state`)
and restored from it, so the figures survive restarts and another process
(``yuqing sources``) computes them from the store.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from yuqing.config import SourceConfig
from yuqing.domain import SourceState
from yuqing.sources.base import FetchResult, FetchState

MAX_BACKOFF_S = 3600.0
JITTER = 0.2
WINDOW = timedelta(hours=1)
#: the poll log keeps this many hourly buckets (failure rate, items per poll)
LOG_HOURS = 24
#: how each status reads to people (the CLI table, the settings page)
STATUS_LABELS = {"ok": "正常", "degraded": "部分异常", "failed": "失败", "new": "未抓取"}


@dataclass
class PollBucket:
    """The polls of one clock hour starting at ``hour`` (aware): how many, how many
    failed, and the items they returned."""

    hour: datetime
    polls: int = 0
    failures: int = 0
    items: int = 0


@dataclass
class SourceHealth:
    """Health and fetch bookkeeping of one source.

    ``status``: ``"new"`` (never fetched), ``"ok"``, ``"degraded"``,
    ``"failed"``. ``state`` is the FetchState passed to the next fetch;
    ``last_item_at`` the last poll that brought items; ``newest_published`` the newest
    publication time of the source's items (see the module doc).
    ``rng`` supplies the jitter (inject a seeded ``random.Random`` in tests).
    """

    name: str
    interval: float
    max_backoff: float = MAX_BACKOFF_S
    jitter: float = JITTER
    status: str = "new"
    last_success: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    consecutive_failures: int = 0
    next_due: datetime | None = None
    total_items: int = 0
    last_item_at: datetime | None = None
    newest_published: datetime | None = None
    state: FetchState = field(default_factory=FetchState)
    rng: random.Random = field(default_factory=random.Random, repr=False)
    _window: deque[tuple[datetime, int]] = field(default_factory=deque, repr=False)
    _log: deque[PollBucket] = field(default_factory=deque, repr=False)

    @classmethod
    def restored(cls, name: str, interval: float, saved: SourceState | None) -> SourceHealth:
        """Return a SourceHealth as ``saved`` left it (a fresh one when None): fetch state
        (validators, cursor, done mark), status, times, counters, the last hour's items and
        the poll log. A value the saved JSON lacks or garbles keeps its default."""
        health = cls(name, interval)
        if saved is None:
            return health
        data = saved.health
        health.state = FetchState(etag=saved.etag, last_modified=saved.last_modified,
                                  cursor=saved.cursor, done=bool(data.get("done")))
        health.status = str(data.get("status") or "new")
        health.last_success = _time(data.get("last_success"))
        error = data.get("last_error")
        if isinstance(error, dict) and error.get("message"):
            health.last_error, health.last_error_at = str(error["message"]), _time(error.get("at"))
        health.next_due = _time(data.get("next_due"))
        health.last_item_at = _time(data.get("last_item_at"))
        health.newest_published = _time(data.get("newest_published"))
        health.consecutive_failures = _count(data.get("consecutive_failures"))
        health.total_items = _count(data.get("total_items"))
        for row in _rows(data.get("window")):
            if len(row) == 2 and (at := _time(row[0])) is not None:
                health._window.append((at, _count(row[1])))
        for row in _rows(data.get("poll_log")):
            if len(row) == 4 and (hour := _time(row[0])) is not None:
                health._log.append(PollBucket(hour, *(_count(n) for n in row[1:])))
        return health

    def saved_state(self, now: datetime) -> SourceState:
        """Return the SourceState to save at ``now``: the fetch state's validators and cursor,
        and ``health`` = :meth:`as_dict` plus ``done``, ``last_item_at``, ``window`` (the
        last hour's ``[time, items]``) and ``poll_log`` (``[hour, polls, failures, items]``)."""
        state = self.state
        self.items_last_hour(now)  # drops what fell out of the window
        self._prune(now)
        extra = {"done": state.done, "last_item_at": _iso(self.last_item_at),
                 "window": [[at.isoformat(), n] for at, n in self._window],
                 "poll_log": [[b.hour.isoformat(), b.polls, b.failures, b.items]
                              for b in self._log]}
        return SourceState(self.name, etag=state.etag, last_modified=state.last_modified,
                           cursor=state.cursor, health={**self.as_dict(now), **extra})

    def is_due(self, now: datetime) -> bool:
        """True when the source has never run or ``now`` has reached ``next_due``."""
        return self.next_due is None or now >= self.next_due

    def record_success(self, n_items: int, at: datetime, *, degraded: bool = False,
                       error: str | None = None) -> None:
        """Record a fetch that returned ``n_items`` at ``at``; next due one interval later."""
        self.status = "degraded" if degraded else "ok"
        self.last_success = at
        self.consecutive_failures = 0
        if degraded and error:
            self.last_error, self.last_error_at = error, at
        self.total_items += n_items
        if n_items:
            self._window.append((at, n_items))
            self.last_item_at = at
        self._count_poll(at, failed=False, items=n_items)
        self.next_due = at + timedelta(seconds=self.interval)

    def record_failure(self, error: str, at: datetime) -> None:
        """Record a failed fetch at ``at``; next due after a jittered, capped backoff."""
        self.status = "failed"
        self.last_error, self.last_error_at = error, at
        self.consecutive_failures += 1
        self._count_poll(at, failed=True, items=0)
        self.next_due = at + timedelta(seconds=self.backoff_seconds())

    def note_published(self, newest: datetime) -> None:
        """Remember ``newest`` (aware) as the newest publication time of the source's items
        when it is newer than the one known."""
        if self.newest_published is None or newest > self.newest_published:
            self.newest_published = newest

    def _count_poll(self, at: datetime, *, failed: bool, items: int) -> None:
        hour = at.replace(minute=0, second=0, microsecond=0)
        if not self._log or self._log[-1].hour != hour:
            self._log.append(PollBucket(hour))
        bucket = self._log[-1]
        bucket.polls += 1
        bucket.failures += failed
        bucket.items += items
        self._prune(at)

    def _prune(self, now: datetime) -> None:
        while self._log and self._log[0].hour <= now - timedelta(hours=LOG_HOURS):
            self._log.popleft()

    def freshness_lag(self, now: datetime) -> float | None:
        """Return the seconds from the newest item's publication time (else the last poll
        that brought items) to ``now``, at least 0; None before any item."""
        since = self.newest_published or self.last_item_at
        return None if since is None else max(0.0, (now - since).total_seconds())

    def poll_figures(self, now: datetime) -> tuple[int, float | None, float | None]:
        """Return ``(polls, failure rate, items per successful poll)`` over the last
        LOG_HOURS hourly buckets before ``now`` (rates None without polls)."""
        self._prune(now)
        polls = sum(b.polls for b in self._log)
        failures = sum(b.failures for b in self._log)
        items = sum(b.items for b in self._log)
        rate = failures / polls if polls else None
        per_poll = items / (polls - failures) if polls > failures else None
        return polls, rate, per_poll

    def record_result(self, result: FetchResult, at: datetime) -> None:
        """Record a FetchResult and keep its validators/cursor for the next fetch."""
        if result.status == "failed":
            self.record_failure(result.error or "fetch failed", at)
            return
        self.record_success(len(result.items), at, degraded=result.status == "degraded",
                            error=result.error)
        self.state = result.next_state(self.state)

    def backoff_seconds(self) -> float:
        """Return the delay before the next try after ``consecutive_failures`` failures."""
        base = min(self.interval * 2.0**self.consecutive_failures, self.max_backoff)
        return base * (1.0 + self.jitter * self.rng.uniform(-1.0, 1.0))

    def items_last_hour(self, now: datetime) -> int:
        """Return the items fetched in the hour before ``now`` (sliding window)."""
        while self._window and self._window[0][0] <= now - WINDOW:
            self._window.popleft()
        return sum(n for _, n in self._window)

    def as_dict(self, now: datetime | None = None) -> dict[str, Any]:
        """Return a JSON-ready dict (times ISO 8601); ``now`` defaults to the last event."""
        now = now or max((t for t in (self.last_success, self.last_error_at) if t),
                         default=None)
        iso = _iso
        polls, failure_rate, per_poll = self.poll_figures(now) if now else (0, None, None)
        lag = self.freshness_lag(now) if now else None
        return {
            "name": self.name, "status": self.status,
            "last_success": iso(self.last_success),
            "last_error": {"at": iso(self.last_error_at), "message": self.last_error}
            if self.last_error else None,
            "consecutive_failures": self.consecutive_failures,
            "items_last_hour": self.items_last_hour(now) if now else 0,
            "total_items": self.total_items, "next_due": iso(self.next_due),
            "newest_published": iso(self.newest_published),
            "freshness_lag_s": None if lag is None else round(lag, 1),
            "failure_rate_24h": None if failure_rate is None else round(failure_rate, 4),
            "polls_24h": polls,
            "items_per_poll": None if per_poll is None else round(per_poll, 2),
        }


def health_rows(configs: Iterable[SourceConfig], saved: Iterable[SourceState],
                now: datetime) -> list[dict[str, Any]]:
    """Return one row per configured source, in config order: ``name``, ``kind``,
    ``enabled``, ``interval`` (s) and its health at ``now`` (:meth:`SourceHealth.as_dict`)
    as restored from its ``saved`` state (status ``new`` when it has none). The shape of
    ``yuqing sources --json`` (docs/INTERFACES.md)."""
    by_name = {state.name: state for state in saved}
    return [{"name": c.name, "kind": c.kind, "enabled": c.enabled, "interval": c.interval,
             **SourceHealth.restored(c.name, c.interval, by_name.get(c.name)).as_dict(now)}
            for c in configs]


def age_parts(seconds: float) -> tuple[int, str]:
    """Return a duration as ``(n, unit)`` in its largest whole unit: ``天``, ``小时`` or
    ``分钟`` (``(0, "分钟")`` under a minute), for showing a freshness lag."""
    for unit, size in (("天", 86400), ("小时", 3600), ("分钟", 60)):
        if seconds >= size:
            return int(seconds // size), unit
    return 0, "分钟"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _time(value: Any) -> datetime | None:
    """An aware datetime from saved ISO text, or None (absent, garbled or naive)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _rows(value: Any) -> list[list[Any]]:
    return [row for row in value if isinstance(row, list)] if isinstance(value, list) else []
