"""Spikes: whether the last window of an event's volume is far above its baseline.

Spike rule (ours; a Poisson approximation, the counts being arrivals): with
``r`` items in the recent window of ``R`` hours and ``b`` items in the
baseline window of ``B`` hours just before it, the expected recent count is
``e = b * R / B``; the window is a spike when ``r >= MIN_SPIKE_COUNT`` and
``z = (r - e) / sqrt(max(e, 1)) >= sensitivity`` (``[events]
spike_sensitivity``, default 3 standard deviations). Defaults: last hour
against the previous 12 hours.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

MIN_SPIKE_COUNT = 3


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
