"""Keyword extraction: stop words, emoticon codes, punctuation and the store background."""

from __future__ import annotations

from yuqing.analytics.keywords import KeywordExtractor
from yuqing.pipeline.keywords import read_stopwords


def test_one_stopword_list_serves_items_and_sets() -> None:
    words = read_stopwords()
    assert {"我们", "网页链接", "转发"} <= words and "燃气" not in words


def test_words_drop_noise() -> None:
    got = KeywordExtractor().words(
        "我们 [哈哈] 转发 @用户ab12cd: 燃气泄漏！！ 2024 https://t.cn/xyz 网页链接"
    )
    assert "燃气" in got and "泄漏" in got
    assert not got & {"我们", "哈哈", "转发", "2024", "网页链接", "用户", "ab12cd", "！！"}


def test_range_words_beat_common_background_words() -> None:
    texts = ["燃气泄漏 居民疏散", "燃气泄漏 小区", "城市 居民"]
    background = ["城市 居民 生活"] * 20 + ["燃气泄漏"]
    scores = {k["word"]: k for k in KeywordExtractor().top(texts, background, k=10)}
    assert scores["燃气"]["count"] == scores["居民"]["count"] == 2
    assert scores["燃气"]["score"] > scores["居民"]["score"]


def test_empty_range() -> None:
    assert KeywordExtractor().top([], ["燃气"], k=5) == []
