"""Tests of alerts/rulebook.py and alerts/rule_check.py: rules seeded from the config into
the store, web edits winning over the file, reloads when the stored rules change, and the
checks every rule passes (config file, web form and API alike)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from yuqing.alerts.rule_check import RuleContext, RuleInvalid, validate_rule
from yuqing.alerts.rulebook import RuleBook
from yuqing.alerts.rules import DEFAULT_RULE_NAME
from yuqing.config import parse_config
from yuqing.domain import BadInput
from yuqing.store import Store
from yuqing.store import alert_rules as q

NOW = datetime(2024, 3, 5, 8, 0, tzinfo=UTC)


def config(rules: list[dict[str, Any]], channels: tuple[str, ...] = ("console", "mail")) -> Any:
    return parse_config({
        "schemes": [{"name": "公共安全", "subject_words": ["车祸"]}],
        "alerts": {"rules": rules, "groups": {"值班": ["mail"]},
                   "channels": [{"name": c, "kind": "console"} for c in channels]}})


def problems(body: dict[str, Any], cfg: Any = None) -> dict[str, str]:
    ctx = RuleContext.of(cfg or config([]))
    with pytest.raises(RuleInvalid) as caught:
        validate_rule(body, ctx)
    return {p.field: p.text() for p in caught.value.problems}


def test_the_config_file_rules_are_seeded_and_used(store: Store) -> None:
    book = RuleBook(config([{"name": "负面", "channels": ["mail"], "keywords": ["车祸"]}]), store)
    assert [r.name for r in book.rules] == ["负面"]
    assert book.rules[0].cfg.keywords == ["车祸"]
    with store.read() as conn:
        [row] = q.list_rules(conn)
    assert (row["origin"], row["updated_by"], row["version"]) == ("config", "config", 1)


def test_a_config_without_rules_seeds_the_default_rule(store: Store) -> None:
    book = RuleBook(config([]), store)
    assert [r.name for r in book.rules] == [DEFAULT_RULE_NAME]
    RuleBook(config([{"name": "负面"}]), store)  # the file now has rules: the default goes
    with store.read() as conn:
        assert [r["name"] for r in q.list_rules(conn)] == ["负面"]


def test_a_rule_edited_on_the_web_wins_over_the_config_file(store: Store) -> None:
    RuleBook(config([{"name": "负面", "keywords": ["车祸"]}]), store)
    with store.write() as conn:
        q.update_rule(conn, "负面", {"name": "负面", "keywords": ["网页词"]}, enabled=True,
                      origin="web", by="admin1", now=NOW)
    # a restart with a changed file keeps the web version
    book = RuleBook(config([{"name": "负面", "keywords": ["文件词"]}]), store)
    assert book.rules[0].cfg.keywords == ["网页词"]


def test_refresh_reloads_only_when_the_stored_rules_changed(store: Store) -> None:
    book = RuleBook(config([{"name": "负面"}]), store)
    assert book.refresh() is False
    with store.write() as conn:
        q.insert_rule(conn, {"name": "关键词", "keywords": ["爆炸"]}, enabled=True,
                      origin="web", by="admin1", now=NOW)
    assert book.refresh() is True
    assert [r.name for r in book.rules] == ["关键词", "负面"]
    with store.write() as conn:
        q.update_rule(conn, "负面", {"name": "负面"}, enabled=False, origin="web",
                      by="admin1", now=NOW)
    assert book.refresh() is True and [r.name for r in book.rules] == ["关键词"]
    with store.write() as conn:
        q.delete_rule(conn, "关键词")
    assert book.refresh() is True and book.rules == []


def test_a_stored_rule_this_config_cannot_serve_is_skipped_and_named(store: Store) -> None:
    RuleBook(config([{"name": "负面"}]), store)
    with store.write() as conn:
        q.insert_rule(conn, {"name": "邮件", "channels": ["mail"]}, enabled=True,
                      origin="web", by="admin1", now=NOW)
    book = RuleBook(config([{"name": "负面"}], channels=("console",)), store)
    assert [r.name for r in book.rules] == ["负面"]
    assert "mail" in book.problems["邮件"]


def test_a_bad_rule_in_the_config_file_stops_the_start(store: Store) -> None:
    with pytest.raises(BadInput) as caught:
        RuleBook(config([{"name": "负面", "channels": ["nowhere"], "quiet_hours": "晚上"}]), store)
    assert "'负面'" in str(caught.value) and "nowhere" in str(caught.value)
    assert "quiet_hours" in str(caught.value)


def test_rule_checks_name_the_field() -> None:
    assert problems({"name": "r", "chanels": ["console"]}) == {"chanels": "未知字段 chanels"}
    assert problems({"name": "r", "channels": ["hook"]})["channels"].startswith("未知渠道 hook")
    assert problems({"name": "r", "quiet_hours": "25:00-07:00"}) == {
        "quiet_hours": "时段格式应为 22:00-07:00"}
    assert problems({"name": "r", "quiet_hours": "07:00-07:00"}) == {
        "quiet_hours": "开始与结束时间不能相同"}
    # the model's own errors first (then the checks against the config do not run) ...
    assert problems({"name": "r", "window": 0, "realert": "maybe"}) == {
        "window": "必须大于 0", "realert": "应为 true 或 false"}
    # ... and every check against the config, each on its field
    found = problems({"name": "r", "level": "V", "min_level": "0", "handling_classes": [5],
                      "media_types": ["tv"], "schemes": ["交通"], "groups": ["夜班"]})
    assert set(found) == {"level", "min_level", "handling_classes", "media_types", "schemes",
                          "groups"}
    assert found["schemes"] == "未知方案 交通（已配置：公共安全）"
    assert problems({"name": " "}) == {"name": "规则名称不能为空"}
    good = validate_rule({"name": "r", "channels": ["值班", "console"], "groups": ["值班"],
                          "quiet_hours": "22:00-07:00"}, RuleContext.of(config([])))
    assert good.groups == ["值班"]
