"""The settings page and /api/sources show each configured source's health (issue 14)."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from web_auth import api_headers

from yuqing.config import parse_config
from yuqing.runtime.context import Context
from yuqing.sources.health import SourceHealth
from yuqing.web.app import create_app

CONFIG = {"sources": [
    {"name": "县政府网", "kind": "rss", "url": "http://127.0.0.1:9/feed.xml"},
    {"name": "exports", "kind": "file", "path": "exports/*.csv", "enabled": False}]}


def test_settings_page_and_api_show_source_health(store_url: str) -> None:
    ctx = Context(config=parse_config(CONFIG), database_url=store_url)
    now = datetime.now(UTC)
    health = SourceHealth("县政府网", interval=300)
    health.record_success(6, now - timedelta(hours=5))
    health.note_published(now - timedelta(days=2, hours=1))
    health.record_failure("http://127.0.0.1:9/feed.xml: robots.txt forbids fetching /feed.xml",
                          now - timedelta(hours=4))
    ctx.store.save_source_state(health.saved_state(now - timedelta(hours=4)))
    with TestClient(create_app(ctx)) as client:
        client.headers.update(api_headers(ctx.store))
        page = html.unescape(client.get("/settings").text)
        english = html.unescape(client.get("/settings", params={"lang": "en"}).text)
        api = client.get("/api/sources").json()
    ctx.close()
    assert "最新内容距今" in page and "2 天" in page and "失败" in page and "50%" in page
    assert "robots.txt forbids fetching /feed.xml" in page
    assert "未抓取" in page and "停用" in page  # the disabled file source is listed too
    assert "Newest item age" in english and "2 d" in english and "Failed" in english
    assert [row["name"] for row in api] == ["县政府网", "exports"]
    assert api[0]["failure_rate_24h"] == 0.5 and api[0]["items_per_poll"] == 6.0
    assert api[0]["updated_at"] is not None and api[1]["status"] == "new"
