"""Tests of yuqing.pipeline.urls: canonical URLs and item keys."""

from __future__ import annotations

import pytest

from yuqing.pipeline.urls import canonical_url, item_key


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://news.example.cn/a/1001.html", "news.example.cn/a/1001.html"),
        ("https://news.example.cn/a/1001.html?from=rss", "news.example.cn/a/1001.html"),
        ("https://WWW.Example.CN/a/1001.html/#top", "example.cn/a/1001.html"),
        ("https://example.cn:443/x?b=2&utm_source=wx&a=1&spm=a.b", "example.cn/x?a=1&b=2"),
        ("http://example.cn:8080/x/", "example.cn:8080/x"),
        ("https://example.cn/%E6%96%B0%E9%97%BB", "example.cn/%E6%96%B0%E9%97%BB"),
        ("https://example.cn/新闻", "example.cn/%E6%96%B0%E9%97%BB"),
        ("https://example.cn/app#/article/7", "example.cn/app#/article/7"),
        ("news.example.cn/a/1", "news.example.cn/a/1"),
        (
            "https://mp.weixin.qq.com/s?__biz=MzA&mid=22&idx=1&sn=ab&chksm=99&scene=21",
            "mp.weixin.qq.com/s?__biz=MzA&idx=1&mid=22&sn=ab",
        ),
        ("https://m.weibo.cn/status/123", "m.weibo.cn/status/123"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_without_host() -> None:
    with pytest.raises(ValueError, match="host"):
        canonical_url("https:///path")


def test_item_key_prefers_id() -> None:
    assert (
        item_key("weibo", "5012345678901234", "https://weibo.com/1/x", None)
        == "weibo:5012345678901234"
    )


def test_item_key_from_url_or_guid() -> None:
    a = item_key("rss", None, None, "http://news.example.cn/a/1001.html")
    b = item_key("rss", None, "https://news.example.cn/a/1001.html?from=rss", "other-guid")
    assert a == b == "url:news.example.cn/a/1001.html"
    assert (
        item_key("rss", None, None, "tag:example.cn,2024:42") == "rss:guid:tag:example.cn,2024:42"
    )


def test_item_key_without_identity() -> None:
    with pytest.raises(ValueError, match="no id"):
        item_key("rss", None, None, None)
