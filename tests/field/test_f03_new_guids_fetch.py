"""docs/FIELD_CASES.md F3, fetch level: the same articles come back under new guids.

Identity (3 stored items, not 6) is decided by the normaliser's item key
(another module); here we assert only what the RSS source yields on the two
fetches: the guids and links exactly as the feed gives them, and 1002's
changed title.
"""

from __future__ import annotations

from feedserver import running_feed_server
from poll_helpers import poll_once

from yuqing.config import SourceConfig
from yuqing.sources.base import FetchState
from yuqing.sources.rss import RssSource


def test_f03_two_fetches_yield_three_items_each_with_raw_guids() -> None:
    with running_feed_server() as server:
        src = RssSource(SourceConfig(name="news", kind="rss", url=server.url("/f3")))
        first = poll_once(src)
        second = poll_once(src, first.next_state(FetchState()))
    assert first.status == second.status == "ok"
    assert [i.guid for i in first.items] == [
        f"http://news.example.cn/a/{n}.html" for n in (1001, 1002, 1003)]
    assert [i.guid for i in second.items] == [
        f"https://news.example.cn/a/{n}.html?from=rss" for n in (1001, 1002, 1003)]
    assert [i.url for i in second.items] == [i.guid for i in second.items]
    # the guid is a hint only: no id, so the normaliser keys these by canonical URL
    assert all(i.id is None for i in first.items + second.items)
    assert second.items[1].title == "地铁五号线延误通报（评论12）"
    assert first.items[1].title == "地铁五号线延误通报"
    assert [i.text for i in first.items] == [i.text for i in second.items]
