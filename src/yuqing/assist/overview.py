"""A 综述 paragraph of a briefing drafted by the language model (``[llm]``), under the
citation rule of assist/summary.py.

The model gets the report's title and period and its typical posts, numbered by their
``ref`` in the report (posts a case links are withheld), and writes 3-5 sentences, each
citing the posts it rests on. A sentence whose cited posts do not support it is dropped
and counted, as for event summaries. The paragraph is added to the report's summary,
marked as machine-drafted for review, so every format shows it; its sentences cite the
report's own numbers, whose items and hashes are in the report's evidence. A failing
endpoint leaves the report as it would be without ``[llm]`` (logged).
"""

from __future__ import annotations

import logging
import time
from typing import Any
from zoneinfo import ZoneInfo

from yuqing.assist.chat import ChatClient, ChatError
from yuqing.assist.summary import SupportCheck, check_sentences, summary_text
from yuqing.config import Config
from yuqing.domain import Item
from yuqing.pipeline.keywords import KeywordExtractor
from yuqing.reports.model import Report
from yuqing.store import Store

log = logging.getLogger(__name__)

SYSTEM = (
    "你是舆情简报助手。根据用户给出的典型信息写一段综述：3至5句话，概括本期主要舆情及各方"
    "说法。每句话末尾用方括号写出它所依据的典型信息编号，如[1][2]。只写典型信息里有的内容，"
    "不写统计数字，不评论，不建议，不加标题。"
)
LABEL = "【综述 · 大模型起草，待审核】"


def _prompt(report: Report, posts: dict[str, Item]) -> str:
    scheme = f"（监测方案：{report.scheme}）" if report.scheme else ""
    lines = [f"简报：{report.title} {report.period_label}{scheme}", "", "典型信息："]
    zone = ZoneInfo(report.tz)
    lines += [f"[{ref}] {it.published_at.astimezone(zone).strftime('%Y-%m-%d %H:%M')} "
              f"{it.author or it.source}：{' '.join(it.text.split())[:200]}"
              for ref, it in posts.items()]
    return "\n".join(lines)


def add_overview(report: Report, config: Config, store: Store) -> dict[str, Any] | None:
    """Add the drafted 综述 paragraph to ``report.summary`` and its record (``text``,
    ``sentences`` citing post refs, ``dropped``, ``model``, ``seconds``, ``prompt``) to
    ``report.data["llm_overview"]``; return the record. Does nothing (None) without
    ``[llm]``, for a zero report, without a post that may be sent, or when the endpoint
    fails."""
    if config.llm is None or report.zero or not report.posts:
        return None
    withheld = store.cases.linked_items([p.key for p in report.posts])
    posts = {str(p.ref): item for p in report.posts
             if p.key not in withheld and (item := store.get_item(p.key)) is not None}
    if not posts:
        return None
    prompt = _prompt(report, posts)
    started = time.monotonic()
    try:
        answer = ChatClient(config.llm).complete([{"role": "system", "content": SYSTEM},
                                                  {"role": "user", "content": prompt}])
    except ChatError as exc:
        log.warning("briefing overview not drafted: %s", exc)
        return None
    seconds = round(time.monotonic() - started, 3)
    check = SupportCheck(KeywordExtractor.from_config(config))
    kept, dropped = check_sentences(answer, posts, check)
    refs = {it.key: ref for ref, it in posts.items()}
    text = summary_text(kept, dropped, lambda keys: "".join(f"[{refs[k]}]" for k in keys))
    paragraph = LABEL + text
    record: dict[str, Any] = {"text": paragraph, "sentences": [s.as_dict() for s in kept],
              "dropped": dropped, "model": config.llm.model, "seconds": seconds,
              "prompt": f"{SYSTEM}\n\n{prompt}"}
    if kept:
        report.summary.append(paragraph)
    report.data["llm_overview"] = record
    return record
