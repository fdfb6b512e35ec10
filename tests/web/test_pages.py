"""Tests of the page routes (web/pages.py, web/views.py) on both backends: every page
renders with real data, filters narrow the feed, roles change what a page offers."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from web_auth import api_headers

from yuqing.cases.service import CaseService
from yuqing.config import parse_config
from yuqing.runtime.context import Context
from yuqing.web import views
from yuqing.web.app import create_app
from yuqing.web.pages import safe_next

CONFIG: dict[str, Any] = {
    "timezone": "Asia/Shanghai",
    "cases": {"units": [{"name": "东区", "channels": ["hook"]}]},
    "schemes": [{"name": "公共安全", "subject_words": ["警察", "车祸"],
                 "search_queries": ["本市 车祸", "本市 警察"]}],
    "alerts": {"rules": [{"name": "负面", "channels": ["console"]}],
               "channels": [{"name": "console", "kind": "console"},
                            {"name": "hook", "kind": "webhook",
                             "url": "https://example.org/hook?access_token=SECRET42",
                             "headers": {"Authorization": "Bearer HEADER43"}}]},
}
ITEMS = [
    {
        "id": "1",
        "text": "市人民医院门口发生严重车祸，两人受伤，警察到场处置",
        "source": "weibo",
        "media_type": "weibo",
        "published_at": "2024-03-05T08:15:00+08:00",
        "author": "目击者",
    },
    {
        "id": "2",
        "text": "转发：市人民医院门口车祸，警察到场",
        "source": "weibo",
        "parent_id": "1",
        "media_type": "weibo",
        "published_at": "2024-03-05T08:30:00+08:00",
    },
    {
        "id": "3",
        "text": "公园里的花开得很好看，周末去散步",
        "source": "forum",
        "media_type": "forum",
        "published_at": "2024-03-05T09:00:00+08:00",
    },
]


@pytest.fixture
def served(store_url: str) -> Iterator[tuple[TestClient, Context]]:
    ctx = Context(config=parse_config(CONFIG), database_url=store_url)
    with TestClient(create_app(ctx)) as client:
        client.headers.update(api_headers(ctx.store))
        assert client.post("/api/items", json=ITEMS).json()["stored"] == 3
        yield client, ctx
    ctx.close()


def test_every_page_renders(served: tuple[TestClient, Context]) -> None:
    client, ctx = served
    case_id = CaseService(ctx.store, ctx.config).open_case("车祸舆情", actor="tester",
                                                           role="admin", unit="东区")
    overview = client.get("/").text
    assert 'data-chart="trend"' in overview and 'data-chart="map"' in overview
    assert "— 2024-03-05 09:00 (+08:00)" in overview  # the window ends at the newest item
    event_id = ctx.store.get_item("weibo:1").event_id
    assert f'href="/events/{event_id}"' in overview
    event = client.get(f"/events/{event_id}").text
    assert 'data-chart="graph"' in event and "目击者" in event
    item = client.get("/items/weibo%3A2").text
    assert "目击者" in item  # the origin of its thread
    assert "转发：" in client.get("/items/weibo%3A1").text  # its repost listed
    assert client.get("/items/weibo%3Anope").status_code == 404
    assert "车祸舆情" in client.get("/cases").text
    assert "审计日志" in client.get(f"/cases/{case_id}").text
    assert 'id="petition-form"' in client.get("/petitions/new").text
    inbox = client.get("/inbox").text
    assert "data-ack=" in inbox and "console: " in inbox
    settings = client.get("/settings").text
    assert "SECRET42" not in settings and "hook" in settings
    assert "搜索词: 本市 车祸、本市 警察" in settings
    # secrets are those the webhook's options model marks, header values included
    assert "HEADER43" not in settings and "Authorization" in settings


def test_live_feed_reads_items_stored_after_a_seq(served: tuple[TestClient, Context]) -> None:
    client, ctx = served
    top, none = views.items_after(ctx, -1)
    assert top >= 3 and none == []
    client.post("/api/items", json={**ITEMS[2], "id": "4", "text": "新来的一条"})
    newest, fresh = views.items_after(ctx, top)
    assert newest > top and [(d["key"], d["text"]) for d in fresh] == [("forum:4", "新来的一条")]


def test_feed_filters(served: tuple[TestClient, Context]) -> None:
    client, _ = served

    def keys(**params: str) -> list[str]:
        page = client.get("/feed", params=params).text
        return sorted(set(re_keys(page)))

    assert keys() == ["forum:3", "weibo:1", "weibo:2"]
    assert keys(q="车祸") == ["weibo:1", "weibo:2"]
    assert keys(q="散步") == ["forum:3"]
    assert keys(media="forum") == ["forum:3"]
    assert keys(scheme="公共安全", source="weibo") == ["weibo:1", "weibo:2"]
    assert keys(since="2024-03-05", q="花开") == ["forum:3"]
    assert keys(since="2024-03-06") == []
    assert client.get("/feed", params={"since": "last week"}).status_code == 400


def re_keys(page: str) -> list[str]:
    """Return the item keys linked from a feed page."""
    return [unquote(k) for k in re.findall(r'class="text" href="/items/([^"]+)"', page)]


def test_english_pages_and_leader_view(served: tuple[TestClient, Context]) -> None:
    client, ctx = served
    english = client.get("/", params={"lang": "en"}).text
    assert "Overview" in english and "Negative share" in english
    client.headers.update(api_headers(ctx.store, "lead", "leader"))
    inbox = client.get("/inbox").text
    assert "data-ack=" not in inbox and "(只读)" in inbox and "console: " in inbox
    assert 'href="/petitions/new"' not in client.get("/cases").text
    client.headers.update(api_headers(ctx.store, "east", "analyst", "东区"))
    assert "console: " not in client.get("/inbox").text  # 东区 is reached over "hook" only


def test_login_redirects_stay_on_this_site() -> None:
    assert safe_next("/feed?q=1") == "/feed?q=1"
    assert [safe_next(t) for t in ("//evil.example", "/\\evil.example", "https://x", None)] == [
        "/"] * 4


def test_one_click_downloads_linked_from_the_pages(served: tuple[TestClient, Context]) -> None:
    client, ctx = served
    event_id = ctx.store.get_item("weibo:1").event_id  # type: ignore[union-attr]
    case_id = CaseService(ctx.store, ctx.config).open_case("车祸舆情", actor="tester",
                                                           role="admin", unit="东区")
    pages = [
        client.get("/").text,
        client.get("/inbox").text,
        client.get(f"/events/{event_id}").text,
        client.get("/cases").text,
        client.get(f"/cases/{case_id}").text,
    ]
    links = {
        html.unescape(h)
        for page in pages
        for h in re.findall(
            r'href="(/api/(?:reports/|export/|cases/export|cases/\d+/review)[^"]*)"', page
        )
    }
    assert {"/api/reports/daily?format=pdf", "/api/export/events.xlsx", "/api/export/alerts.csv",
            f"/api/reports/special?event={event_id}&format=docx", "/api/cases/export.xlsx",
            f"/api/cases/{case_id}/review.pdf"} <= links
    for link in links:
        answer = client.get(link)
        assert answer.status_code == 200, link
        assert answer.headers["content-disposition"].startswith("attachment"), link
        assert len(answer.content) > 100, link
