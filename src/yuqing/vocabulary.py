"""The field's words that reports, alerts and pages share, in Chinese and English.

Chinese is the message id, as in the catalogues of reports/lang.py and web/i18n.py, which
merge the tables below into theirs; each table is ``{Chinese: English}``. The Chinese of a
code value stays where its room names it (domain.py SENTIMENT_LABELS, MEDIA_LABELS);
lexicon categories are named here, below every room that shows them. A word that reads
differently in a report and on a page (``未判定``: "Unknown" / "not judged"; ``论坛``:
"Forums" / "Forum") is kept by each catalogue, not here.
"""

from __future__ import annotations

from collections.abc import Mapping

from yuqing.domain import MEDIA_LABELS, SENTIMENT_LABELS


def _by_label(labels: Mapping[str, str], english: Mapping[str, str]) -> dict[str, str]:
    """``{labels[code]: english[code]}`` for each code of ``english`` (KeyError: unknown)."""
    return {labels[code]: text for code, text in english.items()}


#: the categories of the shipped lexicons (data/lexicons, config.py BUILTIN_LEXICONS) and
#: of the default one (``sensitive``), as shown to users
LEXICON_LABELS = {"sensitive": "敏感", "violence": "暴恐", "weapons": "涉枪涉爆",
                  "corruption": "贪腐", "livelihood": "民生", "politics": "政治",
                  "incidents": "突发事件"}

SENTIMENT_EN = _by_label(SENTIMENT_LABELS, {
    "negative": "Negative", "neutral": "Neutral", "positive": "Positive"})
MEDIA_EN = _by_label(MEDIA_LABELS, {
    "news": "News sites", "weibo": "Weibo", "wechat": "WeChat", "video": "Video",
    "gov": "Government", "other": "Other"})
LEXICON_EN = _by_label(LEXICON_LABELS, {
    "sensitive": "sensitive", "violence": "violence and terror",
    "weapons": "guns and explosives", "corruption": "corruption", "livelihood": "livelihood",
    "politics": "politics", "incidents": "Incident"})


def lexicon_label(category: str, lang: str) -> str:
    """Return how a lexicon ``category`` reads in ``lang`` ("zh" or "en"): the shipped
    categories' label; a category of the office's own lexicon as the office named it."""
    label = LEXICON_LABELS.get(category, category)
    return LEXICON_EN.get(label, category) if lang == "en" else label


#: report kinds (reports/model.py KIND_LABELS), on the reports page and in reports
REPORT_KIND_EN = {"日报": "Daily report", "周报": "Weekly report", "月报": "Monthly report",
                  "专报": "Special report", "处置总结": "Case review"}
#: column and section headings of report tables and of the pages' lists
HEADING_EN = {"媒体分布": "Media", "媒体类型": "Media type", "关键词": "Keywords",
              "时间": "Time", "期间": "Period", "来源": "Source", "作者": "Author",
              "标题": "Title", "情感": "Sentiment", "说明": "Note"}
#: the words both catalogues take (the pages take LEXICON_EN too; reports show no category)
SHARED_EN = {**SENTIMENT_EN, **MEDIA_EN, **REPORT_KIND_EN, **HEADING_EN}
