"""Volume per hour and rising hot-search topics (spikes: pipeline/spikes.py).

Rising hot-search topics: from the hourly Weibo hot-search snapshots
(``snapshot,rank,title,hot,...``), the topics whose ``hot`` grew most between
the snapshot ``hours`` before the newest one (0 when absent) and the newest.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any


def hour_of(at: datetime) -> datetime:
    """Return ``at`` truncated to the hour (same time zone)."""
    return at.replace(minute=0, second=0, microsecond=0)


def hourly_counts(times: Iterable[datetime]) -> list[dict[str, Any]]:
    """Return ``[{"t": ISO hour, "count": n}]`` for every hour with items, in time order."""
    counts = Counter(hour_of(t) for t in times)
    return [{"t": h.isoformat(), "count": n} for h, n in sorted(counts.items())]


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
