"""Tests of the web app and HTTP push endpoint (src/yuqing/web/app.py) on both backends.

A real app from create_app(Context(...)) driven through fastapi's TestClient
(the ASGI app in-process; the store is a real SQLite file or PostgreSQL schema).
"""

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

ITEM = {"id": "p1", "text": "市人民医院门口发生严重车祸，两人受伤，警察到场处置",
        "published_at": "2024-03-05T08:15:00+08:00", "source": "weibo"}


@pytest.fixture
def client(tmp_path: Path, store_url: str) -> Iterator[TestClient]:
    """A TestClient on a fresh app bound to ``store_url`` with the e2e monitoring config."""
    ctx = Context(config=load_config(write_config(tmp_path)), database_url=store_url)
    with TestClient(create_app(ctx)) as test_client:
        test_client.headers.update(api_headers(ctx.store))
        yield test_client
    ctx.close()


def test_push_one_object_then_find_it(client: TestClient) -> None:
    pushed = client.post("/api/items", json=ITEM)
    assert pushed.status_code == 200
    doc = pushed.json()
    assert (doc["read"], doc["stored"], doc["rejected"], doc["errors"]) == (1, 1, 0, [])
    assert (doc["matched"], doc["negative"], doc["alerts"]) == (1, 1, 1)
    found = client.get("/api/items", params={"q": "警察"}).json()
    assert [(it["source"], it["id"]) for it in found] == [("weibo", "p1")]
    assert found[0]["schemes"] == ["公共安全"]
    assert client.get("/api/items", params={"q": "学校"}).json() == []
    alerts = client.get("/api/alerts").json()
    assert len(alerts) == 1 and alerts[0]["items"] == ["weibo:p1"]
    assert client.get("/api/stats").json()["items"] == 1
    page = client.get("/feed", params={"q": "警察"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '门口发生严重<mark class="hl-k">车祸</mark>' in page.text  # scheme words marked


def test_push_again_is_an_update_without_a_new_alert(client: TestClient) -> None:
    assert client.post("/api/items", json=ITEM).json()["alerts"] == 1
    again = client.post("/api/items", json=ITEM).json()
    assert (again["stored"], again["updated"], again["alerts"]) == (0, 0, 0)  # unchanged
    changed = client.post("/api/items", json={**ITEM, "likes": 12}).json()
    assert (changed["stored"], changed["updated"], changed["alerts"]) == (0, 1, 0)


def test_push_array_with_bad_elements(client: TestClient) -> None:
    good = {"id": "p2", "text": "学校食堂饭菜发霉变质，多名学生腹痛", "source": "forum"}
    body = [ITEM, 42, {"id": "p3", "source": "forum"}, good,
            {"id": 7.31234567890123e18, "text": "长数字id", "source": "forum"}]
    resp = client.post("/api/items", json=body)
    assert resp.status_code == 200
    doc = resp.json()
    assert (doc["read"], doc["stored"], doc["rejected"]) == (5, 3, 2)
    assert doc["rejected_by_reason"] == {"bad_input": 2}
    errors = " | ".join(doc["errors"])
    assert "POST /api/items[1]" in errors and "POST /api/items[2]" in errors
    assert len(doc["errors"]) == 2
    # a float id lost digits: kept under a text key, flagged (docs/FIELD_CASES.md F20.2)
    assert doc["changed_by_reason"] == {"lossy_id": 1} and "POST /api/items[4]" in doc["notes"][0]
    ids = {it["id"] for it in client.get("/api/items").json()}
    assert ids == {"p1", "p2", None}


def test_push_answer_names_values_it_changed(client: TestClient) -> None:
    body = [{"id": "c1", "text": "学校门口交通拥堵", "source": "forum", "media_type": "tiktok",
             "published_at": "去年某天", "likes": "很多"},
            {"id": "c2", "text": "医院排队时间太长", "source": "forum"}]
    doc = client.post("/api/items", json=body).json()
    assert doc["stored"] == 2 and doc["rejected"] == 0
    assert doc["changed_by_reason"] == {"bad_count": 1, "date_unparsed": 1,
                                        "unknown_media_type": 1}
    notes = " | ".join(doc["notes"])
    assert "'tiktok'" in notes and "'去年某天'" in notes and notes.count("POST /api/items[0]") == 3
    stored = client.get("/api/items/forum:c1").json()
    assert stored["media_type"] == "other" and "unknown_media_type" in stored["flags"]


def test_push_answer_names_a_float_id_it_kept(client: TestClient) -> None:
    doc = client.post(
        "/api/items", json={"id": 1.5, "text": "医院排队时间太长", "source": "forum"}
    ).json()
    assert doc["stored"] == 1 and doc["changed_by_reason"] == {"lossy_id": 1}
    assert "id '1.5' went through a number" in doc["notes"][0]


def test_push_with_every_item_refused_is_422(client: TestClient) -> None:
    resp = client.post("/api/items", json=[42, {"id": "x", "source": "forum"}])
    assert resp.status_code == 422
    doc = resp.json()
    assert (doc["read"], doc["stored"], doc["rejected"]) == (2, 0, 2)
    assert "POST /api/items[0]" in doc["errors"][0] and "POST /api/items[1]" in doc["errors"][1]
    assert client.get("/api/items").json() == []


@pytest.mark.parametrize("body", [b"{not json", b"42", b"[]", b'"text"', b"\xff\xfe",
                                  b"[" * 100_000 + b"]" * 100_000])
def test_push_bad_body_is_400(client: TestClient, body: bytes) -> None:
    resp = client.post("/api/items", content=body, headers={"content-type": "application/json"})
    assert resp.status_code == 400
    assert "request body" in resp.json()["detail"]
    assert client.get("/api/stats").json()["items"] == 0
