"""docs/FIELD_CASES.md F12: Weibo ids in two forms (identity and parent links)."""

from __future__ import annotations

from datetime import UTC, datetime

from yuqing.domain import RawItem
from yuqing.pipeline.dedup import Deduplicator
from yuqing.pipeline.normalize import Normalizer
from yuqing.pipeline.weibo_ids import mid_to_short, short_to_mid

FETCH = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)
RAWS = [
    RawItem(
        source="weibo",
        id="5012345678901234",
        text="原帖：某路段塌陷",
        published_at="Tue Mar 05 08:15:00 +0800 2024",
        fetched_at=FETCH,
    ),
    RawItem(
        source="weibo",
        id="5012345678909999",
        text="转发 //@路人甲:注意安全",
        url="https://weibo.cn/comment/O5banBlCi",
        fetched_at=FETCH,
    ),
    RawItem(
        source="weibo",
        id="5012345678911111",
        text="转发",
        parent_id="5000000000012345",
        fetched_at=FETCH,
    ),
]


def test_f12_short_id_is_numeric_id() -> None:
    assert short_to_mid("O5banBlCi") == "5012345678901234"
    assert mid_to_short("5012345678901234") == "O5banBlCi"
    assert mid_to_short("5000000000012345") == "O000003d7"


def test_f12_links_and_placeholder_parent() -> None:
    items, rejected = Normalizer().to_items(RAWS)
    assert not rejected
    Deduplicator().process(items)
    first, second, third = items
    assert first.published_at == datetime(2024, 3, 5, 0, 15, tzinfo=UTC)
    assert first.parent_id is None
    assert second.parent_id == "5012345678901234"  # the status of the comment page: item 1
    assert second.repost_chain == ["路人甲"]
    assert third.parent_id == "5000000000012345"  # kept though not collected
    assert mid_to_short(third.parent_id) == "O000003d7"
    assert [it.id for it in items] == ["5012345678901234", "5012345678909999", "5012345678911111"]
    assert all(isinstance(it.id, str) for it in items)
    assert all(it.duplicate_of is None for it in items)
