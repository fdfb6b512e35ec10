"""Tests of yuqing.sources.health: backoff, sliding window, saved state."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from yuqing.domain import SourceState
from yuqing.sources.base import FetchResult, FetchState
from yuqing.sources.health import SourceHealth

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
    assert back.status == "ok" and back.last_success == T0 and not back.is_due(T0)
    assert SourceHealth.restored("feed", 60, None).state == FetchState()
    assert SourceHealth.restored("f", 60, SourceState("f", health={})).state.done is False


def test_freshness_failure_rate_and_items_per_poll_over_24_hours() -> None:
    h = SourceHealth("feed", interval=600, jitter=0.0)
    assert h.as_dict(T0)["freshness_lag_s"] is None and h.as_dict(T0)["polls_24h"] == 0
    h.record_success(4, T0)
    h.record_failure("HTTP 500", T0 + timedelta(minutes=10))
    h.record_success(0, T0 + timedelta(minutes=30))  # a 304
    h.record_success(8, T0 + timedelta(hours=2))
    now = T0 + timedelta(hours=3)
    d = h.as_dict(now)
    assert (d["polls_24h"], d["failure_rate_24h"], d["items_per_poll"]) == (4, 0.25, 4.0)
    assert d["freshness_lag_s"] == 3600.0  # no publication time known: the last items
    h.note_published(T0 + timedelta(hours=1, minutes=30))
    h.note_published(T0)  # older: ignored
    assert h.as_dict(now)["freshness_lag_s"] == 5400.0
    assert h.as_dict(now)["newest_published"] == (T0 + timedelta(hours=1, minutes=30)).isoformat()
    # the first hour's polls leave the 24 h window
    later = T0 + timedelta(hours=24, minutes=5)
    assert (h.as_dict(later)["polls_24h"], h.as_dict(later)["failure_rate_24h"]) == (1, 0.0)
    h.note_published(later + timedelta(hours=8))  # a clock ahead of ours: lag 0, not negative
    assert h.freshness_lag(later) == 0.0


def test_restored_health_gives_the_same_figures_and_survives_garbage() -> None:
    h = SourceHealth("feed", interval=60, jitter=0.0)
    h.record_success(3, T0)
    h.record_failure("timeout", T0 + timedelta(minutes=1))
    h.note_published(T0 - timedelta(minutes=5))
    now = T0 + timedelta(minutes=30)
    saved = h.saved_state(now)
    back = SourceHealth.restored("feed", 60, saved)
    assert back.as_dict(now) == h.as_dict(now)
    assert back.consecutive_failures == 1 and back.items_last_hour(now) == 3
    garbled = SourceState("feed", health={"status": "ok", "last_success": "yesterday",
                                          "poll_log": [["x", 1, 2, 3], "no"], "window": 7,
                                          "total_items": -4, "last_error": "boom"})
    rough = SourceHealth.restored("feed", 60, garbled)
    assert (rough.status, rough.last_success, rough.total_items, rough.last_error) == (
        "ok", None, 0, None)
    assert rough.as_dict(now)["polls_24h"] == 0
