"""docs/FIELD_CASES.md F12 end to end: through the pipeline into the store, then origins."""

from __future__ import annotations

from datetime import UTC, datetime

from yuqing.analytics.threads import trace_origin
from yuqing.config import Config
from yuqing.domain import RawItem
from yuqing.runtime.pipeline import Pipeline
from yuqing.runtime.registries import load_registries
from yuqing.store import Store

FETCH = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)


def test_f12_origin_and_not_collected_parent(store: Store) -> None:
    raws = [
        RawItem(source="weibo", id="5012345678901234", text="原帖：某路段塌陷",
                published_at="Tue Mar 05 08:15:00 +0800 2024", fetched_at=FETCH),
        RawItem(source="weibo", id="5012345678909999", text="转发 //@路人甲:注意安全",
                url="https://weibo.cn/comment/O5banBlCi", fetched_at=FETCH),
        RawItem(source="weibo", id="5012345678911111", text="转发", parent_id="5000000000012345",
                fetched_at=FETCH),
    ]
    outcome = Pipeline(Config(), store, registries=load_registries()).process(raws)
    assert outcome.stored == 3

    first = store.get_item("weibo:5012345678901234")
    second = store.get_item("weibo:5012345678909999")
    third = store.get_item("weibo:5012345678911111")
    assert first is not None and second is not None and third is not None
    assert first.published_at == datetime(2024, 3, 5, 0, 15, tzinfo=UTC)

    assert trace_origin(store, first).item == first
    origin2 = trace_origin(store, second)
    assert origin2.collected and origin2.id == "5012345678901234" and origin2.depth == 1

    origin3 = trace_origin(store, third)
    assert not origin3.collected  # a placeholder, not item 3
    assert origin3.as_dict()["short_id"] == "O000003d7"
    assert origin3.id == "5000000000012345"
