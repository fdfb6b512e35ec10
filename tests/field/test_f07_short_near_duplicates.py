"""docs/FIELD_CASES.md F7: short near-duplicates need character n-grams and an exact check."""

from __future__ import annotations

from datetime import UTC, datetime

from yuqing.domain import RawItem
from yuqing.pipeline.dedup import Deduplicator
from yuqing.pipeline.normalize import Normalizer

TEXTS = ["市卫健委回应网传某医院停诊", "市卫键委回应网传某医院停诊", "市教育局发布寒假安排"]


def test_f07_typo_is_near_duplicate_other_is_not() -> None:
    items, _ = Normalizer().to_items(
        RawItem(source="weibo", id=str(i), text=t, fetched_at=datetime(2024, 3, 5, tzinfo=UTC))
        for i, t in enumerate(TEXTS)
    )
    Deduplicator().process(items)
    assert [it.duplicate_of for it in items] == [None, "weibo:0", None]


def test_f07_order_does_not_matter() -> None:
    items, _ = Normalizer().to_items(
        RawItem(source="weibo", id=str(i), text=t, fetched_at=datetime(2024, 3, 5, tzinfo=UTC))
        for i, t in enumerate(reversed(TEXTS))
    )
    Deduplicator().process(items)
    assert [it.duplicate_of for it in items] == [None, None, "weibo:1"]
