"""Tests of alerts/channels/wecom.py against a REAL local WeCom-like robot."""

from __future__ import annotations

import json

from alert_servers import HttpServer
from alerts_helpers import make_alert

from yuqing.alerts.channels.wecom import WeComChannel, wecom_from_config
from yuqing.config import ChannelConfig


def test_keyword_and_mentions_head_each_message(http_server: HttpServer) -> None:
    channel = WeComChannel("wx", http_server.url + "/wecom", keyword="舆情",
                           mentioned_mobiles=["13800000000"], allow_internal=True)
    alert = make_alert(1)
    alert.title = "燃气泄漏"
    assert [r.ok for r in channel.send([alert])] == [True]
    content = json.loads(http_server.requests[0]["body"])["markdown"]["content"]
    assert content.startswith("舆情\n\n<@13800000000>\n\n### 燃气泄漏")


def test_refusal_with_http_200_is_not_retried(http_server: HttpServer) -> None:
    channel = wecom_from_config(ChannelConfig(name="wx", kind="wecom", allow_internal=True,
                                              url=http_server.url + "/wecom-refuses"))
    [result] = channel.send([make_alert(1)])
    assert (result.ok, result.retryable) == (False, False)
    assert result.error == "WeCom errcode 93000: invalid webhook url"


def test_local_rate_limit_defers_extra_messages(http_server: HttpServer) -> None:
    channel = WeComChannel("wx", http_server.url + "/wecom", max_bytes=300, rate_per_minute=1,
                           allow_internal=True)
    results = channel.send([make_alert(1), make_alert(2)])  # one message each at 300 bytes
    assert [(r.ok, r.retryable) for r in results] == [(True, False), (False, True)]
    assert results[0].defer_s is None and 59 < (results[1].defer_s or 0) <= 60  # deferred
    assert len(http_server.requests) == 1
