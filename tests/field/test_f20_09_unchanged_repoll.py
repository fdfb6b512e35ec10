"""F20.9 (docs/FIELD_CASES.md): a second poll of an unchanged feed.

A feed of six entries (one without a date, one repeating another's text) is
polled, then polled again an hour later unchanged: the second poll reported
every item as "updated". Expected: 0 stored, 0 updated; the stored rows keep
their values (an undated entry keeps its first date; a near-duplicate stays
marked); when one entry's title changes, exactly 1 update.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from yuqing.config import Config
from yuqing.runtime.pipeline import Pipeline
from yuqing.runtime.registries import load_registries
from yuqing.sources.rss import parse_feed
from yuqing.store import Store

FIRST = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)
ENTRIES = [
    ("关于春季防火的通告", "请市民注意防火，清明期间严禁野外用火", "2024/3/5 8:15:00"),
    ("道路施工公告", "中山路施工三天，请绕行", "2024年3月5日 08:15"),
    ("停水通知", "明日上午八点至下午六点，东区停水", None),
    ("燃气检修", "燃气公司本周入户检修，请留意通知", "2024-03-05T09:00:00+08:00"),
    ("转载：停水通知", "明日上午八点至下午六点，东区停水！", "2024-03-05T09:30:00+08:00"),
    ("学校放假安排", "全市中小学1月20日起放寒假", "2024-03-05T10:00:00+08:00"),
]


def feed(titles: dict[int, str] | None = None) -> bytes:
    items = []
    for n, (title, text, date) in enumerate(ENTRIES):
        title = (titles or {}).get(n, title)
        when = f"<pubDate>{date}</pubDate>" if date else ""
        items.append(f"<item><title>{title}</title><link>http://gov.example.cn/n/{n}.html</link>"
                     f"<description>{text}</description>{when}</item>")
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>某市</title>'
            + "".join(items) + "</channel></rss>").encode("utf-8")


def poll(pipeline: Pipeline, data: bytes, at: datetime) -> tuple[int, int]:
    parsed = parse_feed(data, source="gov", tz="Asia/Shanghai", media_type="news",
                        origin="http://gov.example.cn/rss", fetched_at=at)
    outcome = pipeline.process(parsed.items)
    return outcome.stored, outcome.updated


def test_an_unchanged_feed_updates_nothing(store: Store) -> None:
    pipeline = Pipeline(Config(), store, registries=load_registries())
    assert poll(pipeline, feed(), FIRST) == (6, 0)
    before = {it.key: it for it in store.iter_items()}
    assert poll(pipeline, feed(), FIRST + timedelta(hours=1)) == (0, 0)
    after = {it.key: it for it in store.iter_items()}
    for key, item in before.items():
        assert (after[key].published_at, after[key].duplicate_of, after[key].title) == (
            item.published_at, item.duplicate_of, item.title)
    assert any(it.duplicate_of for it in after.values())


def test_a_changed_title_is_one_update(store: Store) -> None:
    pipeline = Pipeline(Config(), store, registries=load_registries())
    poll(pipeline, feed(), FIRST)
    assert poll(pipeline, feed({1: "道路施工公告（更新）"}), FIRST + timedelta(hours=1)) == (0, 1)
    assert store.get_item("url:gov.example.cn/n/1.html").title == "道路施工公告（更新）"
