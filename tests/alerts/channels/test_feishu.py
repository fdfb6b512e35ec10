"""Tests of alerts/channels/feishu.py against a REAL local server (F13: signing, code)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from alert_servers import HttpServer
from alerts_helpers import make_alert

from yuqing.alerts.channels.feishu import FeishuChannel, feishu_sign


def test_signature_is_hmac_of_empty_message_keyed_by_timestamp_and_secret() -> None:
    expected = base64.b64encode(hmac.new(b"1700000000\nabc", b"", hashlib.sha256).digest()).decode()
    assert feishu_sign(1700000000, "abc") == expected


def test_signed_card_with_keyword(http_server: HttpServer) -> None:
    channel = FeishuChannel("fs", http_server.url + "/feishu", secret="abc", keyword="舆情预警",
                            allow_internal=True, clock_s=lambda: 1700000000)
    alert = make_alert(1)
    alert.title = "燃气泄漏"
    [result] = channel.send([alert])
    assert (result.ok, result.error) == (True, None)
    doc = json.loads(http_server.requests[0]["body"])
    assert (doc["timestamp"], doc["sign"]) == ("1700000000", feishu_sign(1700000000, "abc"))
    assert doc["card"]["header"]["title"]["content"].startswith("舆情预警")
    assert doc["card"]["elements"][0]["content"].startswith("舆情预警\n\n### 燃气泄漏")


def test_code_19024_is_a_configuration_error(http_server: HttpServer) -> None:
    channel = FeishuChannel("fs", http_server.url + "/feishu-refuses", allow_internal=True)
    [result] = channel.send([make_alert(1)])
    assert (result.ok, result.retryable) == (False, False)
    assert result.error == "Feishu code 19024: Key Words Not Found"
