"""Tests of yuqing.sources.replay with a fake clock (no test waits)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from yuqing.config import SourceConfig
from yuqing.sources.base import FetchState
from yuqing.sources.records import load_mapping
from yuqing.sources.replay import ReplaySource, data_time

ITEMS = Path(__file__).parents[1] / "fixtures" / "items"
CHECKED = (
    Path(__file__).parents[3] / "shared" / "data" / "checked_covid_fake" / "replay_stream.csv.gz"
)


class FakeClock:
    """A wall clock that only moves when sleep() is called or advance()d."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _jsonl(tmp_path: Path, times: list[str]) -> Path:
    f = tmp_path / "s.jsonl"
    f.write_text("".join(f'{{"id": "{n}", "text": "t", "published_at": "{t}"}}\n'
                         for n, t in enumerate(times)), encoding="utf-8")
    return f


def test_speed_spaces_batches_by_data_time(tmp_path: Path) -> None:
    f = _jsonl(tmp_path, ["2024-03-05 08:00", "2024-03-05 08:00", "2024-03-05 09:00",
                          "2024-03-05 11:00"])
    clock = FakeClock()
    src = ReplaySource(f, speed=3600, clock=clock, sleep=clock.sleep)
    batches = [[i.id for i in b] for b in src.batches()]
    assert batches == [["0", "1"], ["2"], ["3"]]
    assert clock.slept == [1.0, 2.0]  # one data hour per wall second


def test_speed_zero_is_as_fast_as_possible_in_batches(tmp_path: Path) -> None:
    f = _jsonl(tmp_path, [f"2024-03-05 08:{m:02d}" for m in range(7)])
    clock = FakeClock()
    src = ReplaySource(f, speed=0, clock=clock, sleep=clock.sleep, batch_size=3)
    assert [len(b) for b in src.batches()] == [3, 3, 1]
    assert clock.slept == []


def test_unsorted_file_is_sorted_and_bad_time_keeps_place() -> None:
    clock = FakeClock()
    src = ReplaySource(ITEMS / "unsorted.jsonl", speed=None, clock=clock, sleep=clock.sleep)
    ids = [i.id for b in src.batches() for i in b]
    # "昨天" cannot be read: it takes r2's time (the item before it in the file)
    assert ids == ["r1", "r2", "bad", "r3"]


def test_fetch_returns_due_items_and_resumes_from_cursor(tmp_path: Path) -> None:
    f = _jsonl(tmp_path, ["2024-03-05 08:00", "2024-03-05 09:00", "2024-03-05 10:00"])
    clock = FakeClock()
    src = ReplaySource(f, speed=3600, clock=clock, sleep=clock.sleep)
    first = src.fetch(FetchState())
    assert [i.id for i in first.items] == ["0"] and first.cursor == "1" and not first.done
    assert src.fetch(FetchState(cursor="1")).items == []
    clock.now += 2.0
    second = src.fetch(FetchState(cursor="1"))
    assert [i.id for i in second.items] == ["1", "2"] and second.done and second.cursor == "3"
    resumed = ReplaySource(f, speed=3600, clock=clock, sleep=clock.sleep)
    again = resumed.fetch(FetchState(cursor="2"))
    assert [i.id for i in again.items] == ["2"] and again.done


def test_bad_records_reported_by_fetch(tmp_path: Path) -> None:
    f = tmp_path / "b.jsonl"
    f.write_text('{"id": "1", "text": "a"}\nnot json\n', encoding="utf-8")
    result = ReplaySource(f).fetch(FetchState())
    assert [i.id for i in result.items] == ["1"]
    assert result.status == "degraded" and str(result.rejected[0]).startswith(f"{f}:2:")


def test_builtin_hotsearch_replays_in_order() -> None:
    clock = FakeClock()
    cfg = SourceConfig(name="hs", kind="replay", path="builtin:weibo-hotsearch", speed=3600)
    src = ReplaySource.from_config(cfg)
    src.clock, src.sleep = clock, clock.sleep
    batches = list(src.batches())
    assert sum(len(b) for b in batches) == 5750
    assert batches[0][0].published_at == "2025-06-01T00:00+08:00"
    # 2025-06-01T00:00 .. 2025-06-14T23:00 is 335 data hours = 335 wall seconds at 3600x
    assert clock.now - 1000.0 == pytest.approx(335.0)


def test_data_time() -> None:
    from zoneinfo import ZoneInfo
    sh = ZoneInfo("Asia/Shanghai")
    assert data_time("2024-03-05 08:00", sh) == datetime(2024, 3, 5, 0, 0, tzinfo=UTC).timestamp()
    assert (
        data_time("2024-03-05T08:00+00:00", sh) == datetime(2024, 3, 5, 8, tzinfo=UTC).timestamp()
    )
    assert data_time("刚刚", sh) is None and data_time(None, sh) is None


def test_checked_replay_stream_is_time_sorted_when_present() -> None:
    if not CHECKED.exists():
        pytest.skip(f"{CHECKED} not present")
    clock = FakeClock()
    src = ReplaySource(CHECKED, speed=None, mapping=load_mapping("builtin:checked_replay"),
                       clock=clock, sleep=clock.sleep, batch_size=10_000)
    sizes = [len(b) for b in src.batches()]
    assert sum(sizes) == 48358 and sizes[0] == 10_000 and src.rejected == []
