"""Tests of analytics/trends.py and pipeline/spikes.py: hourly volume, spikes, rising
hot-search topics."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime, timedelta
from importlib import resources

from yuqing.analytics.trends import hourly_counts, rising_topics
from yuqing.pipeline.spikes import spike

T0 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def test_hourly_counts() -> None:
    times = [T0, T0 + timedelta(minutes=59), T0 + timedelta(hours=2, minutes=5)]
    assert hourly_counts(times) == [{"t": "2024-06-01T12:00:00+00:00", "count": 2},
                                    {"t": "2024-06-01T14:00:00+00:00", "count": 1}]


def test_spike_against_quiet_baseline() -> None:
    base = [T0 - timedelta(hours=h, minutes=30) for h in range(1, 13)]  # one an hour
    burst = [T0 - timedelta(minutes=m) for m in range(0, 50, 5)]  # ten in the last hour
    result = spike(base + burst, T0)
    assert result["recent"] == 10 and result["baseline"] == 12
    assert result["expected"] == 1.0 and result["z"] == 9.0 and result["spike"] is True


def test_steady_volume_is_no_spike() -> None:
    steady = [T0 - timedelta(minutes=30 * k) for k in range(26)]  # two an hour
    result = spike(steady, T0)
    assert result["spike"] is False and result["recent"] == 2


def test_sensitivity_setting() -> None:
    times = [T0 - timedelta(minutes=m) for m in (1, 2, 3, 4)] + [T0 - timedelta(hours=5)]
    assert spike(times, T0, sensitivity=3.0)["spike"] is True
    assert spike(times, T0, sensitivity=10.0)["spike"] is False


def test_rising_topics_on_bundled_hot_search() -> None:
    path = resources.files("yuqing").joinpath("data", "hotsearch", "snapshots.csv.gz")
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    rows = rising_topics(io.StringIO(text), hours=3, top=5)
    assert len(rows) == 5
    assert rows[0]["growth"] >= rows[-1]["growth"] > 0
    assert rows[0]["hot"] - rows[0]["before"] == rows[0]["growth"]
