"""Volume per hour, spikes, and rising hot-search topics.

Spike rule (ours; a Poisson approximation, the counts being arrivals): with
``r`` items in the recent window of ``R`` hours and ``b`` items in the
baseline window of ``B`` hours just before it, the expected recent count is
``e = b * R / B``; the window is a spike when ``r >= MIN_SPIKE_COUNT`` and
``z = (r - e) / sqrt(max(e, 1)) >= sensitivity`` (``[events]
spike_sensitivity``, default 3 standard deviations). Defaults: last hour
against the previous 12 hours.

Rising hot-search topics: from the hourly Weibo hot-search snapshots
(``snapshot,rank,title,hot,...``), the topics whose ``hot`` grew most between
the snapshot ``hours`` before the newest one (0 when absent) and the newest.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import IO, Any

MIN_SPIKE_COUNT = 3


def hour_of(at: datetime) -> datetime:
    """Return ``at`` truncated to the hour (same time zone)."""
    return at.replace(minute=0, second=0, microsecond=0)


def hourly_counts(times: Iterable[datetime]) -> list[dict[str, Any]]:
    """Return ``[{"t": ISO hour, "count": n}]`` for every hour with items, in time order."""
    counts = Counter(hour_of(t) for t in times)
    return [{"t": h.isoformat(), "count": n} for h, n in sorted(counts.items())]


def spike(times: Iterable[datetime], at: datetime, *, recent_hours: float = 1.0,
          baseline_hours: float = 12.0, sensitivity: float = 3.0) -> dict[str, Any]:
    """Return ``{"recent", "baseline", "expected", "z", "spike"}`` for the window ending
    at ``at`` (module doc). ``times`` are aware datetimes; later ones are ignored."""
    recent_from = at - timedelta(hours=recent_hours)
    base_from = recent_from - timedelta(hours=baseline_hours)
    recent = baseline = 0
    for t in times:
        if recent_from < t <= at:
            recent += 1
        elif base_from < t <= recent_from:
            baseline += 1
    expected, z, is_spike = spike_test(recent, baseline, recent_hours, baseline_hours,
                                       sensitivity)
    return {"recent": recent, "baseline": baseline, "expected": round(expected, 3),
            "z": round(z, 3), "spike": is_spike}


def spike_test(recent: int, baseline: int, recent_hours: float, baseline_hours: float,
               sensitivity: float) -> tuple[float, float, bool]:
    """Return ``(expected, z, is_spike)`` for ``recent`` items in ``recent_hours`` after
    ``baseline`` items in ``baseline_hours`` (the module's rule)."""
    expected = baseline * recent_hours / baseline_hours
    z = (recent - expected) / math.sqrt(max(expected, 1.0))
    return expected, z, recent >= MIN_SPIKE_COUNT and z >= sensitivity


def rising_topics(snapshots: IO[str], *, hours: int = 3, top: int = 10) -> list[dict[str, Any]]:
    """Return the ``top`` topics of a hot-search snapshot CSV whose ``hot`` rose most over
    the last ``hours`` snapshots: ``[{"title", "hot", "before", "growth", "rank"}]``.
    Raises KeyError naming a missing column."""
    by_time: dict[str, dict[str, tuple[int, int]]] = {}
    for row in csv.DictReader(snapshots):
        by_time.setdefault(row["snapshot"], {})[row["title"]] = (int(row["hot"] or 0),
                                                                 int(row["rank"] or 0))
    if not by_time:
        return []
    stamps = sorted(by_time)
    newest = by_time[stamps[-1]]
    before = by_time[stamps[max(0, len(stamps) - 1 - hours)]] if len(stamps) > 1 else {}
    growth = {title: hot - before.get(title, (0, 0))[0] for title, (hot, _) in newest.items()}
    ranked = sorted(newest, key=lambda title: -growth[title])[:top]
    return [{"title": t, "hot": newest[t][0], "before": newest[t][0] - growth[t],
             "growth": growth[t], "rank": newest[t][1]} for t in ranked]
