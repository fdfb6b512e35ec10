"""A small hand-written day of items for the analytics and report tests.

Texts are written for these tests (not taken from any data set). The day is
2024-03-05 in Asia/Shanghai; ``DAY_ITEMS`` are published that day, ``OTHER``
the day before. Expected figures for the day: 6 items, 3 negative, 2
sensitive, 1 near-duplicate, provinces 广东 2 / 北京 1, cities 深圳 2.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from yuqing.domain import Item, TermHit
from yuqing.store import Store, open_store

TZ = "Asia/Shanghai"
DAY = date(2024, 3, 5)
DAY_START = datetime(2024, 3, 5, tzinfo=ZoneInfo(TZ))
DAY_END = DAY_START + timedelta(days=1)

GAS = "燃气泄漏致三人受伤，小区居民紧急疏散，现场仍有刺鼻气味 [怒] 网页链接"
CANTEEN = "学校食堂饭菜质量引家长不满，多名学生腹泻，教育局回应正在调查"
PRAISE = "市民点赞消防员及时救援，被困老人安全转移"
WEATHER = "今天天气不错，适合出门散步"
GAS_REPOST = "转发：燃气泄漏致三人受伤，小区居民紧急疏散"
CONTROL = "夜间\x07测试\x1b控制字符的帖子，燃气公司回应"


def make(key: str, text: str, hour: float, **fields: Any) -> Item:
    """Return a stored-ready Item published ``hour`` hours after DAY_START (UTC inside)."""
    published = (DAY_START + timedelta(hours=hour)).astimezone(UTC)
    values: dict[str, Any] = {
        "source": "weibo", "media_type": "weibo", "id": key.split(":")[-1],
        "content_hash": hashlib.sha1(text.encode()).hexdigest(), "match_text": text,
        "offsets": list(range(len(text))), "published_at": published,
        "fetched_at": published + timedelta(minutes=5),
    }
    values.update(fields)
    return Item(key=key, text=text, **values)


def day_items() -> list[Item]:
    """Return the items of DAY (see the module docstring for the expected figures)."""
    hit = TermHit("泄漏", "livelihood", 2, 4)
    return [
        make("weibo:1", GAS, 9.25, sentiment="negative", sentiment_score=0.93,
             author="城市观察", reposts=120, comments=40, likes=300, places=["广东省", "深圳"],
             schemes=["公共安全"], sensitive_terms=[hit], url="https://weibo.com/1/AbCdE"),
        make("weibo:2", CANTEEN, 11.5, sentiment="negative", sentiment_score=0.81,
             author="家长甲", media_type="forum", source="tieba", reposts=30, places=["北京市"],
             schemes=["学校"]),
        make("news:3", PRAISE, 14.0, sentiment="positive", sentiment_score=0.05,
             source="people.cn", media_type="news", reposts=5, places=["深圳"],
             schemes=["公共安全"], title="消防员及时救援"),
        make("weibo:4", WEATHER, 15.0, sentiment="neutral", sentiment_score=0.2, author="路人"),
        make("weibo:5", GAS_REPOST, 9.75, sentiment="negative", sentiment_score=0.9,
             author="转发者", duplicate_of="weibo:1", parent_id="1", places=["广东"],
             schemes=["公共安全"]),
        make("weibo:6", CONTROL, 22.5, sentiment="neutral", sentiment_score=0.4, author="夜猫子",
             sensitive_terms=[TermHit("燃气", "livelihood", 14, 16)]),
    ]


def other_items() -> list[Item]:
    """Return items of the day before DAY (outside a daily scope of DAY)."""
    return [
        make("weibo:0", "前一天的燃气管道检修通知", -5.0, sentiment="neutral", author="城市观察")
    ]


def fill(store: Store) -> Store:
    """Save the day's items and the day before's into ``store``; return it."""
    store.save_items(day_items() + other_items())
    return store


def seed_sqlite(folder: Path) -> str:
    """Create a SQLite store in ``folder`` holding the items of :func:`fill`; return its URL."""
    url = f"sqlite:///{folder / 'seeded.db'}"
    with open_store(url) as store:
        fill(store)
    return url
