"""Tests of alerts/channels/sms.py: segment counting (70/67 UCS-2, 160/153 GSM-7) and texts."""

from __future__ import annotations

import json

import pytest
from alert_servers import HttpServer
from alerts_helpers import make_alert

from yuqing.alerts.channels.sms import SmsChannel, fit_parts, sms_parts, utf16_units


@pytest.mark.parametrize(("text", "parts"), [
    ("舆" * 70, 1), ("舆" * 71, 2), ("舆" * 134, 2), ("舆" * 135, 3),
    ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
    ("a" * 69 + "舆", 1), ("a" * 70 + "舆", 2),  # one Chinese character makes it UCS-2
    ("😀" * 35, 1), ("😀" * 36, 2),  # an emoji is two UTF-16 units
])
def test_parts(text: str, parts: int) -> None:
    assert sms_parts(text) == parts


def test_fit_keeps_the_link_whole() -> None:
    link = " https://yq.example.cn/api/alerts/7/ack?token=0123456789abcdef"
    out = fit_parts("燃" * 300, 2, link)
    assert out.endswith(link) and "…" in out
    assert sms_parts(out) == 2
    assert utf16_units("😀") == 2


def test_gateway_200_with_error_code_fails_without_retry(http_server: HttpServer) -> None:
    channel = SmsChannel("sms", http_server.url + "/sms-refuses", ["13800000000"],
                         ok_field="code", allow_internal=True)
    [result] = channel.send([make_alert(1)])
    assert (result.ok, result.retryable) == (False, False)
    assert "code=1001" in (result.error or "")


def test_request_carries_text_parts_and_idempotency_id(http_server: HttpServer) -> None:
    channel = SmsChannel("sms", http_server.url + "/sms", ["13800000000"], ok_field="code",
                         max_parts=1, allow_internal=True)
    [result] = channel.send([make_alert(1)])
    assert result.ok
    doc = json.loads(http_server.requests[0]["body"])
    assert doc["to"] == ["13800000000"] and doc["parts"] == 1 and len(doc["id"]) == 32
    assert doc["text"].startswith("[III] 【舆情预警】燃气安全") and sms_parts(doc["text"]) == 1
