"""Tests of the webhook channel against a REAL local HTTP server (see tests/alerts/conftest.py)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from alert_servers import HttpServer, free_port
from alerts_helpers import make_alert

from yuqing.alerts.channels.webhook import SIGNATURE_HEADER, WebhookChannel, webhook_from_config
from yuqing.alerts.dispatcher import Dispatcher
from yuqing.config import ChannelConfig
from yuqing.domain import BadInput


def hook(server: HttpServer, path: str, **options: Any) -> WebhookChannel:
    opts: dict[str, Any] = {"url": server.url + path, "allow_internal": True, "timeout": 5}
    opts.update(options)
    return webhook_from_config(ChannelConfig(name="hook", kind="webhook", **opts))


def test_ok_posts_the_json_document(http_server: HttpServer) -> None:
    [result] = hook(http_server, "/ok").send([make_alert(4)])
    assert result.ok and result.error is None
    [req] = http_server.requests
    assert req["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert "燃气安全".encode() in req["body"]  # UTF-8, not \\u escapes
    assert json.loads(req["body"]) == {
        "rule": "燃气", "level": "III", "title": "【舆情预警】燃气安全：负面 — 第4条",
        "body": "来源：weibo（weibo）\n摘要：燃气泄漏无人处理4", "items": ["weibo:4"],
        "created_at": "2024-03-05T08:15:00+08:00", "dedup_key": "燃气:weibo:4"}


def test_signature_and_extra_headers(http_server: HttpServer) -> None:
    ch = hook(http_server, "/ok", secret="k3y", headers={"Authorization": "Bearer t0k"})
    assert ch.send([make_alert()])[0].ok
    [req] = http_server.requests
    expected = hmac.new(b"k3y", req["body"], hashlib.sha256).hexdigest()
    assert req["headers"][SIGNATURE_HEADER] == f"sha256={expected}"
    assert req["headers"]["Authorization"] == "Bearer t0k"


def test_no_signature_without_secret(http_server: HttpServer) -> None:
    hook(http_server, "/ok").send([make_alert()])
    assert SIGNATURE_HEADER not in http_server.requests[0]["headers"]


def test_500_then_ok_is_retried_by_the_dispatcher(http_server: HttpServer) -> None:
    slept: list[float] = []
    out = Dispatcher({"hook": hook(http_server, "/flaky")}, sleep=slept.append).deliver(
        [make_alert(1, channels=("hook",))])
    result = out["燃气:weibo:1"]["hook"]
    assert (result.ok, result.attempts) == (True, 2)
    assert slept == [0.5]
    assert http_server.hits["/flaky"] == 2
    assert [json.loads(r["body"])["title"] for r in http_server.requests] == [
        "【舆情预警】燃气安全：负面 — 第1条"] * 2


def test_500_alone_is_retryable(http_server: HttpServer) -> None:
    [result] = hook(http_server, "/flaky").send([make_alert()])
    assert (result.ok, result.retryable) == (False, True)
    assert result.error is not None and result.error.startswith("HTTP 500")


def test_slow_server_times_out_retryable(http_server: HttpServer) -> None:
    [result] = hook(http_server, "/slow", timeout=0.3).send([make_alert()])
    assert (result.ok, result.retryable) == (False, True)
    assert result.error is not None and "timeout" in result.error
    assert json.loads(http_server.requests[0]["body"])["dedup_key"] == "燃气:weibo:1"


def test_400_is_not_retried(http_server: HttpServer) -> None:
    slept: list[float] = []
    out = Dispatcher({"hook": hook(http_server, "/bad")}, sleep=slept.append).deliver(
        [make_alert(1, channels=("hook",))])
    result = out["燃气:weibo:1"]["hook"]
    assert (result.ok, result.retryable, result.attempts) == (False, False, 1)
    assert result.error == 'HTTP 400: {"error":"no"}'
    assert http_server.hits["/bad"] == 1 and slept == []


def test_redirect_is_not_followed(http_server: HttpServer) -> None:
    [result] = hook(http_server, "/redirect").send([make_alert()])
    assert (result.ok, result.retryable) == (False, False)
    assert list(http_server.hits) == ["/redirect"]


def test_internal_url_refused_without_allow_internal(http_server: HttpServer) -> None:
    [result] = hook(http_server, "/ok", allow_internal=False).send([make_alert()])
    assert (result.ok, result.retryable) == (False, False)
    assert result.error is not None and "internal address" in result.error
    assert http_server.requests == []


def test_connection_refused_is_retryable() -> None:
    ch = WebhookChannel("hook", f"http://127.0.0.1:{free_port()}/x", allow_internal=True)
    [result] = ch.send([make_alert()])
    assert (result.ok, result.retryable) == (False, True)
    assert result.error is not None and "ConnectError" in result.error


@pytest.mark.parametrize(("options", "problem"), [
    ({}, "missing required option 'url'"),
    ({"url": "ftp://example.com/x"}, "scheme must be http or https"),
    ({"url": "https://example.com/x", "headers": {"X": 1}}, "'headers' must be a table"),
    ({"url": "https://example.com/x", "timeout": "soon"}, "'timeout' must be a positive"),
])
def test_config_errors(options: dict[str, Any], problem: str) -> None:
    with pytest.raises(BadInput, match="'hook'") as info:
        webhook_from_config(ChannelConfig(name="hook", kind="webhook", **options))
    assert problem in str(info.value)
