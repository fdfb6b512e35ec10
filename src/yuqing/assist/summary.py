"""Event summaries written by a language model, every sentence checked against its items.

The prompt (:func:`build_prompt`, Chinese) gives the event's title, first and latest
time, size, places and media, and up to ``[llm] max_items`` of its items
(:func:`choose_items`), numbered ``[1]``..``[n]`` with time, media, author and text.
Items a case links are never sent (they are case material; petitions reach the store
only as cases and their links), nor duplicates. The model is asked for 3-5 sentences
(what happened, where, since when, who is saying what, what is new in the last hour),
each ending with the numbers of the items it rests on.

Each sentence of the answer (:func:`split_answer`) is kept only when it cites at least
one item that was sent and shares at least one key term with the items it cites
(:class:`SupportCheck`: the keyword candidates of pipeline/keywords.py, i.e. segmenter
words of two or more characters that are not stop words, on the normalised simplified
text); otherwise it is dropped and counted. At most MAX_SENTENCES are kept. The stored
text (:func:`summary_text`) ends each sentence with the keys of its items and says how
many sentences were dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from yuqing.domain import MEDIA_LABELS, Item
from yuqing.pipeline.keywords import KeywordExtractor
from yuqing.pipeline.textnorm import normalize_text

MAX_SENTENCES = 5
#: characters of an item's text sent in the prompt
QUOTE_CHARS = 200
#: a sentence needs this many key terms in common with the items it cites (issue 18:
#: "a sentence whose cited items do not support it (no shared key terms) is dropped")
MIN_SHARED_TERMS = 1
RECENT = timedelta(hours=1)

SYSTEM = (
    "你是舆情分析助手。只根据用户给出的条目写事件摘要：3至5句话，依次说明发生了什么、"
    "在哪里、从何时开始、谁在说什么、最近一小时有什么新情况。每句话末尾用方括号写出它所依据"
    "的条目编号，如[1][3]。不写条目里没有的内容，不评论，不建议，不加标题。"
)

_ENDS = "。！？!?"
_CITE = re.compile(r"[\[【［]([^\]】］\n]{1,80})[\]】］]")
_CITES_AFTER_END = re.compile(rf"([{_ENDS}])\s*((?:{_CITE.pattern}\s*)+)")
_LIST_MARK = re.compile(r"^\s*(?:\d{1,2}[.、)）]|[-*•])\s*", re.M)
_REF_SPLIT = re.compile(r"[,，、;；\s]+")
_NUMBER = re.compile(r"(?:条目|#)?(\d{1,3})(?:\s*[-–~至]\s*(\d{1,3}))?")
_NOT_TEXT = re.compile(rf"[\s{_ENDS}，,；;：:]+")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a summary and the keys of the stored items it cites."""

    text: str
    keys: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """Return ``{"text", "keys"}`` (JSON-ready)."""
        return {"text": self.text, "keys": list(self.keys)}


def engagement(item: Item) -> int:
    """Return reposts + comments + likes of ``item`` (missing counts are 0)."""
    return (item.reposts or 0) + (item.comments or 0) + (item.likes or 0)


def choose_items(members: Iterable[Item], withheld: Collection[str], limit: int) -> list[Item]:
    """Return at most ``limit`` items of an event to send, oldest first: the first one,
    those of the last hour (up to a third of ``limit``), then the most engaged. Items in
    ``withheld`` (keys a case links) and duplicates are never chosen."""
    usable = sorted((m for m in members if m.key not in withheld and m.duplicate_of is None),
                    key=lambda m: m.published_at)
    if len(usable) <= limit:
        return usable
    chosen = {usable[0].key: usable[0]}
    newest = usable[-1].published_at
    for item in reversed(usable):
        if len(chosen) >= max(2, limit // 3) or item.published_at < newest - RECENT:
            break
        chosen.setdefault(item.key, item)
    for item in sorted(usable, key=lambda m: (-engagement(m), m.published_at)):
        if len(chosen) >= limit:
            break
        chosen.setdefault(item.key, item)
    return sorted(chosen.values(), key=lambda m: m.published_at)


def _local(value: datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _mix(counts: Mapping[str, int], labels: Mapping[str, str] | None = None) -> str:
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:5]
    return "、".join(f"{(labels or {}).get(k, k)}{n}条" for k, n in ranked) or "无"


def build_prompt(event: Mapping[str, Any], items: list[Item], tz: str) -> str:
    """Return the user message about ``event`` (analytics/event_report.py ``event_summary``
    shape) with ``items`` numbered from 1; items of the last hour before the newest one are
    marked 最近一小时."""
    zone = ZoneInfo(tz)
    newest = max((it.published_at for it in items), default=None)
    places = _mix(event.get("places") or {})
    media = _mix(event.get("media") or {}, MEDIA_LABELS)
    lines = [f"事件：{event['title']}",
             f"首条时间：{_local(datetime.fromisoformat(event['first_at']), zone)}；"
             f"最新时间：{_local(datetime.fromisoformat(event['last_at']), zone)}；"
             f"共{event['size']}条",
             f"地点：{places}；媒体：{media}", "", "条目："]
    for n, it in enumerate(items, 1):
        recent = "（最近一小时）" if newest and it.published_at >= newest - RECENT else ""
        who = it.author or it.source
        text = " ".join(it.text.split())
        text = text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS - 1] + "…"
        lines.append(f"[{n}] {_local(it.published_at, zone)}{recent} "
                     f"{MEDIA_LABELS.get(it.media_type, it.media_type)} {who}：{text}")
    return "\n".join(lines)


