"""docs/FIELD_CASES.md F3, identity part: the same articles under new guids are 3 items, not 6.

The RawItems are what the RSS source yields for the two fetches (no id, guid
and link as in the feed; see test_f03_new_guids_fetch.py for the fetch part).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from yuqing.domain import Item, RawItem
from yuqing.pipeline.dedup import Deduplicator
from yuqing.pipeline.normalize import Normalizer

FETCH = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)
TEXTS = {
    1001: "市政府召开防汛工作会议，部署汛期准备",
    1002: "地铁五号线今晨因信号故障延误约二十分钟",
    1003: "本市新增三处便民服务中心，周末照常开放",
}


def fetch(
    normalizer: Normalizer, guid_format: str, title_1002: str, *, guid_as_id: bool = False
) -> list[Item]:
    raws = []
    for n, text in TEXTS.items():
        guid = guid_format.format(n)
        title = title_1002 if n == 1002 else f"新闻{n}"
        raws.append(
            RawItem(
                source="news",
                text=text,
                title=title,
                fetched_at=FETCH,
                guid=guid,
                url=guid,
                id=guid if guid_as_id else None,
            )
        )
    items, rejected = normalizer.to_items(raws)
    assert not rejected
    return items


@pytest.mark.parametrize("guid_as_id", [False, True])
def test_f03_second_fetch_updates_the_three_items(guid_as_id: bool) -> None:
    normalizer, dedup = Normalizer(), Deduplicator()
    first = fetch(
        normalizer, "http://news.example.cn/a/{}.html", "地铁五号线延误通报", guid_as_id=guid_as_id
    )
    dedup.process(first)
    second = fetch(
        normalizer,
        "https://news.example.cn/a/{}.html?from=rss",
        "地铁五号线延误通报（评论12）",
        guid_as_id=guid_as_id,
    )
    dedup.process(second)
    assert len({it.key for it in first + second}) == 3
    assert [it.key for it in second] == [it.key for it in first]
    assert all(it.is_update and it.duplicate_of is None for it in second)
    assert not any(it.is_update for it in first)
    assert second[1].title == "地铁五号线延误通报（评论12）"
    assert {it.canonical_url for it in second} == {f"news.example.cn/a/{n}.html" for n in TEXTS}
    assert len(dedup) == 3


def test_f03_keys_are_canonical_urls() -> None:
    first = fetch(Normalizer(), "http://news.example.cn/a/{}.html", "x")
    assert [it.key for it in first] == [f"url:news.example.cn/a/{n}.html" for n in TEXTS]
