"""Tests of yuqing.pipeline.segment (rjieba with user dictionaries)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from yuqing.domain import BadInput, Item
from yuqing.pipeline.base import StageUnavailable
from yuqing.pipeline.segment import Segmenter, is_word_token, read_user_dict

NOW = datetime(2024, 3, 5, tzinfo=UTC)


def make_item(text: str) -> Item:
    return Item(key=f"t:{text}", source="t", text=text, match_text=text,
                offsets=list(range(len(text))), published_at=NOW, fetched_at=NOW)


def test_user_word_is_one_token_and_punctuation_is_dropped() -> None:
    plain = Segmenter()
    assert "加热时间" not in plain.cut("热水器加热时间太长")
    seg = Segmenter(user_words=["加热时间"])
    assert seg.cut("热水器加热时间太长，  真的！") == ["热水器", "加热时间", "太", "长", "真的"]


def test_user_dict_file_with_freq_tag_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "user.dict"
    path.write_text("# 本地词\n加热时间 20 n\n\n舆情专班\n", encoding="utf-8")
    assert read_user_dict(path) == [("加热时间", 20, "n"), ("舆情专班", None, None)]
    seg = Segmenter(user_dicts=[path])
    assert seg.user_words == ["加热时间", "舆情专班"]
    assert "舆情专班" in seg.cut("市里成立舆情专班处理此事")


def test_bad_frequency_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "user.dict"
    path.write_text("好词 10\n坏词 many\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"user\.dict:2: frequency 'many'"):
        read_user_dict(path)


def test_missing_user_dict_is_stage_unavailable(tmp_path: Path) -> None:
    with pytest.raises(StageUnavailable, match="nope.dict"):
        Segmenter(user_dicts=[tmp_path / "nope.dict"])


def test_self_test_fails_loudly_when_a_user_word_is_split(tmp_path: Path) -> None:
    path = tmp_path / "user.dict"
    path.write_text("加热时间 0\n", encoding="utf-8")  # frequency 0: rjieba never prefers it
    with pytest.raises(BadInput, match="加热时间"):
        Segmenter(user_dicts=[path])
    # a word jieba cannot keep (a comma inside) is kept whole by the segmenter (F20.4)
    assert "加热,时间" in Segmenter(user_words=["加热,时间"]).cut("热水器加热,时间太长")


def test_is_word_token() -> None:
    assert [is_word_token(t) for t in ["，", " ", "//", "abc", "2024", "😀", "[允悲"]] == [
        False, False, False, True, True, True, True]


def test_stage_fills_tokens_of_live_items_only() -> None:
    seg = Segmenter(user_words=["加热时间"])
    items = [make_item("热水器加热时间太长"), make_item("不处理")]
    items[1].rejected = "empty_text"
    seg.process(items)
    assert seg.name == "segment"
    assert items[0].tokens == ["热水器", "加热时间", "太", "长"]
    assert items[1].tokens == []
