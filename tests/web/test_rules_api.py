"""Tests of the alert-rule API and pages (web/rules_api.py, web/rule_editor.py) on both
backends: validation errors per field, admin-only writes, the audit log, config rules
versus web rules, and edits that the running pipelines follow without a restart."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_auth import TEST_PASSWORD, api_headers

from yuqing.config import parse_config
from yuqing.runtime.context import Context
from yuqing.sources.records import raw_from_record
from yuqing.web.accounts import Accounts
from yuqing.web.app import create_app

CONFIG: dict[str, Any] = {
    "timezone": "Asia/Shanghai",
    "schemes": [{"name": "公共安全", "subject_words": ["车祸", "爆炸", "燃气"]}],
    "alerts": {"rules": [{"name": "负面", "channels": ["console"], "keywords": ["车祸"]}],
               "groups": {"值班": ["hook"]},
               "channels": [{"name": "console", "kind": "console", "style": "line"},
                            {"name": "hook", "kind": "console", "style": "line"}]},
}
NEW = {"name": "燃气", "schemes": ["公共安全"], "keywords": ["燃气"], "channels": ["hook"],
       "quiet_hours": "22:00-07:00", "media_types": ["weibo"], "handling_classes": [1, 2]}


def post_item(client: TestClient, n: int, text: str) -> dict[str, Any]:
    """Push one weibo post; return the push outcome."""
    done = client.post("/api/items", json={"id": f"p{n}", "text": text, "source": "weibo",
                                           "media_type": "weibo",
                                           "published_at": "2024-03-05T08:15:00+08:00"})
    assert done.status_code == 200, done.text
    return dict(done.json())


@pytest.fixture
def ctx(store_url: str) -> Iterator[Context]:
    context = Context(config=parse_config(CONFIG), database_url=store_url)
    yield context
    context.close()


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    with TestClient(create_app(ctx)) as test_client:
        test_client.headers.update(api_headers(ctx.store))
        yield test_client


def test_create_read_replace_delete_with_audit(client: TestClient, ctx: Context) -> None:
    [seeded] = client.get("/api/alert-rules").json()
    assert (seeded["name"], seeded["origin"], seeded["in_config"]) == ("负面", "config", True)
    made = client.post("/api/alert-rules", json=NEW)
    assert made.status_code == 201, made.text
    doc = made.json()
    assert (doc["origin"], doc["version"], doc["enabled"], doc["updated_by"]) == (
        "web", 1, True, "tester")
    assert doc["rule"]["keywords"] == ["燃气"] and doc["rule"]["window"] == 600.0
    assert client.get("/api/alert-rules/燃气").json()["rule"]["quiet_hours"] == "22:00-07:00"
    again = client.put("/api/alert-rules/燃气", json={**NEW, "keywords": ["燃气", "爆炸"],
                                                     "enabled": False, "version": 1})
    assert again.status_code == 200 and again.json()["version"] == 2
    assert again.json()["enabled"] is False
    stale = client.put("/api/alert-rules/燃气", json={**NEW, "version": 1})
    assert stale.status_code == 409
    assert stale.json()["detail"][0]["msg_zh"] == "规则已被他人修改，请刷新后重试"
    assert client.delete("/api/alert-rules/燃气").json() == {"name": "燃气", "deleted": True}
    assert client.get("/api/alert-rules/燃气").status_code == 404
    refused = client.delete("/api/alert-rules/负面")
    assert refused.status_code == 409 and "config file" in refused.json()["detail"][0]["msg"]
    log = [(e["action"], e["target"], e["data"].get("op"))
           for e in Accounts(ctx.store).read_audit(10) if e["action"] == "setting"]
    assert log[:3] == [("setting", "alert_rule:燃气", "delete"),
                       ("setting", "alert_rule:燃气", "change"),
                       ("setting", "alert_rule:燃气", "add")]


@pytest.mark.parametrize(("body", "field", "msg", "msg_zh"), [
    ({"channels": ["pager"]}, "channels", "unknown channel pager", "未知渠道 pager"),
    ({"chanels": ["console"]}, "chanels", "unknown field chanels", "未知字段 chanels"),
    ({"quiet_hours": "10pm-7am"}, "quiet_hours", "must look like 22:00-07:00",
     "时段格式应为 22:00-07:00"),
    ({"groups": ["夜班"]}, "groups", "unknown channel group 夜班", "未知渠道组 夜班"),
    ({"window": "soon"}, "window", "must be a number", "应为数字"),
    ({"min_level": "V"}, "min_level", "must be one of I, II, III, IV", "应为 I、II、III、IV 之一"),
    ({"enabled": "yes"}, "enabled", "must be true or false", "应为 true 或 false"),
    ({"hotlist": ["trending"]}, "hotlist", "invalid value: Value error, hot-list fact "
     "'trending' is not one of entered, rising, left", "取值无效：Value error, hot-list fact"),
])
def test_api_validation_errors_name_the_field(client: TestClient, body: dict[str, Any],
                                              field: str, msg: str, msg_zh: str) -> None:
    done = client.post("/api/alert-rules", json={**NEW, **body})
    assert done.status_code == 422, done.text
    [problem] = done.json()["detail"]
    assert problem["loc"] == ["body", field]
    assert problem["msg"].startswith(msg) and problem["msg_zh"].startswith(msg_zh)
    assert client.get("/api/alert-rules/燃气").status_code == 404  # nothing stored


def test_names_are_unique_and_fixed(client: TestClient) -> None:
    assert client.post("/api/alert-rules", json=NEW).status_code == 201
    taken = client.post("/api/alert-rules", json=NEW)
    assert taken.status_code == 422 and taken.json()["detail"][0]["msg_zh"] == "规则 燃气 已存在"
    renamed = client.put("/api/alert-rules/燃气", json={**NEW, "name": "煤气"})
    assert renamed.status_code == 422 and renamed.json()["detail"][0]["loc"] == ["body", "name"]
    assert client.put("/api/alert-rules/没有", json=NEW | {"name": "没有"}).status_code == 404


def test_only_admins_change_rules(client: TestClient, ctx: Context) -> None:
    analyst = api_headers(ctx.store, "ana", "analyst")
    assert client.get("/api/alert-rules", headers=analyst).status_code == 200
    assert client.post("/api/alert-rules", json=NEW, headers=analyst).status_code == 403
    assert client.put("/api/alert-rules/负面", json={"name": "负面"},
                      headers=analyst).status_code == 403
    assert client.delete("/api/alert-rules/负面", headers=analyst).status_code == 403
    leader = api_headers(ctx.store, "boss", "leader")
    assert client.post("/api/alert-rules", json=NEW, headers=leader).status_code == 403
    page = client.get("/settings/alert-rules", headers=analyst).text
    assert "负面" in page and "/settings/alert-rules/new" not in page and "只读" in page
    form = client.get("/settings/alert-rules/负面/edit", headers=analyst).text
    assert "<fieldset disabled>" in form and 'id="save-rule"' not in form
    assert client.get("/settings/alert-rules/new", headers=analyst).status_code == 403
    assert [r["origin"] for r in client.get("/api/alert-rules").json()] == ["config"]


def test_an_edit_on_the_web_is_followed_by_every_running_pipeline(
        client: TestClient, ctx: Context) -> None:
    # another process on the same database (as `yuqing run`), started before the edit
    runner = Context(config=parse_config(CONFIG), database_url=ctx.database_url)
    assert [r.name for r in runner.pipeline.rules] == ["负面"]
    try:
        assert post_item(client, 1, "小区燃气管道泄漏，居民很害怕很愤怒，没人管")["alerts"] == 0
        rule = client.get("/api/alert-rules/负面").json()
        edited = client.put("/api/alert-rules/负面", json={
            **rule["rule"], "keywords": ["车祸", "燃气"], "negative": False, "sensitive": False,
            "version": rule["version"]})  # every scheme match with a keyword fires
        assert edited.status_code == 200 and edited.json()["origin"] == "web"
        assert post_item(client, 2, "又一处燃气泄漏，居民很害怕很愤怒，投诉无门")["alerts"] == 1
        raw = raw_from_record(
            {"id": "r1", "text": "东区加油站燃气爆燃，两人烧伤，现场一片混乱令人恐慌"},
            source="weibo",
            tz="Asia/Shanghai",
            media_type="weibo",
            origin="test",
            fetched_at=datetime.now(UTC),
        )
        assert runner.pipeline.process([raw]).alerts == 1
        assert runner.pipeline.rules[0].cfg.keywords == ["车祸", "燃气"]
        client.put("/api/alert-rules/负面", json={**edited.json()["rule"], "enabled": False})
        assert (
            post_item(client, 3, "西区学校门口燃气罐泄漏，家长愤怒质问为何无人检查")["alerts"] == 0
        )
    finally:
        runner.close()
    alerts = client.get("/api/alerts").json()
    assert sorted(a["items"][0] for a in alerts) == ["weibo:p2", "weibo:r1"]


def session(client: TestClient, ctx: Context, name: str = "admin1") -> str:
    """Log ``name`` (an admin) in through the login form; return the session's CSRF token."""
    Accounts(ctx.store).add_user(name, TEST_PASSWORD, "admin")
    client.headers.pop("Authorization", None)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    client.post("/login", data={"name": name, "password": TEST_PASSWORD,
                                "csrf_token": token.group(1), "next": "/"})
    meta = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/settings").text)
    assert meta is not None
    return meta.group(1)


