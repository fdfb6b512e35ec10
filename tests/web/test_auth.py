"""Tests of the login gate, CSRF, roles, units and audit (web/auth.py, web/accounts.py,
web/ui_api.py) on both backends, in-process through fastapi's TestClient."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from web_auth import TEST_PASSWORD

from yuqing.cases.service import CaseService
from yuqing.config import parse_config
from yuqing.runtime.context import Context
from yuqing.store import cases as case_db
from yuqing.store.accounts_tables import sessions, users
from yuqing.web.accounts import (
    LOCK_WINDOW,
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ADDRESS,
    Accounts,
    LoginThrottled,
)
from yuqing.web.app import create_app

CONFIG: dict[str, Any] = {
    "timezone": "Asia/Shanghai",
    "schemes": [{"name": "公共安全", "subject_words": ["警察", "车祸"]}],
    "alerts": {"rules": [{"name": "负面", "negative": False, "sensitive": False,
                          "channels": ["console"]}],
               "channels": [{"name": "console", "kind": "console"}]},
    "web": {"push_token": "push-secret-123"},
}
ITEM = {"id": "a1", "text": "市人民医院门口发生严重车祸，警察到场处置", "source": "weibo",
        "published_at": "2024-03-05T08:15:00+08:00"}


@pytest.fixture
def ctx(store_url: str) -> Iterator[Context]:
    context = Context(config=parse_config(CONFIG), database_url=store_url)
    accounts = Accounts(context.store)
    accounts.add_user("admin1", TEST_PASSWORD, "admin")
    accounts.add_user("ana", TEST_PASSWORD, "analyst", "东区")
    accounts.add_user("boss", TEST_PASSWORD, "leader")
    accounts.add_user("han", TEST_PASSWORD, "handler", "东区")
    yield context
    context.close()


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    with TestClient(create_app(ctx)) as test_client:
        yield test_client


def login(client: TestClient, name: str, password: str = TEST_PASSWORD) -> str:
    """Log in through the form; return the session's CSRF token (from the page meta tag)."""
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    done = client.post("/login", data={"name": name, "password": password,
                                       "csrf_token": token.group(1), "next": "/feed"},
                       follow_redirects=False)
    assert done.status_code == 303
    if "failed" in done.headers["location"]:
        return ""
    page = client.get("/feed")
    meta = re.search(r'name="csrf-token" content="([^"]*)"', page.text)
    assert meta is not None
    return meta.group(1)


def test_anonymous_requests_are_refused(client: TestClient) -> None:
    assert client.get("/api/items").status_code == 401
    assert client.post("/api/items", json=ITEM).status_code == 401
    page = client.get("/feed", follow_redirects=False, headers={"accept": "text/html"})
    assert (page.status_code, page.headers["location"]) == (303, "/login?next=/feed")
    # a script asking a page (no text/html in Accept) is told to log in, not sent a form
    script = client.get("/feed", follow_redirects=False, headers={"accept": "*/*"})
    assert script.status_code == 401 and script.json()["detail"]
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/vendor/LICENSE-echarts.txt").status_code == 200


def test_login_session_csrf_and_logout(client: TestClient, ctx: Context) -> None:
    assert login(client, "admin1", "wrong-password") == ""
    csrf = login(client, "admin1")
    assert len(csrf) > 20
    assert client.get("/api/web/me").json()["name"] == "admin1"
    refused = client.post("/api/web/units", json={"name": "西区"})
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    wrong = client.post("/api/web/units", json={"name": "西区"}, headers={"X-CSRF-Token": "x"})
    assert wrong.status_code == 403
    done = client.post("/api/web/units", json={"name": "西区"}, headers={"X-CSRF-Token": csrf})
    assert done.status_code == 201 and done.json()["added"] is True
    assert (
        client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    )
    assert client.get("/api/web/me").status_code == 401
    with ctx.store.read() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalars().all()
        assert all(h.startswith("$argon2id$") for h in stored)
        assert conn.execute(select(sessions.c.id_hash)).first() is None  # the session is gone


