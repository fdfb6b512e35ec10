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
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from yuqing.domain import SourceState
from yuqing.sources.base import FetchResult, FetchState

MAX_BACKOFF_S = 3600.0
JITTER = 0.2
WINDOW = timedelta(hours=1)


@dataclass
class SourceHealth:
    """Health and fetch bookkeeping of one source.

    ``status``: ``"new"`` (never fetched), ``"ok"``, ``"degraded"``,
    ``"failed"``. ``state`` is the FetchState passed to the next fetch.
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
    state: FetchState = field(default_factory=FetchState)
    rng: random.Random = field(default_factory=random.Random, repr=False)
    _window: deque[tuple[datetime, int]] = field(default_factory=deque, repr=False)

    @classmethod
    def restored(cls, name: str, interval: float, saved: SourceState | None) -> SourceHealth:
        """Return a new SourceHealth whose fetch state (validators, cursor, done mark) is that
        of ``saved`` (a fresh one when None); status and counters start anew."""
        health = cls(name, interval)
        if saved is not None:
            health.state = FetchState(etag=saved.etag, last_modified=saved.last_modified,
                                      cursor=saved.cursor, done=bool(saved.health.get("done")))
        return health

    def saved_state(self, now: datetime) -> SourceState:
        """Return the SourceState to save at ``now``: the fetch state's validators and cursor,
        and ``health`` = :meth:`as_dict` plus ``done``."""
        state = self.state
        return SourceState(self.name, etag=state.etag, last_modified=state.last_modified,
                           cursor=state.cursor, health={**self.as_dict(now), "done": state.done})

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
        self.next_due = at + timedelta(seconds=self.interval)

    def record_failure(self, error: str, at: datetime) -> None:
        """Record a failed fetch at ``at``; next due after a jittered, capped backoff."""
        self.status = "failed"
        self.last_error, self.last_error_at = error, at
        self.consecutive_failures += 1
        self.next_due = at + timedelta(seconds=self.backoff_seconds())

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
        return {
            "name": self.name, "status": self.status,
            "last_success": iso(self.last_success),
            "last_error": {"at": iso(self.last_error_at), "message": self.last_error}
            if self.last_error else None,
            "consecutive_failures": self.consecutive_failures,
            "items_last_hour": self.items_last_hour(now) if now else 0,
            "total_items": self.total_items, "next_due": iso(self.next_due),
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
