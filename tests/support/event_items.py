"""Hand-written items for the event tests (texts written for these tests, no research data)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from yuqing.domain import Item, RawItem
from yuqing.pipeline.normalize import Normalizer

T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
NORMALIZER = Normalizer()

FIRE = [
    "杭州地铁5号线今天下午发生火灾，车厢冒出浓烟，乘客紧急疏散",
    "杭州地鐵5號線下午起火，車廂濃煙滾滾，乘客緊急疏散，目前暫無人員傷亡",
    "杭州地铁回应5号线车厢冒烟：系设备故障引发火情，已扑灭，乘客全部疏散",
]
WATER = [
    "南湖市多个小区自来水有刺鼻异味，居民不敢饮用，水务集团称正在排查",
    "南湖市水务集团回应自来水异味：藻类季节性繁殖导致，已加大处理力度",
]
NOISE = ["今天天气真好，出去晒太阳了", "新买的咖啡机到了，拿铁做得还不错"]


def make(i: int | str, text: str, minutes: float = 0, **fields: object) -> Item:
    """A normalised weibo item ``w:<i>`` published ``minutes`` after T0."""
    raw = RawItem(source="w", id=str(i), text=text, fetched_at=T0, media_type="weibo",
                  published_at=T0 + timedelta(minutes=minutes), **fields)  # type: ignore[arg-type]
    return NORMALIZER.to_item(raw)