def test_repeated_failed_logins_lock_that_name_and_address(client: TestClient,
                                                         ctx: Context) -> None:
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        assert login(client, "ana", "wrong-password") == ""
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    locked = client.post("/login", data={"name": "ana", "password": TEST_PASSWORD,
                                         "csrf_token": token.group(1), "next": "/"},
                         follow_redirects=False)
    # the right password does not help while the lock holds, and the page says until when
    assert re.search(r"/login\?locked=\d{4}-\d\d-\d\d%20\d\d%3A\d\d%20%28%2B08%3A00%29",  # F20.11
                     locked.headers["location"])
    assert "登录失败次数过多" in client.get(locked.headers["location"]).text
    assert client.get("/api/web/me").status_code == 401
    # other accounts from the same address still log in; the failures are in the audit log
    assert login(client, "admin1") != ""
    accounts = Accounts(ctx.store)
    failed = [e for e in accounts.read_audit(limit=50) if e["action"] == "login_failed"]
    assert len(failed) == MAX_FAILURES_PER_ACCOUNT
    assert {e["actor"] for e in failed} == {"ana"}
    assert all(e["data"]["address"] == "testclient" for e in failed)


def test_a_good_login_clears_the_failure_count(ctx: Context) -> None:
    accounts = Accounts(ctx.store)
    for _ in range(MAX_FAILURES_PER_ACCOUNT - 1):
        assert accounts.login("han", "wrong-password", "10.0.0.7") is None
    assert accounts.login("han", TEST_PASSWORD, "10.0.0.7") is not None
    for _ in range(MAX_FAILURES_PER_ACCOUNT - 1):
        assert accounts.login("han", "wrong-password", "10.0.0.7") is None
    assert accounts.login("han", TEST_PASSWORD, "10.0.0.7") is not None
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        assert accounts.login("han", "wrong-password", "10.0.0.7") is None
    with pytest.raises(LoginThrottled, match="too many failed logins") as locked:
        accounts.login("han", TEST_PASSWORD, "10.0.0.7")
    assert locked.value.until > datetime.now(UTC) + LOCK_WINDOW - timedelta(minutes=1)
    # another address is not locked out of that account
    assert accounts.login("han", TEST_PASSWORD, "10.0.0.8") is not None


def test_one_address_guessing_many_names_is_locked(ctx: Context) -> None:
    accounts = Accounts(ctx.store)
    for i in range(MAX_FAILURES_PER_ADDRESS):
        assert accounts.login(f"guess{i}", "wrong-password", "203.0.113.9") is None
    with pytest.raises(LoginThrottled):
        accounts.login("admin1", TEST_PASSWORD, "203.0.113.9")
    assert accounts.login("admin1", TEST_PASSWORD, "198.51.100.1") is not None

def test_login_form_needs_its_csrf_cookie(client: TestClient) -> None:
    refused = client.post("/login", data={"name": "admin1", "password": TEST_PASSWORD,
                                          "csrf_token": "forged"}, follow_redirects=False)
    assert refused.status_code == 403


def test_push_token_only_pushes(client: TestClient) -> None:
    pushed = client.post("/api/items", json=ITEM, headers={"X-Push-Token": "push-secret-123"})
    assert pushed.status_code == 200 and pushed.json()["stored"] == 1
    assert client.post("/api/items", json=ITEM, headers={"X-Push-Token": "nope"}).status_code == 401
    assert client.get("/api/items", headers={"X-Push-Token": "push-secret-123"}).status_code == 401


def test_api_token_and_roles(client: TestClient, ctx: Context) -> None:
    accounts = Accounts(ctx.store)
    leader = {"Authorization": f"Bearer {accounts.new_token('boss')}"}
    analyst = {"Authorization": f"Bearer {accounts.new_token('ana')}"}
    admin = {"Authorization": f"Bearer {accounts.new_token('admin1')}"}
    assert client.post("/api/items", json=ITEM, headers=admin).json()["alerts"] == 1
    assert client.get("/api/items", headers=leader).status_code == 200
    [alert] = client.get("/api/alerts", headers=leader).json()
    ro = client.post(f"/api/web/alerts/{alert['id']}/ack", headers=leader)
    assert ro.status_code == 403 and "read-only" in ro.json()["detail"]
    acked = client.post(f"/api/web/alerts/{alert['id']}/ack", headers=analyst).json()
    assert (acked["first"], acked["by"]) == (True, "ana")
    assert client.post("/api/web/users", headers=analyst,
                       json={"name": "x", "password": TEST_PASSWORD}).status_code == 403
    added = client.post("/api/web/users", headers=admin,
                        json={"name": "new1", "password": TEST_PASSWORD, "role": "handler",
                              "email": "new1@example.cn", "wecom": "New1"})
    assert added.status_code == 201
    listed = {u["name"]: u for u in client.get("/api/web/users", headers=admin).json()}
    assert [listed["new1"][k] for k in ("email", "phone", "wecom")] == [
        "new1@example.cn", None, "New1"]
    assert client.post("/api/web/users", headers=admin,
                       json={"name": "new1", "password": TEST_PASSWORD}).status_code == 400
    short = client.post("/api/web/users", headers=admin, json={"name": "n2", "password": "short"})
    assert short.status_code == 400 and "8 characters" in short.json()["detail"]
    off = client.patch("/api/web/users/new1", headers=admin, json={"active": False})
    assert off.json()["changed"] == ["active"]
    audit = accounts.read_audit(10, action="setting")
    assert [(a["actor"], a["target"]) for a in audit] == [("admin1", "user:new1")] * 2


