"""Tests of the hot-list condition of yuqing.alerts.rules (``hotlist = [...]``): a rule
fires on a topic that entered or rose, also when it is an update of a stored topic,
never on a plain update, and once per fact of a topic."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from alerts_helpers import make_item

from yuqing.alerts.render import alert_body
from yuqing.alerts.rules import MatchRule
from yuqing.config import RuleConfig, parse_config
from yuqing.domain import BadInput, Item

FIXED = datetime(2024, 6, 15, 6, 0, tzinfo=UTC)
TOPIC = "青山县通报一中学食堂食物中毒事件"


def hot_rule(**kw: Any) -> MatchRule:
    cfg = {"negative": False, "sensitive": False, "hotlist": ["entered", "rising"], **kw}
    return MatchRule(RuleConfig(name="上热榜", **cfg), clock=lambda: FIXED)


def topic(change: str | None, *, update: bool, rank: int | None = 3) -> Item:
    extra = {"platform": "weibo", "hotlist": "微博热搜", "hotlist_change": change,
             "rank": rank, "best_rank": 2, "heat": 2851764.0, "previous_rank": None}
    return make_item("微博热搜:ab12", text=TOPIC, schemes=("青山县",), sentiment="neutral",
                     score=0.1, is_update=update, extra=extra)


@pytest.mark.parametrize(("change", "update", "fires"), [
    ("entered", False, True),      # a new topic: first seen on the list
    ("entered", True, True),       # back on the list after it had left
    ("rising", True, True),        # an update of the stored topic carrying a fact
    (None, True, False),           # a plain update: rank moved a little
    (None, False, False),          # a new item without a fact (e.g. from an RSS feed)
    ("left", True, False),         # a fact the rule does not ask for
])
def test_a_hotlist_rule_fires_on_its_facts_only(change: str | None, update: bool,
                                                fires: bool) -> None:
    assert len(hot_rule().evaluate([topic(change, update=update)])) == (1 if fires else 0)


def test_an_update_never_fires_a_rule_without_hotlist() -> None:
    plain = MatchRule(RuleConfig(name="r", negative=False, sensitive=False), clock=lambda: FIXED)
    assert len(plain.evaluate([topic("entered", update=False)])) == 1
    assert plain.evaluate([topic("rising", update=True)]) == []


def test_each_fact_of_a_topic_is_its_own_story_and_says_why() -> None:
    rule = hot_rule()
    [entered] = rule.evaluate([topic("entered", update=False)])
    [rising] = rule.evaluate([topic("rising", update=True)])
    assert entered.dedup_key == "上热榜:微博热搜:ab12#hotlist:entered"
    assert rising.dedup_key == "上热榜:微博热搜:ab12#hotlist:rising"
    assert "新上热榜" in entered.title and "热榜快速上升" in rising.title
    assert "热榜：微博热搜 第 3 名（最高第 2 名）" in entered.body
    assert "热度：2,851,764" in entered.body


def test_the_other_conditions_still_hold() -> None:
    negative_only = hot_rule(negative=True)
    assert negative_only.evaluate([topic("entered", update=False)]) == []  # neutral topic
    assert hot_rule(schemes=["燃气安全"]).evaluate([topic("entered", update=False)]) == []


def test_a_left_topic_body_says_so() -> None:
    body = alert_body(topic("left", update=True, rank=None))
    assert "热榜：微博热搜 已落榜（最高第 2 名）" in body and "热度" in body


def test_an_unknown_fact_is_a_config_error_naming_it() -> None:
    with pytest.raises(BadInput, match="hot-list fact 'trending' is not one of entered, "
                                       "rising, left"):
        parse_config({"alerts": {"rules": [{"name": "r", "hotlist": ["trending"]}]}})
