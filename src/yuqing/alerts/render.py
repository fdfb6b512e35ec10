"""Words and layouts of alerts: the message table, and Alert -> text, markdown, JSON.

All user-facing strings of the alerts package live in :data:`MESSAGES`, one
table per language (``zh`` default, ``en``). Rules use :func:`alert_title`
and :func:`alert_body` to write an alert; channels use :func:`render_text`,
:func:`render_markdown` and :func:`render_json` to lay it out.

The webhook JSON document (stable; fields may be added, never renamed)::

    {"rule": str, "level": str, "title": str, "body": str,
     "items": [item key, ...], "created_at": ISO 8601 with offset,
     "dedup_key": str}
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from yuqing.domain import MEDIA_LABELS, SENTIMENT_LABELS, SENTIMENTS, Alert, BadInput, Item
from yuqing.time_range import local_time
from yuqing.vocabulary import lexicon_label

DEFAULT_LANG = "zh"
DEFAULT_TZ = "Asia/Shanghai"
TITLE_SNIPPET_CHARS = 30
EXCERPT_CHARS = 140

MESSAGES: dict[str, dict[str, str]] = {
    "zh": {
        "title": "【舆情预警】{scheme}：{reasons} — {snippet}",
        "negative": "负面",
        "sensitive": "敏感",
        "incident": "突发事件",
        "incident_value": "{category}/{type}（死亡 {deaths}，受伤 {injured}，失踪 {missing}）",
        "matched": "命中",
        "hotlist_entered": "新上热榜",
        "hotlist_rising": "热榜快速上升",
        "hotlist_left": "落榜",
        "hotlist": "热榜",
        "hotlist_value": "{list} 第 {rank} 名（最高第 {best} 名）",
        "hotlist_left_value": "{list} 已落榜（最高第 {best} 名）",
        "heat": "热度",
        "sep": "、",
        "colon": "：",
        "source": "来源",
        "source_value": "{source}（{media}）",
        "time": "时间",
        "sentiment": "情感",
        "sentiment_score": "{label}（负面概率 {score:.2f}）",
        "sentiment_polarity": "{label}（投诉或伤害，按舆情判定；文字情绪：{emotion}）",
        "terms": "敏感词",
        "term": "{term}（{category}）",
        "schemes": "方案",
        "url": "链接",
        "excerpt": "摘要",
        "level": "预警级别",
        "rule": "规则",
        **{f"{s}_label": SENTIMENT_LABELS[s] for s in SENTIMENTS},
        "storm_title": "【舆情预警】{rule}：预警过多，本时段其余预警汇总",
        "storm_body": "规则“{rule}”在 {start}–{end} 已推送 {cap} 条预警，"
                      "其余预警暂停推送并汇总在：{link}",
        "update_note": "更新：事件已达 {count} 条，级别 {level}",
        "ack": "确认收到",
        "escalated": "【升级】",
        "test_title": "【舆情预警】测试消息",
        "test_body": "这是一条测试消息，发送时间 {time}。",
    },
    "en": {
        "title": "[Yuqing alert] {scheme}: {reasons} — {snippet}",
        "negative": "negative",
        "sensitive": "sensitive",
        "incident": "incident",
        "incident_value": "{category}/{type} (deaths {deaths}, injured {injured}, "
                          "missing {missing})",
        "matched": "matched",
        "hotlist_entered": "entered a hot list",
        "hotlist_rising": "rising on a hot list",
        "hotlist_left": "left a hot list",
        "hotlist": "Hot list",
        "hotlist_value": "{list} #{rank} (best #{best})",
        "hotlist_left_value": "{list}: left the list (best #{best})",
        "heat": "Heat",
        "sep": ", ",
        "colon": ": ",
        "source": "Source",
        "source_value": "{source} ({media})",
        "time": "Time",
        "sentiment": "Sentiment",
        "sentiment_score": "{label} (P(negative) {score:.2f})",
        "sentiment_polarity": "{label} (a complaint or harm, for the office; "
                              "the writer's tone: {emotion})",
        "terms": "Sensitive terms",
        "term": "{term} ({category})",
        "schemes": "Schemes",
        "url": "Link",
        "excerpt": "Excerpt",
        "level": "Level",
        "rule": "Rule",
        "positive_label": "positive",
        "neutral_label": "neutral",
        "negative_label": "negative",
        "storm_title": "[Yuqing alert] {rule}: too many alerts, the rest of this window summarised",
        "storm_body": "Rule \"{rule}\" sent {cap} alerts between {start} and {end}; further alerts "
                      "are held and listed at {link}",
        "update_note": "Update: the event has {count} items, level {level}",
        "ack": "Acknowledge",
        "escalated": "[Escalated] ",
        "test_title": "[Yuqing alert] test message",
        "test_body": "This is a test message sent at {time}.",
    },
}

_SPACE = re.compile(r"\s+")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def messages(lang: str) -> dict[str, str]:
    """Return the message table of ``lang``; raises BadInput naming the known languages."""
    try:
        return MESSAGES[lang]
    except KeyError:
        raise BadInput(f"alert language {lang!r} is not known; known: {sorted(MESSAGES)}") from None


def snippet(text: str, limit: int) -> str:
    """Return ``text`` with whitespace runs collapsed, cut to ``limit`` chars (``…`` when cut)."""
    flat = _SPACE.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[:limit] + "…"


def alert_title(item: Item, scheme: str, reasons: list[str], lang: str = DEFAULT_LANG) -> str:
    """Return the title of an alert about ``item``.

    ``reasons`` are message keys (``"negative"``, ``"sensitive"``, ``"incident"``,
    ``"hotlist_entered"``...); e.g.
    ``【舆情预警】燃气安全：负面/敏感 — <first 30 chars of title or text>``.
    """
    m = messages(lang)
    words = "/".join(m[r] for r in reasons) or m["matched"]
    head = item.title or item.text
    cut = snippet(head, TITLE_SNIPPET_CHARS)
    return m["title"].format(scheme=scheme, reasons=words, snippet=cut)


def alert_body(item: Item, lang: str = DEFAULT_LANG, tz: str = DEFAULT_TZ) -> str:
    """Return the plain-text body of an alert about ``item``: one ``label：value`` per line.

    Lines: source, time (in ``tz``, with its offset), the hot-list place (list, rank,
    best rank; heat) of a hot-list topic (``extra["hotlist"]``), sentiment and score,
    sensitive terms with categories, the incident (category/type, casualties), schemes,
    url, text excerpt (140 chars).
    A line whose value is missing is left out.
    """
    m = messages(lang)
    media = MEDIA_LABELS.get(item.media_type, item.media_type) if lang == "zh" else item.media_type
    lines = [(m["source"], m["source_value"].format(source=item.source, media=media)),
             (m["time"], local_time(item.published_at, tz))]
    lines += _hotlist_lines(item, m)
    if item.sentiment:
        label = m.get(f"{item.sentiment}_label", item.sentiment)
        if item.emotion and item.emotion != item.sentiment:  # the office polarity decided
            emotion = m.get(f"{item.emotion}_label", item.emotion)
            value = m["sentiment_polarity"].format(label=label, emotion=emotion)
        else:
            value = (label if item.sentiment_score is None
                     else m["sentiment_score"].format(label=label, score=item.sentiment_score))
        lines.append((m["sentiment"], value))
    if item.sensitive_terms:
        terms = dict.fromkeys(m["term"].format(term=h.term,
                                               category=lexicon_label(h.category, lang))
                              for h in item.sensitive_terms)
        lines.append((m["terms"], m["sep"].join(terms)))
    if item.incident:
        inc = item.incident
        lines.append((m["incident"], m["incident_value"].format(
            category=inc["category"], type=inc["type"] or "-", **inc["casualties"])))
    if item.schemes:
        lines.append((m["schemes"], m["sep"].join(item.schemes)))
    if item.url:
        lines.append((m["url"], item.url))
    lines.append((m["excerpt"], snippet(item.text, EXCERPT_CHARS)))
    return "\n".join(f"{label}{m['colon']}{value}" for label, value in lines)


def _hotlist_lines(item: Item, m: dict[str, str]) -> list[tuple[str, str]]:
    """The hot-list lines of ``item`` (none unless a hot-list source made it)."""
    extra = item.extra
    if not extra.get("hotlist"):
        return []
    rank = extra.get("rank")
    key = "hotlist_value" if rank is not None else "hotlist_left_value"
    lines = [(m["hotlist"], m[key].format(list=extra["hotlist"], rank=rank,
                                          best=extra.get("best_rank", rank)))]
    if extra.get("heat") is not None:
        lines.append((m["heat"], f"{extra['heat']:,.0f}"))
    return lines


def render_text(alert: Alert, lang: str = DEFAULT_LANG) -> str:
    """Return ``alert`` as plain text: title, level and rule line, blank line, body."""
    m = messages(lang)
    meta = f"{m['level']}{m['colon']}{alert.level}  {m['rule']}{m['colon']}{alert.rule}"
    return f"{alert.title}\n{meta}\n\n{alert.body}\n"


def escape_markdown(text: str) -> str:
    """Return ``text`` with markdown control characters backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def render_markdown(alert: Alert, lang: str = DEFAULT_LANG) -> str:
    """Return ``alert`` as markdown: a level-3 heading, then one body line per list entry."""
    m = messages(lang)
    lines = [f"### {escape_markdown(alert.title)}", "",
             f"- **{m['level']}**{m['colon']}{escape_markdown(alert.level)}",
             f"- **{m['rule']}**{m['colon']}{escape_markdown(alert.rule)}"]
    lines += [f"- {escape_markdown(line)}" for line in alert.body.splitlines() if line.strip()]
    return "\n".join(lines) + "\n"


def render_json(alert: Alert, tz: str = DEFAULT_TZ) -> dict[str, Any]:
    """Return the webhook JSON document of ``alert`` (shape in the module docstring).

    ``created_at`` is shown in ``tz`` with its UTC offset, e.g.
    ``2024-03-05T08:15:00+08:00``.
    """
    created: datetime = alert.created_at.astimezone(ZoneInfo(tz))
    return {
        "rule": alert.rule,
        "level": alert.level,
        "title": alert.title,
        "body": alert.body,
        "items": list(alert.item_keys),
        "created_at": created.isoformat(),
        "dedup_key": alert.dedup_key,
    }
