"""Sentences of a report, filled from fixed templates and figures (never invented).

Thresholds of the suggestions are editorial defaults of this project, not
from a regulation: a negative share of 30% or more, a rise of 50% or more
over the previous period, any sensitive item, any event of level I or II,
any overdue case.
"""

from __future__ import annotations

import re
from typing import Any

from yuqing.domain import MEDIA_LABELS
from yuqing.reports.lang import translator

NEGATIVE_SHARE_ALERT = 0.30
RISE_ALERT = 0.50
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Return ``text`` without C0/C1 control characters (tab and newlines kept)."""
    return _CONTROL.sub("", text)


def quote_of(text: str, limit: int) -> str:
    """Return the quoted form of a stored text: controls removed, whitespace runs folded,
    cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(clean(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def percent(value: float) -> str:
    """Return ``value`` (a fraction) as a percentage with one decimal, e.g. ``37.5%``."""
    return f"{value * 100:.1f}%"


def change_text(now: int, before: int, lang: str = "zh") -> str:
    """Return the change against the previous period: ``上升25.0%``, ``下降10.0%``, ``持平``,
    or ``上期为0`` when there is nothing to compare with (in ``lang``)."""
    _ = translator(lang)
    if before == 0:
        return _("上期为0") if now else _("持平")
    delta = (now - before) / before
    if abs(delta) < 0.0005:
        return _("持平")
    return _("上升{p}" if delta > 0 else "下降{p}").format(p=percent(abs(delta)))


def media_list(media: list[dict[str, Any]], n: int = 3, lang: str = "zh") -> str:
    """Return the ``n`` largest media types as ``微博（4条）、论坛（1条）``."""
    _ = translator(lang)
    return _("、").join(
        _("{media}（{n}条）").format(media=_(MEDIA_LABELS.get(m["name"], m["name"])),
                                    n=m["count"]) for m in media[:n])


def overview_sentence(scope_name: str, period: str, ov: dict[str, Any], before: dict[str, Any],
                      media: list[dict[str, Any]], lang: str = "zh") -> str:
    """Return the opening paragraph of a period report."""
    _ = translator(lang)
    text = _("{period}，{scope}共监测到相关信息{n}条，环比{change}；"
             "其中负面信息{neg}条，占{share}；涉敏信息{sens}条。").format(
        period=period, scope=scope_name, n=ov["items"],
        change=change_text(ov["items"], before["items"], lang), neg=ov["negative"],
        share=percent(ov["negative_share"]), sens=ov["sensitive"])
    if media:
        text += _("信息主要来自{media}。").format(media=media_list(media, lang=lang))
    return text


def zero_sentence(scope_name: str, period: str, lang: str = "zh") -> str:
    """Return the statement of a zero report (零报告)."""
    return translator(lang)("经监测，{period}{scope}未发现相关舆情信息，特此零报告。").format(
        period=period, scope=scope_name)


def suggestions(ov: dict[str, Any], before: dict[str, Any], events: list[dict[str, Any]],
                overdue: int, lang: str = "zh") -> list[str]:
    """Return the suggestions that the figures call for (see the module docstring)."""
    _ = translator(lang)
    out: list[str] = []
    if ov["items"] and ov["negative_share"] >= NEGATIVE_SHARE_ALERT:
        out.append(_("负面信息占比{share}，建议相关责任单位及时核实情况，主动发布权威信息，"
                     "回应社会关切。").format(share=percent(ov["negative_share"])))
    if ov["sensitive"]:
        out.append(_("发现涉敏信息{n}条，建议按程序核查处置，防止扩散。").format(n=ov["sensitive"]))
    if before["items"] and (ov["items"] - before["items"]) / before["items"] >= RISE_ALERT:
        out.append(_("信息量环比{change}，建议提高监测频次，关注事态发展。").format(
            change=change_text(ov["items"], before["items"], lang)))
    for event in events:
        if event.get("level") in ("I", "II"):
            out.append(_("事件“{title}”等级为{level}级，建议启动相应响应程序。").format(
                title=event["title"], level=event["level"]))
    if overdue:
        out.append(_("有{n}件工单已超过处置时限，建议督办。").format(n=overdue))
    if not out:
        out.append(_("舆情总体平稳，建议继续保持常态化监测。"))
    return out
