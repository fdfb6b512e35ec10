"""Unit isolation, table-driven from the app's own route list (web/access.py), on both backends.

Every route of ``create_app`` must declare exactly one rule. Then every route is
called as every role (admin, analyst, handler, leader) of unit 甲 with the path
naming 甲's data (own) and 乙's data (other): no answer is 5xx, an admin-only
route refuses the others, and no answer to a 甲 user who is not an admin holds a
trace of unit 乙 (its name, the marker in its case, petition and alert). A
hypothesis sweep (tests/support/hostile.py settings) then calls the GET routes as
甲's handler with odd path and query values: still no 5xx and no trace of 乙.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote

import pytest
from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hostile import HOSTILE
from hypothesis import given, settings
from hypothesis import strategies as st
from web_auth import api_headers

from yuqing.cases import intake
from yuqing.cases.inputs import PetitionInput
from yuqing.cases.service import CaseService
from yuqing.config import parse_config
from yuqing.domain import Alert
from yuqing.runtime.context import Context
from yuqing.web import access, views
from yuqing.web.app import create_app

ROLES = ("admin", "analyst", "handler", "leader")
OTHER_MARKERS = ("乙单位", "YI-SECRET")
CONFIG: dict[str, Any] = {
    "timezone": "Asia/Shanghai",
    "alerts": {"channels": [{"name": "jia", "kind": "console"},
                            {"name": "yi", "kind": "console"}]},
    "cases": {"units": [{"name": "总部", "channels": []},
                        {"name": "甲单位", "parent": "总部", "channels": ["jia"]},
                        {"name": "乙单位", "parent": "总部", "channels": ["yi"]}]},
}
ITEM = {"id": "n1", "text": "今天市区道路通畅，天气晴好", "source": "weibo",
        "published_at": "2024-03-05T08:15:00+08:00"}


@pytest.fixture
def world(store_url: str) -> Iterator[tuple[TestClient, Context, dict[str, dict[str, str]]]]:
    """An app over a store holding, for each of 甲 and 乙, a case, a petition and an alert."""
    ctx = Context(config=parse_config(CONFIG), database_url=store_url)
    service = CaseService(ctx.store, ctx.config)
    fills: dict[str, dict[str, str]] = {}
    for unit, tag, channel, phone in (("甲单位", "JIA-OWN", "jia", "13800000001"),
                                      ("乙单位", "YI-SECRET", "yi", "13900000002")):
        case = service.open_case(f"{unit}的案件 {tag}", actor="x", role="handler", unit=unit)
        petition = intake.add_petition(service, PetitionInput(
            channel="letter", subject=f"{tag} 投诉", unit=unit,
            contact={"name": f"{tag}信访人", "phone": phone}), actor="x", role="handler")
        alert_id = ctx.store.alerts.record_alert(Alert(
            rule="负面", dedup_key=f"t:{tag}", title=f"{unit}预警 {tag}", body=tag,
            item_keys=[], created_at=datetime.now(UTC), channels=[channel]),
            datetime.now(UTC))
        fills[unit] = {"case_id": str(case), "petition_id": str(petition.petition.id),
                       "alert_id": str(alert_id), "channel": channel}
    with TestClient(create_app(ctx)) as client:
        client.post("/api/items", json=ITEM, headers=api_headers(ctx.store, "root", "admin"))
        yield client, ctx, fills
    ctx.close()


def routes(app: FastAPI) -> list[APIRoute]:
    """Return the app's API and page routes (not /docs, /openapi.json and static files),
    those of included routers too (FastAPI keeps an included router as one entry holding
    ``original_router``; no router here is included under a prefix)."""
    found: list[APIRoute] = []
    todo: list[Any] = list(app.routes)
    while todo:
        route = todo.pop(0)
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            todo.extend(route.original_router.routes)
    return found


def undeclared(app: FastAPI) -> list[str]:
    """Return ``METHOD path`` of each route that does not declare exactly one rule."""
    return [f"{sorted(r.methods)} {r.path}" for r in routes(app)
            if len(access.rules_of(r.dependant.dependencies)) != 1]


def test_every_route_declares_one_rule(world: Any) -> None:
    client, _, _ = world
    assert undeclared(client.app) == []
    bare = FastAPI()

    @bare.get("/new", dependencies=[Depends(access.SHARED)])
    def ruled() -> None: ...

    @bare.get("/forgot")
    def unruled() -> None: ...

    assert undeclared(bare) == ["['GET'] /forgot"]


def path_for(route: APIRoute, fill: dict[str, str]) -> str:
    """Return ``route.path`` with its parameters filled from ``fill`` (and fixed values)."""
    fixed = {"key": "weibo:n1", "event_id": "none", "kind": "daily", "fmt": "csv",
             "code": "zh", "report_id": "1", "op": "nothing", "name": "负面",
             "section": "schemes", "index": "0"}
    if route.path.startswith("/api/export/"):
        fixed["name"] = "alerts"
    elif route.path.startswith("/api/web/users/"):
        fixed["name"] = "nobody"
    elif route.path.startswith("/api/web/channels/"):
        fixed["name"] = fill["channel"]
    values = {**fixed, **fill}
    return re.sub(r"\{(\w+)(?::path)?\}", lambda m: values[m.group(1)], route.path)


def is_stream(route: APIRoute) -> bool:
    """Return whether the route answers with an endless event stream."""
    return "StreamingResponse" in str(route.endpoint.__annotations__.get("return"))


def test_no_route_shows_another_unit(world: Any) -> None:
    client, ctx, fills = world
    admin = api_headers(ctx.store, "jia-boss", "admin", "甲单位")
    assert "YI-SECRET" in client.get("/api/cases", headers=admin).text  # the marker is seen
    checked = 0
    for role in ROLES:
        headers = api_headers(ctx.store, f"jia-{role}", role, "甲单位")
        for route in routes(client.app):
            rule = access.rules_of(route.dependant.dependencies)[0]
            if is_stream(route) or rule is access.OPEN:
                continue
            for method in sorted(route.methods - {"HEAD"}):
                if method != "GET" and role == "admin":
                    continue  # an admin's writes would change the world under the others
                for whose in ("甲单位", "乙单位"):
                    path = path_for(route, fills[whose])
                    answer = client.request(method, path, headers=headers,
                                            **({} if method == "GET" else {"json": {}}))
                    checked += 1
                    where = f"{role} of 甲 {method} {path} ({rule.name})"
                    assert answer.status_code < 500, where
                    if rule is access.ADMIN and role != "admin":
                        assert answer.status_code == 403, where
                    if role != "admin" and method == "GET":
                        body = answer.content.decode("utf-8", "replace")
                        leaked = [m for m in OTHER_MARKERS if m in body]
                        assert not leaked, f"{where}: shows {leaked}"
                    if rule is access.CASE_READ and role != "admin" and whose == "乙单位":
                        assert answer.status_code == 403, where
    print(f"routes x roles x units checked: {checked}")
    assert checked > 200


def test_units_form_a_tree(world: Any) -> None:
    client, ctx, fills = world
    top = api_headers(ctx.store, "top", "handler", "总部")
    jia = api_headers(ctx.store, "jia-h", "handler", "甲单位")
    yi_case = fills["乙单位"]["case_id"]
    assert client.get(f"/api/cases/{yi_case}", headers=top).status_code == 200
    listed = {c["owner_unit"] for c in client.get("/api/cases", headers=top).json()}
    assert listed == {"甲单位", "乙单位"}
    move = client.post(f"/api/cases/{yi_case}/moves", headers=top,
                       json={"actor": "top", "role": "handler", "state": "verified",
                             "note": "核实", "handling_class": 2})
    assert move.status_code == 403  # a parent reads its children's cases, it does not act
    assert client.get(f"/api/cases/{yi_case}", headers=jia).status_code == 403
    review = client.get("/api/reports/review", params={"case": yi_case, "format": "html"},
                        headers=jia)
    assert review.status_code == 403
    contact = client.post(f"/api/petitions/{fills['乙单位']['petition_id']}/contact",
                          headers=jia, json={"actor": "jia-h", "role": "handler",
                                             "reason": "回访"})
    assert contact.status_code == 403


def test_a_case_cannot_be_merged_into_another_units_case(world: Any) -> None:
    client, ctx, fills = world
    jia = api_headers(ctx.store, "jia-h", "handler", "甲单位")
    move = {"actor": "jia-h", "role": "handler", "state": "merged", "note": "同一事项"}
    into_yi = client.post(f"/api/cases/{fills['甲单位']['case_id']}/moves", headers=jia,
                          json={**move, "merge_into": int(fills["乙单位"]["case_id"])})
    assert into_yi.status_code == 403 and "乙单位" not in into_yi.text
    assert ctx.store.cases.links(int(fills["乙单位"]["case_id"])) == []
    own = ctx.store.cases.get(int(fills["甲单位"]["case_id"]))
    assert own is not None and own.state != "merged"


def test_streams_and_counts_keep_to_the_unit(world: Any) -> None:
    client, ctx, fills = world
    jia = access.viewer_of(ctx, {"name": "j", "role": "handler", "unit": "甲单位"})
    titles = [a["title"] for a in views.alerts_after(ctx, 0, 20, jia.channels)]
    assert titles == ["甲单位预警 JIA-OWN"]
    assert ctx.store.alerts.count_unacknowledged(jia.channels) == 1
    assert ctx.store.alerts.count_unacknowledged(None) == 2
    headers = api_headers(ctx.store, "jia-a", "analyst", "甲单位")
    assert client.get("/api/stats", headers=headers).json()["alerts"] == 1
    stats = client.get("/api/cases/stats", headers=headers).json()
    assert stats["by_unit"] == {"甲单位": 2} and stats["petitions"] == 1
    other = client.get("/api/alerts/stream", params={"channel": "yi"}, headers=headers)
    assert other.status_code == 404


def test_a_petition_never_joins_another_units_case(world: Any) -> None:
    client, ctx, fills = world
    yi = api_headers(ctx.store, "yi-h", "handler", "乙单位")
    jia = api_headers(ctx.store, "jia-h", "handler", "甲单位")
    body = {"actor": "yi-h", "role": "handler", "channel": "phone", "unit": "乙单位",
            "subject": "JIA-OWN 投诉", "contact": {"phone": "13800000001"}}
    taken = client.post("/api/petitions", headers=yi, json=body)
    assert taken.status_code == 201, taken.text
    got = taken.json()  # 甲's petitioner, 甲's subject: nothing of 甲 is matched or named
    assert got["new_case"] and got["repeat_of"] is None and got["repeat_reason"] is None
    assert got["case_id"] not in {int(f["case_id"]) for f in fills.values()}
    petition = ctx.store.petitions.get(int(fills["甲单位"]["petition_id"]))
    assert petition is not None
    jia_case = client.get(f"/api/cases/{petition.case_id}", headers=jia)
    assert jia_case.status_code == 200 and len(jia_case.json()["petitions"]) == 1
    assert "乙单位" not in jia_case.text + client.get("/api/cases", headers=jia).text
    top = api_headers(ctx.store, "top-h", "handler", "总部")
    up = client.post("/api/petitions", headers=top, json={
        **body, "actor": "top-h", "unit": "总部", "subject": "JIA-OWN 投诉 总部再访"}).json()
    assert up["new_case"] and up["repeat_of"] == int(fills["甲单位"]["petition_id"])
    assert client.get(f"/api/cases/{up['case_id']}", headers=jia).status_code == 403
    shown = client.get(f"/api/cases/{petition.case_id}", headers=jia).text
    assert "总部再访" not in shown and "总部" not in shown


#: values a query or path parameter is tried with: empty, numbers out of range, dates that
#: do not exist, path and SQL tricks, markup, the units' and channels' names, formats
ODD_VALUES = st.sampled_from([
    "", " ", "0", "-1", "1.5", "99999999999999999999", "1e309", "NaN", "inf", "true",
    "2024-13-45", "2024-02-30", "9999-12-31T23:59:59", "0001-01-01", "1709600000",
    "../../etc/passwd", "' OR 1=1 --", "%00", "<script>alert(1)</script>", "乙单位", "甲单位",
    "总部", "yi", "jia", "weibo:n1", "pdf", "docx", "xlsx", "csv", "html", "json", "daily",
    "x" * 3000, "负面", "none",
]) | st.text(st.characters(exclude_categories=("Cs",)), max_size=12)


#: odd requests per GET route (each backend)
SWEEP_CASES = 8


def get_routes(app: FastAPI) -> list[APIRoute]:
    """Return the GET routes a unit user may call in the sweep (no streams, no open
    routes: the latter answer anyone, tested in test_auth.py)."""
    return [r for r in routes(app) if "GET" in r.methods and not is_stream(r)
            and access.rules_of(r.dependant.dependencies)[0] is not access.OPEN]


def test_odd_queries_to_get_routes_never_fail_or_show_another_unit(world: Any) -> None:
    client, ctx, fills = world
    headers = api_headers(ctx.store, "jia-sweep", "handler", "甲单位")
    swept = 0
    for route in get_routes(client.app):
        names = [q.alias for q in route.dependant.query_params] + ["unit", "case", "zzz"]
        keys = re.findall(r"\{(\w+)", route.path)

        @settings(HOSTILE, max_examples=SWEEP_CASES)
        @given(params=st.lists(st.tuples(st.sampled_from(names), ODD_VALUES), max_size=4),
               whose=st.sampled_from(["甲单位", "乙单位"]),
               odd=st.fixed_dictionaries({k: st.none() | ODD_VALUES for k in keys}))
        def call(route: APIRoute, params: list[tuple[str, str]], whose: str,
                 odd: dict[str, str | None]) -> None:
            nonlocal swept
            fill = {**fills[whose], **{k: quote(v, safe="") or "x"
                                       for k, v in odd.items() if v is not None}}
            path = path_for(route, fill)
            answer = client.get(path, params=params, headers=headers)
            swept += 1
            where = f"GET {path} {params}"
            assert answer.status_code < 500, where
            asked = unquote(path) + str(params)  # a name the request gave may be echoed
            body = answer.content.decode("utf-8", "replace")
            leaked = [m for m in OTHER_MARKERS if m in body and m not in asked]
            assert not leaked, f"{where}: shows {leaked}"

        call(route)
    print(f"GET routes x odd requests swept: {swept}")
    assert swept >= 5 * len(get_routes(client.app))
