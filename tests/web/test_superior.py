"""The superior's view (web/superior.py) and the city's inbox on both backends: a county case
moved to ``reported`` through the JSON API shows in the city's ``/api/superior``,
``/superior`` page (zh and en) and alerts inbox, and in nothing the county's sibling sees."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_auth import api_headers

from yuqing.config import parse_config
from yuqing.runtime.context import Context
from yuqing.web.app import create_app

CONFIG: dict[str, Any] = {
    "timezone": "Asia/Shanghai",
    "alerts": {"channels": [{"name": "city", "kind": "console"},
                            {"name": "county", "kind": "console"},
                            {"name": "lake", "kind": "console"}]},
    "cases": {"units": [{"name": "青山市", "level": "city", "channels": ["city"]},
                        {"name": "青山县", "parent": "青山市", "channels": ["county"]},
                        {"name": "湖滨县", "parent": "青山市", "channels": ["lake"]}]},
}


@pytest.fixture
def world(store_url: str) -> Iterator[tuple[TestClient, Context]]:
    ctx = Context(config=parse_config(CONFIG), database_url=store_url)
    with TestClient(create_app(ctx)) as client:
        yield client, ctx
    ctx.close()


def test_a_reported_county_case_shows_in_the_citys_view_and_inbox(world: Any) -> None:
    client, ctx = world
    county = api_headers(ctx.store, "县办", "handler", "青山县")
    city = api_headers(ctx.store, "市办", "handler", "青山市")
    lake = api_headers(ctx.store, "湖办", "handler", "湖滨县")
    who = {"actor": "县办", "role": "handler"}
    opened = client.post("/api/cases", headers=county,
                         json={**who, "unit": "青山县", "title": "青山县医疗废物泄漏",
                               "handling_class": 1})
    assert opened.status_code in (200, 201), opened.text
    case_id = opened.json()["id"]
    for state in ("verified", "reported"):
        moved = client.post(f"/api/cases/{case_id}/moves", headers=county,
                            json={**who, "state": state, "note": "已核实"})
        assert moved.status_code == 200, moved.text

    view = client.get("/api/superior", headers=city).json()
    assert view["units"] == ["湖滨县", "青山县"]
    [row] = view["cases"]
    assert (row["id"], row["unit"], row["state"], row["reported_to"]) == (
        case_id, "青山县", "reported", ["青山市"])
    assert row["report_due"] and row["reported_at"]
    assert [r["title"] for r in view["reports"]] == ["【上报】青山县：青山县医疗废物泄漏"]
    inbox = client.get("/api/alerts", headers=city).json()
    assert "【上报】青山县：青山县医疗废物泄漏" in [a["title"] for a in inbox]

    page = client.get("/superior", headers=city)
    assert page.status_code == 200
    assert "青山县医疗废物泄漏" in page.text and "下级单位案件" in page.text
    assert "报送" in page.text and "Report due" not in page.text
    english = client.get("/superior?lang=en", headers=city).text
    assert "Cases of the units below" in english and "Report due" in english
    assert "青山县医疗废物泄漏" in client.get("/inbox", headers=city).text

    # the county's sibling sees nothing of it, and the county sees no unit below it
    assert client.get("/api/superior", headers=lake).json() == {
        "units": [], "cases": [], "reports": []}
    assert "医疗废物" not in client.get("/api/alerts", headers=lake).text
    assert client.get("/api/superior", headers=county).json()["cases"] == []
    # read-only: the city cannot move the county's case
    refused = client.post(f"/api/cases/{case_id}/moves", headers=city,
                          json={"actor": "市办", "role": "handler", "state": "handling"})
    assert refused.status_code == 403
