"""Tests of the incident parts of yuqing.alerts.rules: ``incident = true``,
``incident_categories``, the default rule, and the incidents lexicon that no longer
alerts by itself."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from alerts_helpers import make_item

from yuqing.alerts.render import alert_body
from yuqing.alerts.rules import MatchRule, default_rule
from yuqing.config import RuleConfig, parse_config
from yuqing.domain import BadInput, TermHit

FIXED = datetime(2024, 3, 5, 1, 0, tzinfo=UTC)
FIRE: dict[str, Any] = {"category": "事故灾难", "type": "火灾", "confidence": 0.97,
                        "cues": ["起火", "受伤"],
                        "casualties": {"deaths": 1, "injured": 3, "missing": 0}}
TIP_HIT = TermHit("食物中毒", "incidents", 6, 10)
KNIFE_HIT = TermHit("持刀", "violence", 0, 2)


def rule(**kw: Any) -> MatchRule:
    return MatchRule(RuleConfig(name="r", **kw), clock=lambda: FIXED)


def neutral(**kw: Any) -> Any:
    return make_item(sentiment="neutral", score=0.2, **kw)


@pytest.mark.parametrize(("rule_kw", "item_kw", "fires"), [
    ({"incident": True}, {"incident": FIRE}, True),
    ({"incident": True}, {}, False),
    ({"incident": False}, {"incident": FIRE}, False),
    ({"negative": False, "sensitive": False, "incident": True}, {"incident": FIRE}, True),
    ({"negative": False, "sensitive": False, "incident": True}, {}, False),
    ({"incident": True, "incident_categories": ["事故灾难"]}, {"incident": FIRE}, True),
    ({"incident": True, "incident_categories": ["公共卫生事件"]}, {"incident": FIRE}, False),
    ({"incident_categories": ["事故灾难"]}, {"terms": (KNIFE_HIT,)}, False),
])
def test_incident_flag_and_categories(rule_kw: dict[str, Any], item_kw: dict[str, Any],
                                      fires: bool) -> None:
    assert len(rule(**rule_kw).evaluate([neutral(**item_kw)])) == (1 if fires else 0)


def test_the_default_rule_alerts_on_a_neutral_incident_and_says_why() -> None:
    [alert] = default_rule(clock=lambda: FIXED).evaluate([neutral(incident=FIRE)])
    assert "突发事件" in alert.title
    assert "突发事件：事故灾难/火灾（死亡 1，受伤 3，失踪 0）" in alert.body


def test_an_incidents_lexicon_hit_alone_does_not_alert_on_a_how_to_post() -> None:
    tip = neutral(text="夏天如何预防食物中毒", terms=(TIP_HIT,))
    assert default_rule().evaluate([tip]) == []
    # with an incident, or with a hit of another lexicon, it is sensitive as before
    assert rule().reasons(neutral(terms=(TIP_HIT,), incident=FIRE)) == ["sensitive"]
    assert rule().reasons(neutral(terms=(TIP_HIT, KNIFE_HIT))) == ["sensitive"]


def test_an_unknown_incident_category_is_a_config_error_naming_it() -> None:
    with pytest.raises(BadInput, match="incident category '火山' is not one of 自然灾害"):
        parse_config({"alerts": {"rules": [{"name": "r", "incident_categories": ["火山"]}]}})


def test_alert_body_in_english_names_the_incident() -> None:
    body = alert_body(neutral(incident=FIRE), lang="en")
    assert "incident: 事故灾难/火灾 (deaths 1, injured 3, missing 0)" in body


@pytest.mark.parametrize(("text", "term", "alerts"), [
    ("欢迎广大群众监督举报违纪违法问题，举报电话：12388。", "违纪", False),
    ("县里召开全县信访工作会议，强调畅通诉求渠道。", "信访", False),
    ("如何投诉医疗纠纷？卫健局公布了渠道。", "纠纷", False),
    ("镇里的干部严重违纪，村民拍了视频。", "违纪", True),
    ("几十个村民今天又去信访局上访了。", "上访", True),
])
def test_a_sensitive_term_framed_as_advice_or_a_service_does_not_alert_by_itself(
        text: str, term: str, alerts: bool) -> None:
    start = text.index(term)
    hit = TermHit(term, "politics", start, start + len(term))
    assert (default_rule().evaluate([neutral(text=text, terms=(hit,))]) != []) is alerts
