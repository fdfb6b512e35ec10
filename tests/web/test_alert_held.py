"""Alerts held by the storm cap say so on the web: ``held`` in GET /api/alerts/history and
the /alerts and /inbox pages (src/yuqing/web/alerts_api.py, pages.py), on both backends."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_auth import api_headers

from yuqing.config import parse_config
from yuqing.runtime.context import Context
from yuqing.web.app import create_app

CONFIG = """
[[schemes]]
name = "通报"
subject_words = ["通报"]

[[alerts.rules]]
name = "每条通报"
negative = false
sensitive = false
channels = ["web"]
max_per_window = 1

[[alerts.channels]]
name = "web"
kind = "client"
"""
NOTICES = ["城东新建公园今日开放", "地铁三号线周末延长运营", "图书馆举办少儿阅读节"]


@pytest.fixture
def client(tmp_path: Path, store_url: str) -> Iterator[TestClient]:
    ctx = Context(config=parse_config(tomllib.loads(CONFIG)), database_url=store_url)
    with TestClient(create_app(ctx)) as test_client:
        test_client.headers.update(api_headers(ctx.store))
        yield test_client
    ctx.close()


def test_history_and_pages_show_alerts_held_by_the_storm_cap(client: TestClient) -> None:
    items = [{"id": f"n{i}", "source": "weibo", "text": f"通报：{t}",
              "published_at": f"2025-06-01T0{i}:00:00+08:00"} for i, t in enumerate(NOTICES)]
    assert client.post("/api/items", json=items).json()["alerts"] == 4  # 1 sent, summary, 2 held
    history = client.get("/api/alerts/history").json()
    assert sorted(str(a["held"]) for a in history) == ["None", "None", "storm", "storm"]
    assert all(a["deliveries"] == [] for a in history if a["held"] == "storm")
    assert all(a["deliveries"] for a in history if a["held"] is None)
    page = client.get("/alerts", params={"rule": "每条通报", "lang": "en"}).text
    assert page.count("Held (storm cap)") == 2 and "Rule: 每条通报" in page
    assert client.get("/alerts", params={"rule": "其他规则"}).text.count("d-held") == 0
    inbox = client.get("/inbox")
    assert inbox.status_code == 200 and inbox.text.count("d-held") == 2
