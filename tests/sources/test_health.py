"""Tests of yuqing.sources.health: backoff, sliding window, poll_due isolation."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from yuqing.config import SourceConfig
from yuqing.domain import RawItem, SourceState
from yuqing.sources.base import FetchResult, FetchState
from yuqing.sources.health import SourceHealth, poll_due

T0 = datetime(2024, 3, 5, 8, 0, tzinfo=UTC)


def test_backoff_doubles_and_caps_without_jitter() -> None:
    h = SourceHealth("s", interval=300, jitter=0.0)
    delays = []
    for n in range(6):
        h.record_failure("boom", T0)
        delays.append((h.next_due - T0).total_seconds())  # type: ignore[operator]
        assert h.consecutive_failures == n + 1
    assert delays == [600, 1200, 2400, 3600, 3600, 3600]
    assert h.status == "failed" and h.last_error == "boom" and h.last_error_at == T0


def test_jitter_stays_within_bounds_and_is_seeded() -> None:
    h = SourceHealth("s", interval=100, rng=random.Random(1))
    h.consecutive_failures = 1
    samples = [h.backoff_seconds() for _ in range(200)]
    assert min(samples) >= 160 and max(samples) <= 240
    assert len(set(samples)) > 100


def test_success_resets_and_window_slides() -> None:
    h = SourceHealth("s", interval=60)
    h.record_failure("x", T0)
    h.record_success(5, T0 + timedelta(minutes=1))
    assert h.status == "ok" and h.consecutive_failures == 0
    assert h.next_due == T0 + timedelta(minutes=2)
    h.record_success(7, T0 + timedelta(minutes=50))
    assert h.items_last_hour(T0 + timedelta(minutes=55)) == 12
    assert h.items_last_hour(T0 + timedelta(minutes=61)) == 7
    d = h.as_dict(T0 + timedelta(minutes=61))
    assert d["items_last_hour"] == 7 and d["total_items"] == 12
    assert d["last_error"] == {"at": T0.isoformat(), "message": "x"}
    assert d["last_success"] == (T0 + timedelta(minutes=50)).isoformat()


def test_degraded_result_keeps_validators() -> None:
    h = SourceHealth("s", interval=60)
    h.record_result(FetchResult([], "degraded", "repaired", etag='"e"'), T0)
    assert h.status == "degraded" and h.state.etag == '"e"' and h.last_error == "repaired"
    h.record_result(FetchResult([], "failed", "HTTP 500"), T0)
    assert h.status == "failed" and h.state.etag == '"e"'


class _Fake:
    supports_conditional_get: ClassVar[bool] = False
    is_finite: ClassVar[bool] = False
    is_remote: ClassVar[bool] = False

    def __init__(self, name: str, behaviour: str) -> None:
        self.name = name
        self.config = SourceConfig(name=name, kind="fake", interval=60)
        self.behaviour = behaviour
        self.calls = 0

    def fetch(self, state: FetchState) -> FetchResult:
        self.calls += 1
        if self.behaviour == "raise":
            raise RuntimeError("kaput")
        item = RawItem(source=self.name, text="t", fetched_at=T0, id=str(self.calls))
        return FetchResult([item], "ok", done=self.behaviour == "finite")


def test_poll_due_isolates_failures_and_respects_due_times() -> None:
    bad, good, finite = _Fake("bad", "raise"), _Fake("good", "ok"), _Fake("fin", "finite")
    health: dict[str, SourceHealth] = {}
    items = poll_due([bad, good, finite], health, T0)
    assert [(i.source, i.id) for i in items] == [("good", "1"), ("fin", "1")]
    assert health["bad"].status == "failed"
    assert health["bad"].last_error == "RuntimeError: kaput"
    assert health["good"].next_due == T0 + timedelta(seconds=60)
    assert poll_due([bad, good, finite], health, T0 + timedelta(seconds=30)) == []
    later = poll_due([bad, good, finite], health, T0 + timedelta(seconds=61))
    assert [i.source for i in later] == ["good"]  # bad backs off (>= 96 s), fin is done
    assert (bad.calls, good.calls, finite.calls) == (1, 2, 1)


def test_saved_state_round_trips_validators_cursor_and_done() -> None:
    h = SourceHealth("feed", interval=60)
    h.record_result(FetchResult([], "ok", etag='W/"7"', cursor="0042", done=True), T0)
    saved = h.saved_state(T0)
    assert (saved.name, saved.etag, saved.last_modified, saved.cursor) == (
        "feed", 'W/"7"', None, "0042")
    assert saved.health["done"] is True and saved.health["status"] == "ok"
    assert saved.health["last_success"] == T0.isoformat()
    back = SourceHealth.restored("feed", 60, saved)
    assert back.state == FetchState(etag='W/"7"', cursor="0042", done=True)
    assert back.status == "new" and back.is_due(T0)
    assert SourceHealth.restored("feed", 60, None).state == FetchState()
    assert SourceHealth.restored("f", 60, SourceState("f", health={})).state.done is False
