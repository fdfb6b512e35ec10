"""docs/FIELD_CASES.md F2: one bad entry in a feed never fails the fetch.

Item 2's title holds ``&#1114112;`` (beyond Unicode: feedparser 6.0 alone
raises ValueError and loses the whole feed); item 3's description holds
``&ldquo;引号&rdquo;`` without a DTD. Expected: the run does not fail, items
1 and 3 are kept (item 3 reads “引号”), item 2 is kept with the bad reference
dropped, and the source's health shows "degraded", not "failed".
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from feedserver import running_feed_server
from poll_helpers import NoMemory

from yuqing.config import SourceConfig
from yuqing.sources.health import SourceHealth
from yuqing.sources.http import HttpFetcher
from yuqing.sources.poll import poll_due
from yuqing.sources.polling import PollEnv
from yuqing.sources.rss import RssSource

NOW = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)


def test_f02_bad_entry_gives_degraded_fetch_with_all_items() -> None:
    with running_feed_server() as server:
        src = RssSource(SourceConfig(name="f2", kind="rss", url=server.url("/f2"),
                                     media_type="news"))
        health: dict[str, SourceHealth] = {}
        env = PollEnv(HttpFetcher(delay=0.0), NoMemory())
        items = asyncio.run(poll_due([src], health, NOW, env))
    assert [i.title for i in items] == ["第一条", "第二条坏", "第三条"]
    assert items[2].text == "“引号”"
    assert health["f2"].status == "degraded"
    assert health["f2"].consecutive_failures == 0
    assert "invalid character reference" in (health["f2"].last_error or "")
