"""A bad filter of a web list endpoint is refused with 422 naming the parameter, never
ignored (src/yuqing/web/query_checks.py, views.feed_filters), on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_auth import api_headers
from yuqing_cli import write_config

from yuqing.config import load_config
from yuqing.runtime.context import Context
from yuqing.web.app import create_app

ITEMS = [{"id": "old", "text": "市人民医院门口发生车祸，警察到场", "source": "weibo",
          "published_at": "2024-03-04T08:00:00+08:00"},
         {"id": "new", "text": "学校门口车祸，学生受伤，警察处置", "source": "weibo",
          "published_at": "2024-03-06T08:00:00+08:00"}]


@pytest.fixture
def client(tmp_path: Path, store_url: str) -> Iterator[TestClient]:
    ctx = Context(config=load_config(write_config(tmp_path)), database_url=store_url)
    with TestClient(create_app(ctx)) as test_client:
        test_client.headers.update(api_headers(ctx.store))
        assert test_client.post("/api/items", json=ITEMS).json()["stored"] == 2
        yield test_client
    ctx.close()


def ids(client: TestClient, **params: str) -> list[str]:
    res = client.get("/api/items", params=params)
    assert res.status_code == 200, res.text
    return [it["id"] for it in res.json()]


def refusal(client: TestClient, path: str, **params: str) -> str:
    res = client.get(path, params=params)
    assert res.status_code == 422, (path, params, res.text)
    [detail] = res.json()["detail"]
    assert detail["loc"] == ["query", next(iter(params))]
    return str(detail["msg"])


def test_since_filters_items_like_the_cli(client: TestClient) -> None:
    assert ids(client) == ["new", "old"]
    assert ids(client, since="2024-03-05") == ["new"]  # a date in the office zone
    assert ids(client, since="2024-03-06T08:00+08:00") == ["new"]
    assert ids(client, since="2024-03-06T00:00:01Z") == []
    assert "expected 30m, 24h, 7d, 2w, today, yesterday or an ISO 8601 date" in refusal(
        client, "/api/items", since="abc"
    )


@pytest.mark.parametrize(("param", "value", "allowed"), [
    ("sentiment", "bad", "negative, neutral, positive"),
    ("media", "tv", "news, weibo"),
    ("level", "V", "I, II, III, IV"),
    ("scheme", "公共安权", "公共安全, 学校"),
])
def test_a_bad_filter_value_is_422_with_the_allowed_values(client: TestClient, param: str,
                                                           value: str, allowed: str) -> None:
    assert allowed in refusal(client, "/api/items", **{param: value})
    assert ids(client, **{param: ""}) == ["new", "old"]  # an empty value is no filter


def test_unknown_parameters_of_list_endpoints_are_refused(client: TestClient) -> None:
    assert "known: " in refusal(client, "/api/items", sentimnet="negative")
    for path in ("/api/alerts", "/api/events", "/api/alerts/history", "/api/cases",
                 "/api/reports", "/api/alert-rules", "/api/sources"):
        assert "not a parameter of" in refusal(client, path, sinse="2024-03-05")
    assert ids(client, lang="en", sentiment="negative") is not None  # lang is always taken


def test_exports_refuse_filters_they_cannot_apply(client: TestClient) -> None:
    assert "negative, neutral, positive" in refusal(
        client, "/api/export/items.csv", sentiment="bad"
    )
    assert "filters by limit only" in refusal(client, "/api/export/alerts.csv", since="2024-03-05")
    assert client.get("/api/export/items.csv", params={"since": "2024-03-05"}).status_code == 200


def test_the_feed_page_names_a_bad_filter(client: TestClient) -> None:
    page = client.get("/feed", params={"sentiment": "bad"})
    assert page.status_code == 400 and "sentiment='bad'" in page.text
