"""F20.6 (docs/FIELD_CASES.md): events told in traditional characters.

One happening told in simplified characters (mainland wording) and in
traditional characters with Taiwan wording (影片 for 视频, 網路 for 网络,
計程車 for 出租车), among unrelated posts. Expected: one event,
whichever telling comes first, and its title in simplified characters (the
pages are Simplified Chinese); a mainland text keeps its own wording (新增 is
not rewritten as 添加).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from yuqing.domain import Item, RawItem
from yuqing.pipeline.dedup import Deduplicator
from yuqing.pipeline.events import EventClusterer
from yuqing.pipeline.normalize import Normalizer
from yuqing.pipeline.textnorm import normalize_text, to_simplified

AT = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)
TRADITIONAL = "公車司機滑手機影片瘋傳"
SIMPLIFIED = "公交司机刷手机视频疯传"
OTHERS = ["市教育局发布寒假安排，中小学一月二十日起放假", "地铁五号线今晨因信号故障延误约二十分钟",
          "本市新增三处便民服务中心，周末照常开放", "市政府召开防汛工作会议，部署汛期准备",
          "医院门诊楼电梯故障，多名患者被困", "小区停水三天无人回应，居民投诉"]


def clustered(texts: list[str]) -> tuple[list[Item], EventClusterer]:
    raws = [RawItem(source="forum", id=str(i), text=t, fetched_at=AT,
                    published_at=(AT + timedelta(minutes=10 * i)).isoformat())
            for i, t in enumerate(texts)]
    items = [Normalizer().to_item(r) for r in raws]
    Deduplicator().process(items)
    clusterer = EventClusterer()
    clusterer.process(items)
    return items, clusterer


@pytest.mark.parametrize(("first", "second"), [(TRADITIONAL, SIMPLIFIED),
                                               (SIMPLIFIED, TRADITIONAL)])
def test_two_tellings_are_one_event(first: str, second: str) -> None:
    items, _ = clustered(OTHERS[:3] + [first] + OTHERS[3:] + [second])
    assert items[3].event_id == items[7].event_id
    assert len({it.event_id for it in items}) == 7


def test_the_title_is_in_simplified_characters() -> None:
    items, clusterer = clustered(["網路上瘋傳一段影片，計程車司機在捷運站出口與乘客爆發衝突"])
    assert clusterer.events[items[0].event_id or ""].title == (
        "网络上疯传一段视频，出租车司机在捷运站出口与乘客爆发冲突")


def test_only_traditional_texts_take_taiwan_to_mainland_wording() -> None:
    assert normalize_text(TRADITIONAL)[0] == to_simplified(TRADITIONAL) == "公车司机滑手机视频疯传"
    mainland = "今日新增确诊病例3例，网络上有影片，支援医护"
    assert normalize_text(mainland)[0] == mainland == to_simplified(mainland)
    quoting = "台北的朋友说臺灣今日新增病例"  # one traditional character: not a traditional text
    assert normalize_text(quoting)[0] == "台北的朋友说台湾今日新增病例"
