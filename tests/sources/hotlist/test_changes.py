"""Tests of yuqing.sources.hotlist.changes: entered, rising (rank or heat), left, moved."""

from __future__ import annotations

from yuqing.domain import HotlistEntry
from yuqing.sources.hotlist.changes import Rise, compare_snapshots


def e(key: str, rank: int, heat: float | None = None) -> HotlistEntry:
    return HotlistEntry(key=key, rank=rank, title=f"话题{key}", heat=heat, url=None)


def facts(before: list[HotlistEntry], now: list[HotlistEntry],
          rise: Rise | None = None) -> list[tuple[str, str | None, int | None]]:
    changes = compare_snapshots(before, now, rise or Rise())
    return [(c.entry.key, c.fact, c.previous_rank) for c in changes]


def test_first_poll_every_topic_entered() -> None:
    assert facts([], [e("a", 1), e("b", 2)]) == [("a", "entered", None), ("b", "entered", None)]


def test_entered_rising_moved_left_and_unchanged() -> None:
    before = [e("a", 1, 100), e("b", 2, 90), e("c", 3, 80), e("d", 15, 10), e("x", 20, 5)]
    now = [e("d", 1, 12), e("a", 2, 100), e("b", 3, 90), e("c", 4, 80), e("n", 5, 70)]
    assert facts(before, now) == [
        ("d", "rising", 15),    # 14 places up (>= 10)
        ("a", None, 1),         # moved down: reported, no fact
        ("b", None, 2),
        ("c", None, 3),
        ("n", "entered", None),
        ("x", "left", 20),      # the last seen entry
    ]


def test_rising_by_heat_and_the_thresholds() -> None:
    before = [e("a", 5, 100), e("b", 12, 100), e("c", 30, None)]
    now = [e("a", 5, 150), e("b", 3, 149), e("c", 21, 1000)]
    assert facts(before, now) == [("a", "rising", 5), ("b", None, 12), ("c", None, 30)]
    assert facts(before, now, Rise(places=9, heat_percent=40)) == [
        ("a", "rising", 5), ("b", "rising", 12), ("c", "rising", 30)]


def test_unchanged_topics_are_not_reported_and_a_zero_heat_never_rises_by_percent() -> None:
    same = [e("a", 1, 100), e("b", 2, 0)]
    assert facts(same, same) == []
    assert facts([e("b", 2, 0)], [e("b", 2, 50)]) == [("b", None, 2)]
