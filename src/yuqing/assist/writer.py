"""Writing event summaries to the store: on demand, or in the background after the alerts.

:class:`EventSummaries` writes the summary of one event (assist/summary.py) and stores
it with the prompt, the model, the cited items and the seconds the endpoint took
(``store.summaries``). :class:`BackgroundSummaries` is what the pipeline holds when
``[llm]`` is set: after a batch's alerts are recorded (and handed to the dispatcher)
the pipeline names the batch's events, and one background thread writes the summaries
that are due, so a slow or failing endpoint never delays an alert. A failure is logged
and counted; nothing is retried until the event changes again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from yuqing.analytics.event_report import event_summary
from yuqing.assist.chat import ChatClient
from yuqing.assist.summary import (
    SYSTEM,
    SupportCheck,
    build_prompt,
    check_sentences,
    choose_items,
    numbered,
    summary_text,
)
from yuqing.config import Config, LlmConfig
from yuqing.domain import YuqingError
from yuqing.pipeline.keywords import KeywordExtractor
from yuqing.store import Store

log = logging.getLogger(__name__)
#: the most members of an event read to choose the items sent
READ_MEMBERS = 5000


class EventSummaries:
    """Writes and stores event summaries with the endpoint of ``config.llm`` (required).

    ``clock`` gives now (aware UTC) for the refresh rule and the stored time."""

    def __init__(self, config: Config, store: Store,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        if config.llm is None:
            raise YuqingError("event summaries need an [llm] section in the config")
        self.llm: LlmConfig = config.llm
        self.tz = config.timezone
        self.store = store
        self.chat = ChatClient(config.llm)
        self.check = SupportCheck(KeywordExtractor.from_config(config))
        self.clock = clock

    def due(self, event: dict[str, Any], last: dict[str, Any] | None) -> bool:
        """Return True when ``event`` (an ``events`` row) should get a summary now: it has
        ``[llm] min_event_size`` items or more, and no summary yet, or one older than
        ``refresh_minutes`` written when the event was smaller."""
        if event["size"] < self.llm.min_event_size:
            return False
        if last is None:
            return True
        old = self.clock() - last["created_at"] >= timedelta(minutes=self.llm.refresh_minutes)
        return old and int(event["size"]) > int(last["event_size"])

    def write(self, event_id: str, *, force: bool = False) -> dict[str, Any] | None:
        """Write, store and return the summary of ``event_id`` (the stored row), or None
        when the event is unknown, not due (unless ``force``) or has no item that may be
        sent. Raises ChatError when the endpoint fails."""
        event = self.store.reports.event(event_id)
        if event is None:
            return None
        if not force and not self.due(event, self.store.summaries.latest(event_id)):
            return None
        members = self.store.events.members(event_id, limit=READ_MEMBERS)
        withheld = self.store.cases.linked_items([m.key for m in members])
        sent = choose_items(members, withheld, self.llm.max_items)
        if not sent:
            return None
        prompt = build_prompt(event_summary(event), sent, self.tz)
        started = time.monotonic()
        answer = self.chat.complete([{"role": "system", "content": SYSTEM},
                                     {"role": "user", "content": prompt}])
        seconds = round(time.monotonic() - started, 3)
        kept, dropped = check_sentences(answer, numbered(sent), self.check)
        row = {"event_id": event_id, "event_size": event["size"], "created_at": self.clock(),
               "model": self.llm.model, "prompt": f"{SYSTEM}\n\n{prompt}", "answer": answer,
               "text": summary_text(kept, dropped),
               "sentences": [s.as_dict() for s in kept], "dropped": dropped,
               "cited": list(dict.fromkeys(k for s in kept for k in s.keys)),
               "seconds": seconds}
        row["id"] = self.store.summaries.add(row)
        return row


class BackgroundSummaries:
    """Writes the due summaries of the events it is told about, one at a time, in a
    background thread (``yuqing-llm``); :meth:`note` never waits."""

    def __init__(self, summaries: EventSummaries) -> None:
        self.summaries = summaries
        self.written = 0
        self.failed = 0
        self._pending: set[str] = set()
        self._closing = False
        self._gave_up = False
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="yuqing-llm")

    def note(self, event_ids: Iterable[str]) -> None:
        """Queue the events ``event_ids`` (those already waiting are not queued twice)."""
        with self._lock:
            new = [e for e in dict.fromkeys(event_ids) if e not in self._pending]
            self._pending.update(new)
        for event_id in new:
            self._pool.submit(self._write, event_id)

    def _write(self, event_id: str) -> None:
        with self._lock:
            self._pending.discard(event_id)
            if self._gave_up:
                return
        try:
            if self.summaries.write(event_id) is not None:
                self.written += 1
        except Exception as exc:  # noqa: BLE001 - a failing endpoint must not stop the thread
            self.failed += 1
            log.warning("summary of event %s not written: %s", event_id, exc)
            with self._lock:
                self._gave_up = self._closing

    def close(self) -> None:
        """Write what is queued, then stop the thread. Each write is bounded by
        ``[llm] timeout``; once one fails during the shutdown the rest are dropped, so a
        dead endpoint delays a shutdown by one timeout, not one per queued event."""
        with self._lock:
            self._closing = True
        self._pool.shutdown(wait=True)
