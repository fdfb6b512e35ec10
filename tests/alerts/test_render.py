"""Tests of yuqing.alerts.render: text, markdown and the webhook JSON document."""

from __future__ import annotations

import json

import pytest
from alerts_helpers import make_alert, make_item

from yuqing.alerts.render import (
    MESSAGES,
    alert_body,
    escape_markdown,
    messages,
    render_json,
    render_markdown,
    render_text,
)
from yuqing.domain import BadInput, TermHit


def test_text_has_title_level_rule_and_body() -> None:
    text = render_text(make_alert(7))
    assert text.splitlines()[0] == "【舆情预警】燃气安全：负面 — 第7条"
    assert text.splitlines()[1] == "预警级别：III  规则：燃气"
    assert text.endswith("摘要：燃气泄漏无人处理7\n")


def test_text_in_english() -> None:
    assert render_text(make_alert(), lang="en").splitlines()[1] == "Level: III  Rule: 燃气"


def test_markdown_lists_body_lines_and_escapes() -> None:
    alert = make_alert()
    alert.body = "链接：https://x.cn/a_b*c\n\n摘要：[转发]"
    md = render_markdown(alert).splitlines()
    assert md[0] == "### 【舆情预警】燃气安全：负面 — 第1条"
    assert md[2:4] == ["- **预警级别**：III", "- **规则**：燃气"]
    assert md[4:] == [r"- 链接：https://x.cn/a\_b\*c", r"- 摘要：\[转发\]"]


def test_escape_markdown() -> None:
    assert escape_markdown("a#b|c`d") == r"a\#b\|c\`d"


def test_json_document_shape() -> None:
    doc = render_json(make_alert(3))
    assert doc == {
        "rule": "燃气", "level": "III", "title": "【舆情预警】燃气安全：负面 — 第3条",
        "body": "来源：weibo（weibo）\n摘要：燃气泄漏无人处理3", "items": ["weibo:3"],
        "created_at": "2024-03-05T08:15:00+08:00", "dedup_key": "燃气:weibo:3"}
    assert json.loads(json.dumps(doc, ensure_ascii=False)) == doc
    assert render_json(make_alert(3), tz="UTC")["created_at"] == "2024-03-05T00:15:00+00:00"


def test_languages_share_the_same_keys() -> None:
    assert set(MESSAGES["zh"]) == set(MESSAGES["en"])


def test_unknown_language() -> None:
    with pytest.raises(BadInput, match="known: \\['en', 'zh'\\]"):
        messages("de")


def test_a_complaint_told_calmly_shows_why_it_is_negative_not_a_low_probability() -> None:
    from event_items import make

    from yuqing.alerts.render import alert_body

    item = make(1, "青山县人民医院门诊排队三小时，想投诉一下")
    item.sentiment, item.sentiment_score, item.emotion = "negative", 0.07, "neutral"
    line = next(ln for ln in alert_body(item).splitlines() if ln.startswith("情感"))
    assert line == "情感：负面（投诉或伤害，按舆情判定；文字情绪：中性）"
    item.emotion = "negative"
    line = next(ln for ln in alert_body(item).splitlines() if ln.startswith("情感"))
    assert line == "情感：负面（负面概率 0.07）"


@pytest.mark.parametrize(("lang", "shown"), [
    ("zh", "持刀（暴恐）、内部线索（自建库）"),
    ("en", "持刀 (violence and terror), 内部线索 (自建库)")])
def test_the_body_names_lexicon_categories_in_the_alert_language(lang: str, shown: str) -> None:
    item = make_item(terms=(TermHit("持刀", "violence", 0, 2), TermHit("内部线索", "自建库", 3, 7)))
    line = next(x for x in alert_body(item, lang).splitlines() if "持刀" in x)
    assert line.split("：" if lang == "zh" else ": ", 1)[1] == shown
