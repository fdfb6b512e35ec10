"""docs/FIELD_CASES.md F6: width, invisible characters and emoji; offsets into the original text."""

from __future__ import annotations

from datetime import UTC, datetime

from yuqing.domain import RawItem
from yuqing.pipeline.normalize import Normalizer

TEXT1 = "#周二新品# 这款外套很正式😎\u00a0\u00a0#某市服装定制# 欢迎到店\u200b\u200b\u200b\u200b"
TEXT2 = "ＩＰｈｏｎｅ１５　降价︰３０００元！内含🫣表情"


def item(text: str):  # type: ignore[no-untyped-def]
    return Normalizer().to_item(
        RawItem(source="weibo", id="1", text=text, fetched_at=datetime(2024, 3, 5, tzinfo=UTC))
    )


def test_f06_single_spaces_no_zero_width() -> None:
    it = item(TEXT1)
    assert it.match_text == "#周二新品# 这款外套很正式😎 #某市服装定制# 欢迎到店"
    assert "\u200b" not in it.match_text and "  " not in it.match_text


def test_f06_half_width_letters_and_digits() -> None:
    it = item(TEXT2)
    assert it.match_text.startswith("IPhone15 降价")
    assert "3000元" in it.match_text
    assert not any("\uff10" <= ch <= "\uff5a" for ch in it.match_text if ch.isalnum())


def test_f06_emoji_survive_unchanged() -> None:
    assert item(TEXT1).text == TEXT1
    assert item(TEXT2).text == TEXT2
    assert "😎" in item(TEXT1).match_text and "🫣" in item(TEXT2).match_text


def test_f06_offsets_point_into_original() -> None:
    it = item(TEXT2)
    start = it.match_text.index("3000元")
    assert it.text[slice(*it.original_span(start, start + 5))] == "３０００元"
    start = it.match_text.index("IPhone15")
    assert it.text[slice(*it.original_span(start, start + 8))] == "ＩＰｈｏｎｅ１５"
    it1 = item(TEXT1)
    start = it1.match_text.index("欢迎到店")
    assert it1.text[slice(*it1.original_span(start, start + 4))] == "欢迎到店"
