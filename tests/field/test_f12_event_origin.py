"""docs/FIELD_CASES.md F12 through the events stage and origin tracing (analytics/origin.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from yuqing.analytics.origin import trace
from yuqing.domain import RawItem
from yuqing.pipeline.dedup import Deduplicator
from yuqing.pipeline.events import EventClusterer
from yuqing.pipeline.normalize import Normalizer

FETCH = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)
RAWS = [
    RawItem(source="weibo", id="5012345678901234", text="原帖：某路段塌陷",
            published_at="Tue Mar 05 08:15:00 +0800 2024", fetched_at=FETCH),
    RawItem(source="weibo", id="5012345678909999", text="转发 //@路人甲:注意安全",
            url="https://weibo.cn/comment/O5banBlCi", fetched_at=FETCH),
    RawItem(source="weibo", id="5012345678911111", text="转发", parent_id="5000000000012345",
            fetched_at=FETCH),
]


def test_f12_events_and_origins() -> None:
    items = [Normalizer().to_item(r) for r in RAWS]
    Deduplicator().process(items)
    EventClusterer().process(items)
    first, second, third = items
    assert second.event_id == first.event_id  # the short-id URL links item 2 to item 1
    assert third.event_id != first.event_id

    prop = trace([first, second])
    assert prop.origin.key == "weibo:5012345678901234" and prop.origin.collected
    assert {"from": "weibo:5012345678901234", "to": "weibo:5012345678909999"} in prop.edges()

    alone = trace([third])
    assert not alone.origin.collected  # a placeholder, not item 3
    assert alone.origin.as_dict()["short_id"] == "O000003d7"
    assert alone.origin.key == "weibo:5000000000012345"
