"""Tests of yuqing.pipeline.sentiment_text: a post's own words, emoticon codes and words."""

from __future__ import annotations

from yuqing.pipeline.sentiment_text import (
    cut_words,
    own_words,
    split_emoticons,
    without_emoticons,
)


def test_own_words_of_a_repost() -> None:
    assert own_words("太好了//@用户a1b2c3:气死了") == "太好了"
    assert own_words("//@用户a1b2c3:气死了") == "//@用户a1b2c3:气死了"
    assert own_words("没有转发") == "没有转发"


def test_split_emoticons_drops_mentions_and_keeps_codes_in_order() -> None:
    words, codes = split_emoticons("@小明 今天 真的[允悲]  好累[泪]//@路人:[哈哈]")
    assert (words, codes) == ("今天 真的 好累", ["[允悲]", "[泪]"])
    assert split_emoticons("Hello  World") == ("hello world", [])


def test_without_emoticons_keeps_a_post_of_codes_only() -> None:
    assert without_emoticons("好[怒]了") == "好了"
    assert without_emoticons("[怒][怒]") == "[怒][怒]"
    assert without_emoticons("[怒]//@某人:气死了") == "[怒]//@某人:气死了"


def test_cut_words_are_the_default_dictionary_words() -> None:
    assert cut_words("地铁故障停运") == ("地铁", "故障", "停运")
    assert "".join(cut_words("北京市朝阳区下大雨")) == "北京市朝阳区下大雨"
