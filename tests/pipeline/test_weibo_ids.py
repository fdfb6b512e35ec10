"""Tests of yuqing.pipeline.weibo_ids: mid <-> short id, URLs, repost chains."""

from __future__ import annotations

import random

import pytest

from yuqing.pipeline.weibo_ids import (
    mid_from_url,
    mid_to_short,
    parent_mid_from_url,
    repost_chain,
    short_to_mid,
)


@pytest.mark.parametrize(
    ("mid", "short"),
    [
        ("5012345678901234", "O5banBlCi"),
        ("5000000000012345", "O000003d7"),
        ("3", "3"),
        ("10000000", "10000"),
    ],
)
def test_both_directions(mid: str, short: str) -> None:
    assert mid_to_short(mid) == short
    assert short_to_mid(short) == mid


def test_round_trip_random_mids() -> None:
    rng = random.Random(3)
    for _ in range(500):
        mid = str(rng.randrange(10**15, 10**17))
        assert short_to_mid(mid_to_short(mid)) == mid


@pytest.mark.parametrize("bad", ["", "12a", "-5"])
def test_mid_to_short_rejects_non_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="mid"):
        mid_to_short(bad)


def test_short_to_mid_rejects_bad_chars() -> None:
    with pytest.raises(ValueError, match="short id"):
        short_to_mid("O5ban-lCi")


@pytest.mark.parametrize(
    ("url", "mid"),
    [
        ("https://weibo.cn/comment/O5banBlCi", "5012345678901234"),
        ("https://weibo.com/1234567890/O5banBlCi", "5012345678901234"),
        ("https://m.weibo.cn/status/5012345678901234", "5012345678901234"),
        ("https://m.weibo.cn/detail/O5banBlCi?from=x", "5012345678901234"),
        ("https://weibo.com/detail/5012345678901234", "5012345678901234"),
        ("https://m.weibo.cn/comment?id=5012345678901234", "5012345678901234"),
        ("https://weibo.com/u/1234567890", None),
        ("https://weibo.com/1234567890/profile", None),
        ("https://news.example.cn/a/5012345678901234", None),
    ],
)
def test_mid_from_url(url: str, mid: str | None) -> None:
    assert mid_from_url(url) == mid


def test_parent_mid_only_from_thread_pages() -> None:
    assert parent_mid_from_url("https://weibo.cn/comment/O5banBlCi") == "5012345678901234"
    assert parent_mid_from_url("https://weibo.cn/repost/O5banBlCi") == "5012345678901234"
    assert parent_mid_from_url("https://m.weibo.cn/status/5012345678901234") is None


@pytest.mark.parametrize(
    ("text", "own", "names"),
    [
        ("转发 //@路人甲:注意安全", "转发", ["路人甲"]),
        (
            "说得对//@用户a1b2c3：是的//@鸭鸭·虾仁炒蛋烘焙屋:原文内容",
            "说得对",
            ["用户a1b2c3", "鸭鸭·虾仁炒蛋烘焙屋"],
        ),
        ("回复@张三:好的//@李四:哈哈", "好的", ["李四"]),
        ("//@王五:只有链", "", ["王五"]),
        ("没有转发链的原帖", "没有转发链的原帖", []),
    ],
)
def test_repost_chain(text: str, own: str, names: list[str]) -> None:
    assert repost_chain(text) == (own, names)
