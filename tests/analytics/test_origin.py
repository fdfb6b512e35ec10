"""Tests of analytics/origin.py: origin with confidence, placeholders, tree measures."""

from __future__ import annotations

import pytest
from event_items import make

from yuqing.analytics.origin import trace
from yuqing.domain import Item
from yuqing.pipeline.dedup import Deduplicator


def chained(items: list[Item]) -> list[Item]:
    """Run the dedup stage, which records ``//@`` chains in ``item.repost_chain``."""
    Deduplicator().process(items)
    return items


def test_tree_from_parent_ids() -> None:
    items = [make(1, "原帖：某路段塌陷", author="交通台"),
             make(2, "转发", 1, parent_id="1", author="甲"),
             make(3, "转发", 2, parent_id="2", author="乙"),
             make(4, "转发", 3, parent_id="2", author="丙"),
             make(5, "转发", 4, parent_id="1", author="丁")]
    prop = trace(items)
    assert prop.origin.key == "w:1" and prop.origin.collected
    assert prop.confidence == 0.9
    assert prop.depth == 2 and prop.breadth == 2
    assert prop.amplifiers[0].key == "w:2" and prop.amplifiers[0].descendants == 2
    assert {(e["from"], e["to"]) for e in prop.edges()} == {
        ("w:1", "w:2"), ("w:2", "w:3"), ("w:2", "w:4"), ("w:1", "w:5")}
    assert prop.nodes["w:1"].descendants == 4


def test_f12_parent_not_collected_is_a_placeholder_never_the_item() -> None:
    items = [make("5012345678911111", "转发", 0, parent_id="5000000000012345")]
    prop = trace(items)
    assert not prop.origin.collected
    assert prop.origin.key == "w:5000000000012345"
    assert prop.origin.as_dict()["short_id"] == "O000003d7"
    assert prop.confidence == 0.6


def test_earlier_repost_of_a_missing_post_lowers_confidence() -> None:
    items = [make(1, "转发", 0, parent_id="77"), make(2, "某地发生塌陷，现场有人被困", 30)]
    prop = trace(items)
    assert prop.origin.key == "w:2"
    assert prop.confidence == 0.5 and prop.upstream == "w:77"


def test_repost_chain_names_link_to_their_authors() -> None:
    items = chained([
        make(1, "某地发生塌陷，现场有人被困", 0, author="本地新闻"),
        make(2, "注意安全//@本地新闻:某地发生塌陷，现场有人被困", 5, author="路人甲"),
        make(3, "转发//@路人甲:注意安全//@本地新闻:某地发生塌陷，现场有人被困", 9, author="乙"),
        make(4, "哎//@没收录的人:说得对//@本地新闻:某地发生塌陷", 12, author="丙"),
    ])
    prop = trace(items)
    assert prop.nodes["w:2"].parent == "w:1"
    assert prop.nodes["w:3"].parent == "w:2"
    assert prop.nodes["w:4"].parent == "@没收录的人"
    assert prop.nodes["@没收录的人"].parent == "w:1" and not prop.nodes["@没收录的人"].collected
    assert prop.origin.key == "w:1" and prop.depth == 2


def test_weibo_url_in_text_is_a_parent_link() -> None:
    items = [make("5012345678901234", "原帖：某路段塌陷"),
             make(9, "看这条 https://m.weibo.cn/status/O5banBlCi", 3)]
    assert trace(items).nodes["w:9"].parent == "w:5012345678901234"


def test_first_time_per_media_type_and_single_item() -> None:
    news = make(2, "某地发生塌陷，官方通报", 60)
    news.media_type = "news"
    items = [make(1, "某地发生塌陷", 0), news]
    prop = trace(items)
    assert prop.first_by_media == {"weibo": items[0].published_at,
                                   "news": news.published_at}
    assert prop.confidence == 0.7  # linked by text only
    assert trace(items[:1]).confidence == 1.0


def test_parent_cycle_in_bad_data_terminates() -> None:
    items = [make(1, "a 甲乙", 0, parent_id="2"), make(2, "b 丙丁", 1, parent_id="1")]
    prop = trace(items)
    assert prop.origin.key in {"w:1", "w:2"}
    with pytest.raises(ValueError):
        trace([])
