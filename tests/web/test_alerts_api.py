"""Tests of web/alerts_api.py on a REAL uvicorn server (both backends) with REAL receivers:
the SSE stream, acknowledgement links, history, and pushes that never wait for slow channels."""

from __future__ import annotations

import json
import sys
import threading
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "alerts"))

from alert_servers import HttpServer, running_http_server  # noqa: E402
from web_auth import api_headers  # noqa: E402
from web_server import serving  # noqa: E402

from yuqing.config import parse_config  # noqa: E402
from yuqing.runtime.context import Context  # noqa: E402

AUTH: dict[str, str] = {}  # bearer header of the served app's test user

ITEM = {"id": "p1", "text": "市人民医院门口发生严重车祸，两人受伤，警察到场处置",
        "published_at": "2024-03-05T08:15:00+08:00", "source": "weibo"}

CONFIG = """
[[schemes]]
name = "公共安全"
subject_words = ["警察", "车祸"]

[[alerts.rules]]
name = "全部"
negative = false
sensitive = false
channels = ["web", "slow"]

[[alerts.channels]]
name = "web"
kind = "client"

[[alerts.channels]]
name = "slow"
kind = "webhook"
url = "{url}/slow"
allow_internal = true

[alerts]
ack_secret = "test-secret"

[web]
base_url = "https://yq.example.cn"
"""


@pytest.fixture
def receiver() -> Iterator[HttpServer]:
    with running_http_server() as server:
        yield server


@pytest.fixture
def served(store_url: str, receiver: HttpServer) -> Iterator[tuple[Context, str]]:
    text = CONFIG.format(url=receiver.url)
    ctx = Context(config=parse_config(tomllib.loads(text)), database_url=store_url)
    AUTH.update(api_headers(ctx.store))
    with serving(ctx) as base:
        yield ctx, base
    ctx.close()


def read_one_alert(base: str, got: list[dict], ready: threading.Event) -> None:
    with httpx.stream("GET", base + "/api/alerts/stream", headers=AUTH, timeout=15) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line == ": connected":
                ready.set()
            if line.startswith("data: "):
                got.append(json.loads(line[6:]))
                return


def test_push_is_streamed_and_does_not_wait_for_slow_channels(
        served: tuple[Context, str], receiver: HttpServer) -> None:
    ctx, base = served
    got: list[dict] = []
    ready = threading.Event()
    reader = threading.Thread(target=read_one_alert, args=(base, got, ready))
    reader.start()
    assert ready.wait(10)
    started = time.monotonic()
    doc = httpx.post(base + "/api/items", json=ITEM, headers=AUTH, timeout=10).json()
    pushed_in = time.monotonic() - started
    reader.join(10)
    assert doc["alerts"] == 1 and pushed_in < 1.0  # the /slow receiver takes 1.5 s
    assert [a["rule"] for a in got] == ["全部"]
    assert "确认收到：https://yq.example.cn/api/alerts/" in got[0]["body"]
    end = time.monotonic() + 10
    while not receiver.requests and time.monotonic() < end:
        time.sleep(0.05)
    assert [r["path"] for r in receiver.requests] == ["/slow"]


def test_ack_link_and_history(served: tuple[Context, str]) -> None:
    ctx, base = served
    httpx.post(base + "/api/items", json=ITEM, headers=AUTH, timeout=10)
    [alert] = httpx.get(base + "/api/alerts/history", headers=AUTH, timeout=10).json()
    assert {d["channel"] for d in alert["deliveries"]} == {"web", "slow"}
    assert alert["created_at"].endswith("+08:00")
    token = ctx.pipeline.dispatcher.signer.token(alert["id"])  # type: ignore[union-attr]
    bad = httpx.get(f"{base}/api/alerts/{alert['id']}/ack", params={"token": "0" * 32})
    assert bad.status_code == 403 and "malformed" in bad.json()["detail"]
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    refused = httpx.get(f"{base}/api/alerts/{alert['id']}/ack", params={"token": forged})
    assert refused.status_code == 403 and "not valid" in refused.json()["detail"]
    ok = httpx.get(f"{base}/api/alerts/{alert['id']}/ack", params={"token": token, "by": "张三"})
    assert ok.status_code == 200
    assert (ok.json()["first"], ok.json()["by"]) == (True, "张三")
    again = httpx.get(f"{base}/api/alerts/{alert['id']}/ack", params={"token": token}).json()
    assert (again["first"], again["by"]) == (False, "张三")
    page = httpx.get(base + "/alerts", params={"rule": "全部"}, headers=AUTH).text
    assert "【舆情预警】公共安全" in page
