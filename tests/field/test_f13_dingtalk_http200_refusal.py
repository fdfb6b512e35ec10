"""F13 (docs/FIELD_CASES.md): a DingTalk robot that says no with HTTP 200.

Against a REAL local HTTP server acting as a DingTalk robot (see
tests/alerts/conftest.py, ``/robot*`` behaviours).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "alerts"))

from alert_servers import HttpServer, running_http_server  # noqa: E402
from alerts_helpers import make_alert  # noqa: E402

from yuqing.alerts.channels.dingtalk import DingTalkChannel, dingtalk_from_config  # noqa: E402
from yuqing.alerts.dispatcher import Dispatcher  # noqa: E402
from yuqing.config import ChannelConfig  # noqa: E402


@pytest.fixture
def http_server() -> Iterator[HttpServer]:
    """A real local HTTP server whose ``/robot*`` paths act as DingTalk robots."""
    with running_http_server() as server:
        yield server


def robot(server: HttpServer, path: str, **options: object) -> DingTalkChannel:
    return dingtalk_from_config(ChannelConfig(name="ding", kind="dingtalk",
                                              url=f"{server.url}{path}?access_token=t0k",
                                              allow_internal=True, **options))


def test_errcode_310000_is_a_failure_with_errmsg_and_no_retry(http_server: HttpServer) -> None:
    slept: list[float] = []
    out = Dispatcher({"ding": robot(http_server, "/robot-refuses")}, sleep=slept.append).deliver(
        [make_alert(1, channels=("ding",))])
    result = out["燃气:weibo:1"]["ding"]
    assert result.ok is False
    assert result.error == "DingTalk errcode 310000: keywords not in content"
    assert (result.retryable, result.attempts) == (False, 1)
    assert http_server.hits == {"/robot-refuses": 1} and slept == []


def test_keyword_is_put_into_every_message(http_server: HttpServer) -> None:
    alert = make_alert(2)
    alert.title = "燃气泄漏 — 第2条"  # a title without the keyword
    ding = robot(http_server, "/robot", keyword="舆情预警")
    [alone] = ding.send([alert])
    results = ding.send([alert, make_alert(3)])  # packed into one message
    assert [(r.ok, r.error) for r in [alone, *results]] == [(True, None)] * 3
    docs = [json.loads(r["body"])["markdown"] for r in http_server.requests]
    assert len(docs) == 2 and all("舆情预警" in d["text"] for d in docs)
    assert docs[0]["text"].startswith("舆情预警\n\n### 燃气泄漏 — 第2条")
    assert docs[0]["title"] == "舆情预警 燃气泄漏 — 第2条"


def test_without_keyword_the_robot_refuses(http_server: HttpServer) -> None:
    alert = make_alert(4)
    alert.title = "燃气泄漏 — 第4条"
    [result] = robot(http_server, "/robot").send([alert])
    assert (result.ok, result.retryable) == (False, False)
    assert result.error is not None and "310000" in result.error


def test_rate_limit_errcode_is_retried(http_server: HttpServer) -> None:
    out = Dispatcher({"ding": robot(http_server, "/robot-busy")}, sleep=lambda s: None).deliver(
        [make_alert(5, channels=("ding",))])
    assert (out["燃气:weibo:5"]["ding"].ok, out["燃气:weibo:5"]["ding"].attempts) == (True, 2)


def test_signature_over_timestamp_and_secret(http_server: HttpServer) -> None:
    ch = robot(http_server, "/robot", secret="SEC123")
    ch.clock_ms = lambda: 1_700_000_000_000
    assert ch.send([make_alert()])[0].ok
    query = parse_qs(http_server.requests[0]["query"])
    assert query["access_token"] == ["t0k"] and query["timestamp"] == ["1700000000000"]
    expected = base64.b64encode(hmac.new(b"SEC123", b"1700000000000\nSEC123",
                                         hashlib.sha256).digest()).decode()
    assert query["sign"] == [expected]
