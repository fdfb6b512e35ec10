"""Tests of alerts/channels/robot.py: byte packing, UTF-8-safe cuts, rate limit, code answers."""

from __future__ import annotations

import httpx
import pytest

from yuqing.alerts.channels import build_channel, channel_registry, register_builtin_channels
from yuqing.alerts.channels.base import DeliveryResult
from yuqing.alerts.channels.robot import RateLimit, cut_bytes, judge_code, pack, split_text, spread
from yuqing.config import ChannelConfig
from yuqing.domain import BadInput


def test_cut_never_splits_a_character() -> None:
    text = "燃气泄漏" * 10  # 3 bytes per character
    for limit in range(4, 40):
        cut = cut_bytes(text, limit)
        assert len(cut.encode("utf-8")) <= limit
        assert cut.endswith("…") and set(cut[:-1]) <= set("燃气泄漏")
    assert cut_bytes("短", 10) == "短"


def test_pack_splits_between_blocks_within_the_byte_limit() -> None:
    blocks = ["甲" * 10, "乙" * 10, "丙" * 10]  # 30 bytes each
    packed = pack(blocks, 70, separator="|")
    assert [p.indexes for p in packed] == [[0, 1], [2]]
    assert packed[0].text == "甲" * 10 + "|" + "乙" * 10
    assert all(len(p.text.encode()) <= 70 for p in packed)


def test_oversized_block_is_split_into_numbered_parts_alone() -> None:
    long = "\n".join(f"- 第{n}条：" + "长" * 5 for n in range(30))
    packed = pack(["短", long, "短"], 60, separator="|")
    parts = [p for p in packed if p.indexes == [1]]
    assert [p.indexes for p in packed] == [[0], *[[1]] * len(parts), [2]]
    assert [(p.part, p.parts) for p in parts] == [(k, len(parts)) for k in range(1, len(parts) + 1)]
    assert all(len(p.text.encode()) <= 60 for p in packed)
    assert parts[0].text.startswith(f"(1/{len(parts)})\n- 第0条：")
    body = "\n".join(p.text.split("\n", 1)[1] for p in parts)
    assert body == long  # split at line boundaries, nothing lost


def test_split_never_cuts_a_character_or_a_link() -> None:
    link = "[原文链接](https://weibo.com/1234567890/AbCdEfGh)"
    line = "燃气" * 20 + link + "泄漏" * 20
    for limit in range(60, 200, 7):
        parts = split_text(line, limit)
        assert all(len(p.encode()) <= limit for p in parts)
        assert "".join(parts) == line
        assert sum(link in p for p in parts) == 1  # the link stays whole in one part
    url = "https://example.cn/" + "a" * 30  # 49 bytes: fits a part, so it moves whole
    assert split_text("甲" * 10 + url, 60) == ["甲" * 10, url]
    with pytest.raises(ValueError, match="at least 4 bytes"):
        split_text("x", 3)


def test_cut_bytes_for_titles() -> None:
    assert cut_bytes("燃气泄漏" * 10, 20) == "燃气泄漏燃…"
    assert cut_bytes("短", 10) == "短"


def test_rate_limit_counts_a_sliding_minute() -> None:
    now = [0.0]
    limit = RateLimit(2, clock=lambda: now[0])
    assert [limit.take(), limit.take(), limit.take()] == [True, True, False]
    now[0] = 60.0
    assert limit.take() is True
    assert RateLimit(0).take() is True
    several = RateLimit(3, clock=lambda: now[0])
    assert [several.take(2), several.take(2), several.take(1)] == [True, False, True]


def test_rate_limit_says_how_long_to_wait() -> None:
    now = [0.0]
    limit = RateLimit(2, clock=lambda: now[0])
    assert [limit.take_or_wait(), limit.take_or_wait(0)] == [0.0, 0.0]
    now[0] = 10.0
    assert limit.take_or_wait() == 0.0
    now[0] = 15.0
    assert limit.take_or_wait() == 45.0  # the message of t=0 leaves the minute at t=60
    assert limit.take_or_wait(2) == 55.0  # both must leave
    assert limit.take_or_wait(3) == 60.0  # more than the limit never fits at once
    now[0] = 60.0
    assert limit.take_or_wait() == 0.0


@pytest.mark.parametrize(("status", "body", "ok", "retryable", "error"), [
    (200, '{"errcode":0,"errmsg":"ok"}', True, False, None),
    (200, '{"errcode":93000,"errmsg":"invalid webhook url"}', False, False,
     "WeCom errcode 93000: invalid webhook url"),
    (200, '{"errcode":45009,"errmsg":"api freq out of limit"}', False, True,
     "WeCom errcode 45009: api freq out of limit"),
    (200, '{"ok":true}', False, False, 'WeCom answer without errcode: {"ok":true}'),
    (200, "<html>", False, False, "WeCom answer without errcode: <html>"),
    (502, "bad gateway", False, True, "HTTP 502: bad gateway"),
])
def test_judge_code(status: int, body: str, ok: bool, retryable: bool, error: str | None) -> None:
    result = judge_code(httpx.Response(status, text=body), "errcode", frozenset({45009}), "WeCom")
    assert (result.ok, result.retryable, result.error) == (ok, retryable, error)


def test_spread_gives_each_alert_its_message_result() -> None:
    bad = DeliveryResult.failure("x", retryable=False)
    out = spread([[0, 2], [1]], [DeliveryResult.success(), bad], 3)
    assert [r.ok for r in out] == [True, False, True]


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu"])
@pytest.mark.parametrize("value", [10, "4096", True])
def test_a_bad_max_bytes_is_refused_naming_the_channel(kind: str, value: object) -> None:
    cfg = ChannelConfig(name="机器人", kind=kind, url="https://robot.example.cn/hook",
                        max_bytes=value)
    with pytest.raises(BadInput, match=f"alert channel '机器人' \\(kind {kind}\\): "
                                       "option 'max_bytes' must be an integer >= 256"):
        build_channel(register_builtin_channels(channel_registry()), cfg)