def test_the_rules_form_creates_edits_and_shows_problems_by_field(
        client: TestClient, ctx: Context) -> None:
    csrf = session(client, ctx)
    assert 'href="/settings/alert-rules"' in client.get("/settings").text
    form = client.get("/settings/alert-rules/new").text
    assert 'name="quiet_hours"' in form and 'value="hook"' in form and 'value="值班"' in form
    fields = {"csrf_token": csrf, "name": "燃气", "enabled": "on", "schemes": "公共安全",
              "level": "II", "negative": "on", "keywords": "燃气\n爆炸、泄漏",
              "channels": "console", "groups": "值班", "quiet_hours": "晚上十点到早上七点",
              "quiet_override_levels": ["I", "II"], "window": "900", "max_per_window": "0",
              "realert": "on", "media_types": ["weibo", "news"]}
    bad = client.post("/settings/alert-rules/new", data=fields)
    assert bad.status_code == 200 and 'id="saved"' not in bad.text  # the form, again
    assert re.search(r'data-field="quiet_hours">时段格式应为 22:00-07:00<', bad.text)
    assert re.search(r'data-field="max_per_window">必须不小于 1<', bad.text)
    assert 'value="晚上十点到早上七点"' in bad.text  # what was typed stays in the form
    english = client.post("/settings/alert-rules/new?lang=en", data=fields)
    assert 'data-field="quiet_hours">must look like 22:00-07:00<' in english.text
    assert client.post("/settings/alert-rules/new", data={**fields, "csrf_token": "x"}
                       ).status_code == 403
    fields |= {"quiet_hours": "22:00-07:00", "max_per_window": "5"}
    good = client.post("/settings/alert-rules/new", follow_redirects=False, data=fields)
    assert good.status_code == 303
    stored = client.get("/api/alert-rules/燃气").json()
    assert stored["rule"]["keywords"] == ["燃气", "爆炸", "泄漏"]
    assert stored["rule"]["media_types"] == ["weibo", "news"]
    assert (stored["rule"]["sensitive"], stored["rule"]["window"], stored["updated_by"]) == (
        False, 900.0, "admin1")
    page = client.get("/settings/alert-rules").text
    assert "燃气、爆炸、泄漏" in page and "22:00-07:00" in page
    edit = client.post("/settings/alert-rules/燃气/edit", follow_redirects=False,
                       data={**fields, "quiet_hours": "", "version": "1",
                             "handling_classes": ["2", "3"], "min_level": "II"})
    assert edit.status_code == 303
    stored = client.get("/api/alert-rules/燃气").json()
    assert stored["version"] == 2 and stored["rule"]["quiet_hours"] is None
    assert (stored["rule"]["handling_classes"], stored["rule"]["min_level"]) == ([2, 3], "II")
    stale = client.post("/settings/alert-rules/燃气/edit", data={**fields, "version": "1"})
    assert "规则已被他人修改" in stale.text
    off = client.post("/settings/alert-rules/燃气/disable", data={"csrf_token": csrf})
    assert off.status_code == 200 and client.get("/api/alert-rules/燃气").json()["enabled"] is False
    kept = client.post("/settings/alert-rules/负面/delete", data={"csrf_token": csrf})
    assert "此规则来自配置文件" in kept.text
    client.post("/settings/alert-rules/燃气/delete", data={"csrf_token": csrf})
    assert client.get("/api/alert-rules/燃气").status_code == 404
    ops = [e["data"]["op"] for e in Accounts(ctx.store).read_audit(20, "setting")
           if e["target"] == "alert_rule:燃气"]
    assert ops == ["delete", "disable", "change", "add"]


