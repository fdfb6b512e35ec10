"""docs/FIELD_CASES.md F5: traditional, simplified and regional words."""

from __future__ import annotations

from datetime import UTC, datetime

from yuqing.domain import RawItem
from yuqing.pipeline.normalize import Normalizer
from yuqing.pipeline.textnorm import normalize_text

TAIWAN = "大家看著辦，真的很著急"
SIMPLIFIED = "国家卫健委提醒：注意呼吸道疾病，降温猛烈"


def test_f05_taiwan_text_is_matched_simplified() -> None:
    match, offsets = normalize_text(TAIWAN)
    assert match == "大家看着办，真的很着急"
    assert offsets == list(range(len(TAIWAN)))


def test_f05_simplified_text_unchanged() -> None:
    match, _ = normalize_text(SIMPLIFIED)
    assert match == SIMPLIFIED
    assert not {"唿", "勐", "傢"} & set(match)


def test_f05_original_kept_for_display() -> None:
    item = Normalizer().to_item(
        RawItem(source="forum", id="tw1", text=TAIWAN, fetched_at=datetime(2024, 3, 5, tzinfo=UTC))
    )
    assert item.text == TAIWAN
    assert item.match_text == "大家看着办，真的很着急"
