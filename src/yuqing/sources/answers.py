"""Reading answers whose shape we expect but do not control (hot lists, search feeds).

Platforms change their answers without notice, and a blocked request often gets
an HTML page (a login wall, a captcha) with HTTP 200. :func:`html_page` says so,
quoting the page's title. A hot-list reader walks the answer with
:func:`dig` and :func:`items_at`, which raise :class:`ShapeError` naming the
platform and the missing or mistyped field (``"weibo: data.realtime missing"``,
``"zhihu: data[3].target.title missing"``), so the source's health says what
changed, and the poll stores nothing from that answer (never half-parsed items).
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from yuqing.domain import BadInput

_HTML_START = re.compile(rb"(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)[\s>]", re.DOTALL)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
#: a number, optionally followed by 万 (10^4) or 亿 (10^8): "1524 万热度", "285.2万", "32561287"
_HEAT = re.compile(r"(\d+(?:\.\d+)?)\s*(万|亿)?")
_UNITS = {"万": 1e4, "亿": 1e8, None: 1.0}


class ShapeError(BadInput):
    """A hot-list answer that is not in the shape its reader expects.

    The message is ``"<platform>: <what>"`` (BadInput's ``origin: problem``).
    """


def load_json(body: bytes, where: str) -> Any:
    """Return the JSON document of ``body``.

    Raises ShapeError naming ``where`` when the body is empty, is an HTML page (a login
    wall, a captcha or an error page: its ``<title>`` is quoted) or is not JSON.
    """
    text = body.strip()
    if not text:
        raise ShapeError(f"{where}: the answer is empty")
    try:
        return json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        page = html_page(text)
        if page:
            raise ShapeError(f"{where}: {page}, not JSON") from None
        raise ShapeError(f"{where}: the answer is not JSON ({exc})") from None


def html_page(body: bytes) -> str | None:
    """Describe ``body`` when it is an HTML page (``<!DOCTYPE html``, ``<html`` or
    ``<head``/``<body`` first): "the answer is an HTML page ('<its title>') (a login
    wall, a captcha or an error page?)"; None for anything else."""
    head = body.lstrip()[:512].lower()
    if not _HTML_START.match(head):
        return None
    found = _TITLE.search(body[:65536])
    named = f" ({page_title(found.group(1))!r})" if found else ""
    return f"the answer is an HTML page{named} (a login wall, a captcha or an error page?)"


def page_title(raw: bytes) -> str:
    """Return the text of a ``<title>`` (entities resolved, spaces collapsed, 60 chars)."""
    text = html.unescape(raw.decode("utf-8", errors="replace"))
    return " ".join(text.split())[:60]


def dig(node: Any, path: str, where: str, prefix: str = "") -> Any:
    """Return the value at dotted ``path`` in ``node`` (digits index lists).

    ``prefix`` names ``node`` itself in messages (``"data.realtime[3]"``). Raises
    ShapeError ``"<where>: <prefix.path> missing"`` at the first step that is not there.
    """
    done = prefix
    for part in path.split("."):
        indexed = isinstance(node, list)
        done = f"{done}[{part}]" if indexed else (f"{done}.{part}" if done else part)
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif indexed and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise ShapeError(f"{where}: {done} missing")
    return node


def items_at(doc: Any, path: str, where: str) -> list[Any]:
    """Return the list at ``path`` of ``doc`` (``""``: ``doc`` itself).

    Raises ShapeError when it is missing, is not a list, or is empty (an empty hot
    list is a changed or refused answer, never a list everyone has left).
    """
    found = dig(doc, path, where) if path else doc
    name = path or "the answer"
    if not isinstance(found, list):
        raise ShapeError(f"{where}: {name} is not a list (got {type(found).__name__})")
    if not found:
        raise ShapeError(f"{where}: {name} is empty")
    return found


def text_at(node: Any, path: str, where: str, prefix: str) -> str:
    """Return the non-empty string (or number, as text) at ``path``; ShapeError otherwise."""
    value = dig(node, path, where, prefix)
    name = f"{prefix}.{path}" if prefix else path
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ShapeError(f"{where}: {name} is not text (got {type(value).__name__})")
    text = str(value).strip()
    if not text:
        raise ShapeError(f"{where}: {name} is empty")
    return text


def parse_heat(value: Any) -> float | None:
    """Return the heat figure of ``value``: a number as is; in text the first number,
    times 10^4 for 万 and 10^8 for 亿 (``"1524 万热度"`` -> 15240000.0); None when there
    is none (``None``, ``""``, ``"热"``)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    found = _HEAT.search(str(value).replace(",", ""))
    if found is None:
        return None
    return float(found.group(1)) * _UNITS[found.group(2)]


def title_key(title: str) -> str:
    """Return the topic key of a platform without topic ids: the title NFKC-normalised,
    spaces collapsed and ``#`` tags' marks dropped (``"#青山县 暴雨#"`` -> ``"青山县 暴雨"``)."""
    return " ".join(unicodedata.normalize("NFKC", title).strip("#").split())