def test_every_rule_problem_and_label_has_an_english_entry() -> None:
    from yuqing.alerts.rule_check import MESSAGES
    from yuqing.web.i18n import EN
    from yuqing.web.rules_api import HANDLING_CLASS_LABELS, HOTLIST_FACT_LABELS, MEDIA_LABELS

    shown = [*MESSAGES, *MEDIA_LABELS.values(), *HANDLING_CLASS_LABELS.values(),
             *HOTLIST_FACT_LABELS.values()]
    assert len(shown) > 30 and [m for m in shown if m not in EN] == []
    assert all(set(re.findall(r"\{(\w+)\}", m)) == set(re.findall(r"\{(\w+)\}", EN[m]))
               for m in MESSAGES)  # the same parameters in both languages


def test_the_rules_form_sets_incident_and_its_categories(client: TestClient, ctx: Context) -> None:
    csrf = session(client, ctx)
    form = client.get("/settings/alert-rules/new").text
    assert 'name="incident"' in form and 'value="事故灾难"' in form
    fields = {"csrf_token": csrf, "name": "突发", "enabled": "on", "schemes": "公共安全",
              "incident": "on", "incident_categories": ["事故灾难", "公共卫生事件"],
              "channels": "console", "window": "900", "max_per_window": "5"}
    saved = client.post("/settings/alert-rules/new", follow_redirects=False, data=fields)
    assert saved.status_code == 303
    rule = client.get("/api/alert-rules/突发").json()["rule"]
    assert (rule["incident"], rule["negative"], rule["sensitive"]) == (True, False, False)
    assert rule["incident_categories"] == ["事故灾难", "公共卫生事件"]
    listed = client.get("/settings/alert-rules").text
    assert "突发事件类别: 事故灾难、公共卫生事件" in listed
    edit = client.get("/settings/alert-rules/突发/edit").text
    assert re.search(r'name="incident" checked', edit)
    assert re.search(r'value="公共卫生事件" checked', edit)
    assert not re.search(r'value="自然灾害" checked', edit)


def test_the_rules_form_sets_hotlist_facts(client: TestClient, ctx: Context) -> None:
    csrf = session(client, ctx)
    assert 'name="hotlist" value="entered"' in client.get("/settings/alert-rules/new").text
    fields = {"csrf_token": csrf, "name": "上热榜", "enabled": "on", "schemes": "公共安全",
              "hotlist": ["entered", "rising"], "channels": "console", "window": "900",
              "max_per_window": "5"}
    saved = client.post("/settings/alert-rules/new", follow_redirects=False, data=fields)
    assert saved.status_code == 303
    rule = client.get("/api/alert-rules/上热榜").json()["rule"]
    assert (rule["hotlist"], rule["negative"], rule["sensitive"]) == (
        ["entered", "rising"], False, False)
    assert "热榜变化: 新上榜、快速上升" in client.get("/settings/alert-rules").text
    edit = client.get("/settings/alert-rules/上热榜/edit").text
    assert re.search(r'value="rising" checked', edit) and not re.search(
        r'value="left" checked', edit)
