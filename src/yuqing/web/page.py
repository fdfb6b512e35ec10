"""The watch page as server-rendered HTML (Simplified Chinese)."""

from __future__ import annotations

from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from yuqing.domain import Alert, Item

SENTIMENT_ZH = {"negative": "负面", "neutral": "中性", "positive": "正面"}

_STYLE = """
body{font-family:"Noto Sans SC","Microsoft YaHei",sans-serif;margin:0;background:#f4f5f7;color:#222}
header{background:#b71c1c;color:#fff;padding:12px 24px}header h1{margin:0;font-size:20px}
main{padding:16px 24px;display:grid;grid-template-columns:1fr 2fr;gap:16px}
section{background:#fff;border-radius:6px;padding:12px 16px;box-shadow:0 1px 2px #0002}
.stats{grid-column:1/3;display:flex;gap:24px}.stat b{display:block;font-size:24px}
.neg{color:#b71c1c}.pos{color:#2e7d32}.term{background:#ffe082;padding:0 2px}
ul{list-style:none;padding:0;margin:0}li{border-bottom:1px solid #eee;padding:6px 0;font-size:14px}
small{color:#666}form input{width:60%;padding:4px}
"""


def _item_html(it: Item, tz: ZoneInfo) -> str:
    label = SENTIMENT_ZH.get(it.sentiment or "", "")
    css = "neg" if it.sentiment == "negative" else "pos" if it.sentiment == "positive" else ""
    terms = "".join(f' <span class="term">{escape(t.term)}</span>' for t in it.sensitive_terms[:5])
    schemes = escape("、".join(it.schemes))
    when = it.published_at.astimezone(tz).strftime("%m-%d %H:%M")
    return (f'<li><small>{when} · {escape(it.source)} · {schemes}</small> '
            f'<span class="{css}">{label}</span>{terms}<br>{escape((it.title or it.text)[:120])}</li>')


def render_home(stats: dict[str, Any], alerts: list[Alert], items: list[Item], *,
                query: str, tz: str) -> str:
    """Return the whole watch page: counts, newest alerts, newest (or found) items."""
    zone = ZoneInfo(tz)
    labels = [("items", "条目"), ("negative", "负面"), ("sensitive", "敏感"), ("matched", "命中方案"),
              ("duplicates", "重复"), ("alerts", "预警")]
    stat_html = "".join(f'<div class="stat"><b>{stats.get(k, 0)}</b>{v}</div>' for k, v in labels)
    alert_html = "".join(
        f"<li><small>{a.created_at.astimezone(zone):%m-%d %H:%M} · {escape(a.level)}级</small><br>"
        f"{escape(a.title)}</li>" for a in alerts) or "<li>暂无预警</li>"
    item_html = "".join(_item_html(it, zone) for it in items) or "<li>暂无条目</li>"
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>舆情监测 Yuqing</title><style>{_STYLE}</style></head><body>
<header><h1>舆情监测 · Yuqing</h1></header><main>
<section class="stats">{stat_html}</section>
<section><h2>最新预警</h2><ul>{alert_html}</ul></section>
<section><h2>最新条目</h2><form><input name="q" value="{escape(query)}" placeholder="搜索，如 警察">
<button>搜索</button></form><ul>{item_html}</ul></section>
</main></body></html>"""
