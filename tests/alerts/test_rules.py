"""Tests of yuqing.alerts.rules: which items fire, and what the alert says."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alerts_helpers import GAS_TEXT, NOW, make_item

from yuqing.alerts.rules import (
    DEFAULT_RULE_NAME,
    MatchRule,
    build_rules,
    default_rule,
    evaluate_all,
)
from yuqing.config import Config, RuleConfig, parse_config
from yuqing.domain import BadInput, TermHit

FIXED = datetime(2024, 3, 5, 1, 0, tzinfo=UTC)
GAS = TermHit("燃气泄漏", "安全生产", 3, 7)


def rule(**kw: object) -> MatchRule:
    cfg = RuleConfig(name=str(kw.pop("name", "燃气")), **kw)  # type: ignore[arg-type]
    return MatchRule(cfg, clock=lambda: FIXED)


CASES = [
    # (rule options, item options, fires?)
    ({}, {}, True),
    ({}, {"sentiment": "neutral", "score": 0.2}, False),
    ({}, {"sentiment": "neutral", "terms": (GAS,)}, True),
    ({"negative": False}, {"sentiment": "negative"}, False),
    ({"sensitive": False}, {"sentiment": "neutral", "terms": (GAS,)}, False),
    ({"negative": False, "sensitive": False}, {"sentiment": "positive"}, True),
    ({}, {"schemes": ()}, False),
    ({"schemes": ["燃气安全"]}, {}, True),
    ({"schemes": ["食品安全"]}, {}, False),
    ({"schemes": ["食品安全", "燃气安全"]}, {"schemes": ("交通", "燃气安全")}, True),
    ({}, {"duplicate_of": "weibo:0"}, False),
    ({}, {"is_update": True}, False),
    ({}, {"rejected": "empty_text"}, False),
    ({}, {"sentiment": None, "score": None}, False),
]


@pytest.mark.parametrize(("rule_kw", "item_kw", "fires"), CASES)
def test_which_items_fire(rule_kw: dict, item_kw: dict, fires: bool) -> None:
    alerts = rule(**rule_kw).evaluate([make_item(**item_kw)])
    assert len(alerts) == (1 if fires else 0)


def test_alert_fields() -> None:
    item = make_item("weibo:42", schemes=("交通", "燃气安全"), terms=(GAS,))
    [alert] = rule(schemes=["燃气安全"], channels=["mail", "hook"], level="II").evaluate([item])
    assert alert.rule == "燃气"
    assert alert.dedup_key == "燃气:weibo:42"
    assert alert.item_keys == ["weibo:42"]
    assert alert.level == "II"
    assert alert.channels == ["mail", "hook"]
    assert alert.created_at == FIXED
    assert len(GAS_TEXT) < 30  # short enough to appear uncut
    assert alert.title == "【舆情预警】燃气安全：负面/敏感 — " + GAS_TEXT


def test_body_lines_in_chinese() -> None:
    item = make_item(terms=(GAS, GAS))
    [alert] = rule().evaluate([item])
    lines = alert.body.splitlines()
    assert lines[0] == "来源：weibo（微博）"  # the media type in words
    assert lines[1] == "时间：2024-03-05 08:15 (+08:00)"  # NOW is 00:15 UTC
    assert lines[2] == "情感：负面（负面概率 0.93）"
    assert lines[3] == "敏感词：燃气泄漏（安全生产）"  # repeated hit listed once
    assert lines[4] == "方案：燃气安全"
    assert lines[5] == "链接：https://weibo.com/1"
    assert lines[6].startswith("摘要：某小区燃气泄漏")


def test_title_cuts_long_text_at_30_chars() -> None:
    text = "一二三四五六七八九十" * 5
    [alert] = rule().evaluate([make_item(text=text)])
    assert alert.title.endswith("— " + text[:30] + "…")


def test_excerpt_is_cut_and_flattened() -> None:
    text = "第一行\n\n第二行  " + "长" * 300
    [alert] = rule().evaluate([make_item(text=text)])
    excerpt = alert.body.splitlines()[-1]
    assert excerpt.startswith("摘要：第一行 第二行 长")
    assert len(excerpt) == len("摘要：") + 140 + 1


def test_english_messages() -> None:
    cfg = RuleConfig(name="gas")
    [alert] = MatchRule(cfg, lang="en", tz="UTC", clock=lambda: FIXED).evaluate(
        [make_item(terms=(GAS,))])
    assert alert.title.startswith("[Yuqing alert] 燃气安全: negative/sensitive — ")
    assert "Time: 2024-03-05 00:15 (+00:00)" in alert.body
    assert "Sentiment: negative (P(negative) 0.93)" in alert.body


def test_unknown_language_is_bad_input() -> None:
    with pytest.raises(BadInput, match="'fr'.*known"):
        MatchRule(RuleConfig(name="x"), lang="fr")


def test_build_rules_uses_config_rules_and_language() -> None:
    # schema only: scheme 燃气安全 and channel mail are not configured (parse_config refuses that)
    cfg = Config.model_validate({"language": "en", "alerts": {"rules": [
        {"name": "a", "schemes": ["燃气安全"], "channels": ["mail"]},
        {"name": "b", "negative": False}]}})
    rules = build_rules(cfg, clock=lambda: FIXED)
    assert [r.name for r in rules] == ["a", "b"]
    assert rules[0].channels == ["mail"]
    alerts = evaluate_all(rules, [make_item(terms=(GAS,))])
    assert [a.dedup_key for a in alerts] == ["a:weibo:1", "b:weibo:1"]
    assert all(a.title.startswith("[Yuqing alert]") for a in alerts)


def test_default_rule_when_config_has_none() -> None:
    [only] = build_rules(parse_config({}))
    assert only.name == DEFAULT_RULE_NAME
    assert only.channels == ["console"]
    fired = only.evaluate([make_item("w:1"), make_item("w:2", sentiment="neutral"),
                           make_item("w:3", schemes=())])
    assert [a.item_keys for a in fired] == [["w:1"]]
    assert default_rule().evaluate([make_item()])[0].created_at > NOW