def test_case_actor_unit_scope_and_view_audit(client: TestClient, ctx: Context) -> None:
    service = CaseService(ctx.store, ctx.config)
    east = service.open_case("东区的案件", actor="han", role="handler", unit="东区")
    west = service.open_case("西区的案件", actor="x", role="handler", unit="西区")
    han = {"Authorization": f"Bearer {Accounts(ctx.store).new_token('han')}"}
    assert client.get(f"/api/cases/{east}", headers=han).status_code == 200
    other = client.get(f"/api/cases/{west}", headers=han)
    assert other.status_code == 403 and "西区" not in other.json()["detail"]
    assert [c["id"] for c in client.get("/api/cases", headers=han).json()] == [east]
    assert [c["id"] for c in client.get("/api/cases", params={"unit": "东区"},
                                        headers=han).json()] == [east]
    posing = client.post(f"/api/cases/{east}/moves", headers=han,
                         json={"actor": "admin1", "role": "admin", "state": "verified"})
    assert posing.status_code == 403
    moved = client.post(f"/api/cases/{east}/moves", headers=han,
                        json={"actor": "han", "role": "handler", "state": "verified",
                              "note": "核实", "handling_class": 2})
    assert moved.status_code == 200 and moved.json()["state"] == "verified"
    assert client.get(f"/cases/{east}", headers=han).status_code == 200
    with ctx.store.read() as conn:
        log = [(r["actor"], r["action"]) for r in case_db.read_log(conn, east)]
    assert log.count(("han", "view")) == 2  # the API read and the case page
    assert ("han", "move") in log
    # exports and reviews respect the unit too
    exported = client.get("/api/cases/export.csv", headers=han)
    assert "东区的案件" in exported.text and "西区的案件" not in exported.text
    asked = client.get("/api/cases/export.csv", params={"unit": "西区"}, headers=han)
    assert asked.status_code == 200 and "西区的案件" not in asked.text
    assert client.get(f"/api/cases/{west}/review.pdf", headers=han).status_code == 403
    assert client.get(f"/api/cases/{east}/review.pdf", headers=han).content.startswith(b"%PDF")


def test_export_is_audited_and_well_formed(client: TestClient, ctx: Context) -> None:
    admin = {"Authorization": f"Bearer {Accounts(ctx.store).new_token('admin1')}"}
    client.post("/api/items", json=[ITEM, {**ITEM, "id": "a2", "text": "今天天气很好"}],
                headers=admin)
    csv_body = client.get("/feed/export", params={"format": "csv", "q": "警察"}, headers=admin)
    text = csv_body.content.decode("utf-8")
    assert text.startswith("\ufeffpublished_at,")
    assert len(text.strip().splitlines()) == 2 and "weibo:a1" in text
    xlsx = client.get("/feed/export", params={"format": "xlsx"}, headers=admin)
    assert xlsx.content[:2] == b"PK"
    assert client.get("/feed/export", params={"format": "pdf"}, headers=admin).status_code == 400
    exports = Accounts(ctx.store).read_audit(10, action="export")
    assert [(e["target"], e["data"]["rows"]) for e in exports] == [("feed.xlsx", 2),
                                                                   ("feed.csv", 1)]


def test_scheme_preview_against_recent_items(client: TestClient, ctx: Context) -> None:
    admin = {"Authorization": f"Bearer {Accounts(ctx.store).new_token('admin1')}"}
    client.post("/api/items", json=[ITEM, {**ITEM, "id": "a2", "text": "学校食堂饭菜变质"}],
                headers=admin)
    doc = client.post("/api/web/schemes/test", headers=admin,
                      json={"subject_words": ["食堂", "学校"]}).json()
    assert (doc["tested"], doc["matched"]) == (2, 1)
    assert doc["items"][0]["key"] == "weibo:a2"
    bad = client.post("/api/web/schemes/test", headers=admin, json={"expression": "(学校 AND"})
    assert bad.status_code == 400