def _refs(inside: str, keys: Mapping[str, str]) -> list[str | None]:
    """Return what one bracket cites: item keys (by number or by key), None for a number
    or word that names no item sent."""
    out: list[str | None] = []
    for token in filter(None, _REF_SPLIT.split(inside.strip())):
        if token in keys.values():
            out.append(token)
            continue
        m = _NUMBER.fullmatch(token)
        if m is None:
            out.append(None)
            continue
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        out += [keys.get(str(n)) for n in range(first, min(last, first + 50) + 1)]
    return out


def split_answer(answer: str, keys: Mapping[str, str]) -> list[tuple[str, list[str | None]]]:
    """Return the sentences of ``answer`` with what each cites: ``(text without its
    citations, [key or None per cited token])``. ``keys`` maps the numbers of the prompt
    ("1") to item keys; a citation may also give a key itself. Citations written after a
    sentence's end mark belong to that sentence; list marks (``1.``, ``-``) are removed."""
    text = _LIST_MARK.sub("", answer)
    text = _CITES_AFTER_END.sub(lambda m: m.group(2).strip() + m.group(1), text)
    out: list[tuple[str, list[str | None]]] = []
    for chunk in re.split(rf"(?<=[{_ENDS}])|\n", text):
        refs = [ref for inside in _CITE.findall(chunk) for ref in _refs(inside, keys)]
        body = " ".join(_CITE.sub("", chunk).split())
        if _NOT_TEXT.sub("", body):
            out.append((body, refs))
    return out


class SupportCheck:
    """Whether the items a sentence cites support it: they share at least MIN_SHARED_TERMS
    key terms (module doc). ``extractor`` gives the terms (built from the config, so the
    user dictionaries of ``[segment]`` keep their words whole)."""

    def __init__(self, extractor: KeywordExtractor) -> None:
        self.extractor = extractor

    def terms(self, text: str) -> set[str]:
        """Return the key terms of ``text`` (normalised and simplified first)."""
        return set(self.extractor.candidates(normalize_text(text)[0]))

    def supported(self, sentence: str, cited: Iterable[Item]) -> bool:
        """Return True when ``sentence`` shares enough key terms with the ``cited`` items."""
        theirs: set[str] = set()
        for item in cited:
            theirs |= self.terms(item.match_text)
        return len(self.terms(sentence) & theirs) >= MIN_SHARED_TERMS


def numbered(items: Iterable[Item]) -> dict[str, Item]:
    """Return ``items`` by their number in a prompt: ``{"1": first, "2": second, ...}``."""
    return {str(n): it for n, it in enumerate(items, 1)}


def check_sentences(answer: str, sent: Mapping[str, Item],
                    check: SupportCheck) -> tuple[list[Sentence], int]:
    """Return ``(kept sentences, number dropped)`` of ``answer`` about the ``sent`` items
    (by their number in the prompt): a sentence citing no item sent, or one its cited
    items do not support, is dropped; beyond MAX_SENTENCES kept, the rest are cut."""
    by_number = {n: it.key for n, it in sent.items()}
    by_key = {it.key: it for it in sent.values()}
    kept: list[Sentence] = []
    dropped = 0
    for body, refs in split_answer(answer, by_number):
        keys = tuple(dict.fromkeys(r for r in refs if r is not None))
        if not keys or not check.supported(body, [by_key[k] for k in keys]):
            dropped += 1
        elif len(kept) < MAX_SENTENCES:
            kept.append(Sentence(body, keys))
    return kept, dropped


def cite_keys(keys: tuple[str, ...]) -> str:
    """Return the citation of an event summary's sentence: ``[key, key]``."""
    return f"[{', '.join(keys)}]"


def summary_text(kept: list[Sentence], dropped: int,
                 cite: Callable[[tuple[str, ...]], str] = cite_keys) -> str:
    """Return the summary as shown: each sentence followed by the citation of its items
    (``cite``), then, when sentences were dropped, how many."""
    parts = [(s.text if s.text[-1] in _ENDS else s.text + "。") + cite(s.keys) for s in kept]
    if dropped:
        parts.append(f"（另有{dropped}句因所引条目不支持而删除。）")
    return " ".join(parts)
