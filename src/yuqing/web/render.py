"""Jinja2 set-up of the pages: templates, filters (local time, highlighting), page context.

``highlight(text, hits, words)`` marks sensitive-term hits (offsets into the
original text) with ``<mark class="hl-s">`` and scheme words with
``<mark class="hl-k">``; everything else is HTML-escaped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from yuqing.config import Config
from yuqing.domain import MEDIA_LABELS, SENTIMENT_LABELS, SENTIMENTS, Item, TermHit
from yuqing.time_range import local_time
from yuqing.web.i18n import pick_lang, translator
from yuqing.web.labels import OPTION_VALUES, labeller
from yuqing.web.messages import localize


def web_dir(name: str) -> Path:
    """Return the packaged folder ``yuqing/web/<name>`` (templates or static)."""
    return Path(str(resources.files("yuqing") / "web" / name))


def highlight(text: str, hits: Sequence[TermHit], words: Iterable[str] = ()) -> Markup:
    """Return ``text`` escaped, with ``hits`` and every occurrence of ``words`` marked."""
    spans: list[tuple[int, int, str]] = [(h.start, h.end, "hl-s") for h in hits
                                         if 0 <= h.start < h.end <= len(text)]
    for word in words:
        at = text.find(word) if word else -1
        while at >= 0:
            spans.append((at, at + len(word), "hl-k"))
            at = text.find(word, at + len(word))
    out, pos = [], 0
    for start, end, css in sorted(spans):
        if start < pos:
            continue
        out.append(escape(text[pos:start]))
        out.append(Markup(f'<mark class="{css}">') + escape(text[start:end]) + Markup("</mark>"))
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


@pass_context
def labelled(context: Context, rows: Mapping[str, Any] | Sequence[dict[str, Any]], kind: str,
             field: str = "name") -> list[Any]:
    """Jinja filter: chart data with code values shown as labels (web/labels.py) in the
    page's language: a mapping ``{code: n}`` becomes ``[[label, n], ...]``; a list of dicts
    gets its ``field`` replaced."""
    show = context["L"]
    if isinstance(rows, Mapping):
        return [[show(kind, k), v] for k, v in sorted(rows.items())]
    return [{**r, field: show(kind, r[field])} for r in rows]


@pass_context
def localized(context: Context, message: str) -> str:
    """Jinja filter: a check's English ``message`` in the page's language (web/messages.py)."""
    return localize(message, context["lang"])


@pass_context
def labelled_graph(context: Context, graph: dict[str, Any]) -> dict[str, Any]:
    """Jinja filter: the propagation graph (views.graph_data) with its categories (media
    types, ``uncollected``) shown as labels in the page's language."""
    show = context["L"]
    return {**graph, "categories": [show("graph", c) for c in graph["categories"]],
            "nodes": [{**n, "category": show("graph", n["category"])} for n in graph["nodes"]]}


class Pages:
    """Renders templates for one config (zone, scheme words)."""

    def __init__(self, config: Config) -> None:
        self.zone = ZoneInfo(config.timezone)
        self.scheme_words = {s.name: [w for w in s.subject_words if len(w) >= 2]
                             for s in config.schemes}
        self.templates = Jinja2Templates(directory=str(web_dir("templates")))
        env = self.templates.env
        env.filters["localtime"] = self.localtime
        env.filters["labelled"] = labelled
        env.filters["labelled_graph"] = labelled_graph
        env.filters["localized"] = localized
        env.filters["tojson_attr"] = lambda v: json.dumps(v, ensure_ascii=False, default=str)
        env.globals["mark"] = self.mark
        env.globals["SENTIMENT"] = {k: SENTIMENT_LABELS[k] for k in SENTIMENTS}
        env.globals["MEDIA"] = MEDIA_LABELS
        env.globals["OPTION_VALUES"] = OPTION_VALUES

    def localtime(self, value: datetime | str | None) -> str:
        """Return ``value`` (aware datetime or ISO text) in the office zone, as every page
        shows a moment (time_range.local_time: ``2023-11-15 06:13 (+08:00)``)."""
        if value is None:
            return ""
        return local_time(datetime.fromisoformat(value) if isinstance(value, str) else value,
                          self.zone)

    def mark(self, item: Item, limit: int | None = None) -> Markup:
        """Return the item's text highlighted (sensitive terms, words of its schemes)."""
        words = {w for s in item.schemes for w in self.scheme_words.get(s, ())}
        text = item.text if limit is None else item.text[:limit]
        return highlight(text, item.sensitive_terms, sorted(words, key=len, reverse=True))

    def render(self, request: Request, name: str, *, status: int = 200,
               **context: Any) -> HTMLResponse:
        """Return the template ``name`` with the language, user and CSRF token of the request
        (HTTP ``status``, 200 unless told)."""
        lang = pick_lang(request)
        user = getattr(request.state, "user", None)
        translate = translator(lang)
        base = {"_": translate, "L": labeller(translate), "lang": lang, "user": user,
                "csrf": (user or {}).get("csrf", ""), "path": request.url.path}
        return self.templates.TemplateResponse(request, name, {**base, **context},
                                               status_code=status)
