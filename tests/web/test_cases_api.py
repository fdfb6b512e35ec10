"""Tests of the case routes (src/yuqing/web/cases_api.py) on both backends, through
create_app and fastapi's TestClient."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from web_auth import api_headers

from yuqing.config import parse_config
from yuqing.runtime.context import Context
from yuqing.web.app import create_app

CONFIG = {"cases": {"units": [{"name": "区网信办", "level": "county"},
                              {"name": "区公安分局", "level": "county"}]}}
WHO = {"actor": "李值班", "role": "handler"}


@pytest.fixture
def client(store_url: str) -> Iterator[TestClient]:
    ctx = Context(config=parse_config(CONFIG), database_url=store_url)
    with TestClient(create_app(ctx)) as test_client:
        test_client.headers.update(api_headers(ctx.store, WHO["actor"], "handler"))
        yield test_client
    ctx.close()


def test_open_move_act_and_read_a_case(client: TestClient) -> None:
    opened = client.post("/api/cases", json={"title": "建议增设公厕", "unit": "区网信办",
                                             "handling_class": 4, **WHO})
    assert opened.status_code == 201
    case_id = opened.json()["id"]
    for state, note in (("verified", "属实"), ("reported", None), ("handling", None)):
        got = client.post(f"/api/cases/{case_id}/moves", json={"state": state, "note": note, **WHO})
        assert got.status_code == 200 and got.json()["state"] == state
    refused = client.post(
        f"/api/cases/{case_id}/moves", json={"state": "replied", "note": "x", **WHO}
    )
    assert refused.status_code == 400 and "adopted or declined" in refused.json()["detail"]
    acted = client.post(f"/api/cases/{case_id}/actions",
                        json={"action": "declined", "note": "选址不具备条件", **WHO})
    assert acted.json()["log"][-1]["action"] == "declined"
    replied = client.post(f"/api/cases/{case_id}/moves",
                          json={"state": "replied", "note": "感谢建议，因选址原因暂不采纳", **WHO})
    assert replied.json()["state"] == "replied"
    assert [c["id"] for c in client.get("/api/cases", params={"state": "replied"}).json()] == [
        case_id]
    assert client.get("/api/cases/999").status_code == 404
    huge = 10**23  # past SQL's 64-bit INTEGER: no such case, not a server error
    assert client.get(f"/api/cases/{huge}").status_code == 404
    assert client.get("/api/cases/abc").status_code == 422
    assert client.post("/api/cases/abc/moves", json={"state": "verified", **WHO}
                       ).status_code == 422
    stats = client.get("/api/cases/stats").json()
    assert stats["by_class"] == {"4": 1} and stats["cases"] == 1
    daily = client.get("/api/cases/daily", params={"date": "2020-01-01"}).json()
    assert {k: v for k, v in daily["units"][0].items() if k != "text"} == {
        "unit": "区网信办",
        "opened": 0,
        "cases": [],
        "zero_report": True,
    }
    assert daily["units"][0]["text"].startswith("区网信办 2020-01-01 零报告（2020-01-01 00:00")
    assert "本单位无新增舆情案件，特此零报告。" in daily["units"][0]["text"]


def test_units_attachments_and_contact_routes(client: TestClient) -> None:
    case_id = client.post("/api/cases", json={"title": "谣言", "unit": "区网信办", **WHO}).json()[
        "id"
    ]
    url = f"/api/cases/{case_id}"
    assisted = client.post(f"{url}/units", json={"kind": "assist", "unit": "区公安分局",
                                                 "note": "协查", **WHO})
    assert [a["unit"] for a in assisted.json()["assists"]] == ["区公安分局"]
    refused = client.post(f"{url}/units", json={"kind": "transfer", "unit": "区公安分局",
                                                "note": "移交", **WHO})
    assert refused.status_code == 400 and "may not" in refused.json()["detail"]
    attached = client.post(f"{url}/attachments", json={"name": "a.txt",
                                                       "content_base64": "aGVsbG8=", **WHO})
    assert attached.status_code == 201 and attached.json()["sha256"].startswith("2cf24dba")
    bad = client.post(f"{url}/attachments", json={"name": "b", "content_base64": "!!", **WHO})
    assert bad.status_code == 400 and "not base64" in bad.json()["detail"]
    petition = client.post("/api/petitions", json={
        "channel": "visit", "subject": "拖欠工资", "unit": "区网信办",
        "contact": {"name": "张三", "phone": "13812345678"}, **WHO}).json()
    read = client.post(f"/api/petitions/{petition['petition_id']}/contact",
                       json={"reason": "回访", **WHO})
    assert read.json()["phone"] == "13812345678"
    log = client.get(f"/api/cases/{petition['case_id']}").json()["log"]
    assert [e["action"] for e in log if e["action"] != "view"][-1] == "contact_access"


def test_petition_and_deadline_routes(client: TestClient) -> None:
    body = {"channel": "web", "subject": "城关镇政府拖欠工程款三十八万元", "unit": "区网信办",
            "accused": "城关镇人民政府", "addressed_level": "province",
            "contact": {"name": "张三", "phone": "13812345678"}, **WHO}
    first = client.post("/api/petitions", json=body)
    assert first.status_code == 201
    doc = first.json()
    assert doc["cross_level"] is True and doc["contact"] == "张* 138****5678"
    shown = client.get(f"/api/cases/{doc['case_id']}").json()
    assert "13812345678" not in str(shown)
    bad = client.post("/api/petitions", json={**body, "contact": {"wechat": "x"}})
    assert bad.status_code == 400 and "unknown fields" in bad.json()["detail"]
    due = client.get("/api/deadline", params={"from": "2020-01-23T10:00", "working_days": 3})
    assert due.json() == {"due": "2020-02-06T00:00:00+08:00", "provisional": False,
                          "policy": "custom"}
    named = client.get(
        "/api/deadline", params={"from": "2026-10-01T10:00", "policy": "first_response"}
    )
    assert named.json()["due"] == "2026-10-01T15:00:00+08:00"
    assert client.get("/api/deadline", params={"from": "x", "hours": 1}).status_code == 400
