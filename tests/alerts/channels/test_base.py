"""Tests of alerts/channels/base.py helpers: masked URLs and idempotency keys."""

from __future__ import annotations

import pytest

from yuqing.alerts.channels.base import idempotency_key, mask_url


@pytest.mark.parametrize(("url", "masked"), [
    ("https://oapi.dingtalk.com/robot/send?access_token=abc123",
     "https://oapi.dingtalk.com/robot/send?access_token=***"),
    ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx",
     "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***"),
    ("https://open.feishu.cn/open-apis/bot/v2/hook/2f9c1f5e-aaaa-bbbb-cccc",
     "https://open.feishu.cn/open-apis/bot/v2/hook/***"),
    ("mailtos://user:pa55@smtp.example.cn", "mailtos://user:***@smtp.example.cn"),
    ("https://duty.example.cn/hooks/yuqing?x=1", "https://duty.example.cn/hooks/yuqing?x=1"),
])
def test_mask_url(url: str, masked: str) -> None:
    assert mask_url(url) == masked


def test_idempotency_key_depends_on_alert_and_channel() -> None:
    a = idempotency_key("r:event:E", "wecom")
    assert a == idempotency_key("r:event:E", "wecom") and len(a) == 32
    assert a != idempotency_key("r:event:E", "sms") != idempotency_key("r:event:F", "wecom")
