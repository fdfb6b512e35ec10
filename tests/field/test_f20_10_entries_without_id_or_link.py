"""F20.10 (docs/FIELD_CASES.md): feed entries with neither guid/id nor link.

RSS 2.0 requires of an item only a title or a description, and Atom entries
in the wild lack ids; such entries were refused ("entry has neither guid/id
nor link"). Expected: every entry is kept, flagged ``derived_guid``, under a
guid derived from the feed URL, title, date and content: the same on every
poll, different for different entries and for the same entry in another feed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from yuqing.config import Config
from yuqing.runtime.pipeline import Pipeline
from yuqing.runtime.registries import load_registries
from yuqing.sources.rss import parse_feed
from yuqing.store import Store

AT = datetime(2024, 3, 5, 2, tzinfo=UTC)
RSS = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>某区通知</title>
<item><title>停水通知</title><description>东区明日停水</description>
<pubDate>2024/3/5 8:15:00</pubDate></item>
<item><title>停水通知</title><description>西区明日停水</description>
<pubDate>2024/3/5 8:15:00</pubDate></item>
<item><description>没有标题也没有链接的条目</description></item>
</channel></rss>""".encode()
ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>某区</title><entry><title>道路施工公告</title><updated>2024-03-05T08:15:00+08:00</updated>
<content>中山路施工三天</content></entry></feed>""".encode()


def parse(data: bytes, feed: str = "http://a.example.cn/rss") -> list[tuple[str | None, list[str]]]:
    parsed = parse_feed(data, source="gov", tz="Asia/Shanghai", media_type="gov", origin=feed,
                        fetched_at=AT)
    assert parsed.rejected == [] and parsed.status == "ok", parsed.rejected
    return [(r.guid, r.flags) for r in parsed.items]


def test_entries_are_kept_under_derived_guids() -> None:
    first = parse(RSS)
    assert len(first) == 3 and all(flags == ["derived_guid"] for _, flags in first)
    guids = [g for g, _ in first]
    assert len(set(guids)) == 3 and all(g and g.startswith("derived:") for g in guids)
    assert parse(RSS) == first  # the same on every poll
    assert not set(guids) & {g for g, _ in parse(RSS, "http://b.example.cn/rss")}
    assert parse(ATOM)[0][1] == ["derived_guid"]


def test_they_are_stored_once(store: Store) -> None:
    pipeline = Pipeline(Config(), store, registries=load_registries())
    raws = parse_feed(RSS, source="gov", tz="Asia/Shanghai", media_type="gov",
                      origin="http://a.example.cn/rss", fetched_at=AT).items
    assert pipeline.process(raws).stored == 3
    assert pipeline.process(raws).stored == 0
    stored = list(store.iter_items())
    assert len(stored) == 3 and all("derived_guid" in it.flags for it in stored)
    assert all(it.key.startswith("gov:guid:derived:") for it in stored)
