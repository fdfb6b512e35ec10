"""Origin tracing (溯源) and the propagation tree of one event.

Each member's parent is, first that applies: its ``parent_id`` (or
``root_id``) in the same source; a Weibo status URL in its text (numeric or
base-62 id, docs/FIELD_CASES.md F12); the nearest ``//@name:`` of its repost chain
(``item.repost_chain``), i.e. the latest earlier member written by
that author, else a placeholder node ``@name`` chained to the next quoted
name. A parent that is not a member stays a **placeholder** node (collected
False), never dropped.

The origin is the earliest member that has no parent. Confidence, ours:

* 1.0 -- the event is that single item;
* 0.9 -- the origin has reposts/replies among the members and nothing is earlier;
* 0.7 -- nothing links to the origin (it was grouped by text similarity only);
* 0.5 -- an earlier member reposts something that was not collected (the true
  origin may be that missing post; it is named in ``upstream``);
* 0.6 / 0.4 -- no member is a root: the origin is the placeholder whose tree
  holds all (0.6) or most (0.4) members, reported as not collected (F12: a
  repost is never mistaken for the origin).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from yuqing.domain import Item
from yuqing.pipeline.weibo_ids import mid_from_url, mid_to_short

_WEIBO_URL = re.compile(r"(?:https?://)?(?:[\w-]+\.)?weibo\.(?:com|cn)/[^\s\"'<>，。]+")
AMPLIFIERS = 5


@dataclass
class Node:
    """A node of the propagation tree: a member item, or a placeholder (``item`` None)."""

    key: str
    item: Item | None = None
    parent: str | None = None
    children: list[str] = field(default_factory=list)
    depth: int = 0
    descendants: int = 0

    @property
    def collected(self) -> bool:
        """True when the node is a collected member item."""
        return self.item is not None

    def as_dict(self) -> dict[str, Any]:
        """JSON shape: key, collected, id, short_id (Weibo), author, source, media_type,
        published_at, depth, descendants."""
        it = self.item
        raw_id = it.id if it else self.key.split(":", 1)[-1]
        short = mid_to_short(raw_id) if raw_id and raw_id.isdigit() else None
        return {"key": self.key, "collected": self.collected, "id": raw_id, "short_id": short,
                "author": it.author if it else None, "source": it.source if it else None,
                "media_type": it.media_type if it else None,
                "published_at": it.published_at.isoformat() if it else None,
                "depth": self.depth, "descendants": self.descendants}


@dataclass
class Propagation:
    """The traced event: nodes by key, the origin with its confidence, tree measures."""

    nodes: dict[str, Node]
    origin: Node
    confidence: float
    reason: str
    upstream: str | None
    depth: int
    breadth: int
    amplifiers: list[Node]
    first_by_media: dict[str, datetime]

    def edges(self) -> list[dict[str, str]]:
        """Return every parent link as ``{"from": parent key, "to": child key}``."""
        return [{"from": n.parent, "to": k} for k, n in self.nodes.items() if n.parent]


def _parent_key(item: Item, by_author: dict[str, list[Item]]) -> tuple[str | None, list[str]]:
    """Return (parent key, placeholder chain of ``@name`` keys from the parent upward)."""
    ref = item.parent_id or item.root_id
    if ref:
        return f"{item.source}:{ref}", []
    if "weibo." in item.text:
        for url in _WEIBO_URL.findall(item.text):
            mid = mid_from_url(url)
            if mid and mid != item.id:
                return f"{item.source}:{mid}", []
    names = item.repost_chain
    for i, name in enumerate(names):
        earlier = [m for m in by_author.get(name, ()) if m.published_at <= item.published_at
                   and m.key != item.key]
        if earlier:
            source = max(earlier, key=lambda m: m.published_at).key
            if i == 0:
                return source, []
            return "@" + names[0], ["@" + n for n in names[:i]] + [source]
    return ("@" + names[0], ["@" + n for n in names]) if names else (None, [])


def _link(nodes: dict[str, Node], child: str, parent: str) -> None:
    node = nodes.setdefault(parent, Node(parent))
    nodes[child].parent = parent
    node.children.append(child)


def _build(members: list[Item]) -> dict[str, Node]:
    nodes = {m.key: Node(m.key, m) for m in members}
    by_author: dict[str, list[Item]] = defaultdict(list)
    for m in members:
        if m.author:
            by_author[m.author].append(m)
    for m in members:
        parent, chain = _parent_key(m, by_author)
        if parent is None or parent == m.key:
            continue
        _link(nodes, m.key, parent)
        for child, up in zip(chain, chain[1:], strict=False):
            node = nodes.setdefault(child, Node(child))
            if node.parent is None and (up not in nodes or _top(nodes, up) != child):
                _link(nodes, child, up)
    return nodes


def _measure(nodes: dict[str, Node]) -> tuple[int, int]:
    """Set depth and descendants of every node (cycles are cut); return (depth, breadth)."""
    order: list[Node] = []
    roots = [n for n in nodes.values() if n.parent is None or n.parent not in nodes]
    seen: set[str] = set()
    stack = [(r, 0) for r in roots]
    while stack:
        node, depth = stack.pop()
        if node.key in seen:
            continue
        seen.add(node.key)
        node.depth = depth
        order.append(node)
        stack.extend((nodes[c], depth + 1) for c in node.children if c not in seen)
    for node in reversed(order):
        node.descendants = sum(1 + nodes[c].descendants for c in node.children if c in seen)
    levels = Counter(n.depth for n in order)
    return max(levels, default=0), max(levels.values(), default=0)


def trace(members: list[Item]) -> Propagation:
    """Return the propagation tree and origin of an event with ``members`` (module doc).

    Raises ValueError when ``members`` is empty."""
    if not members:
        raise ValueError("an event without items has no origin")
    nodes = _build(members)
    depth, breadth = _measure(nodes)
    roots = sorted((n for n in nodes.values() if n.item is not None and n.parent is None),
                   key=lambda n: n.item.published_at if n.item else datetime.max)
    earliest = min(members, key=lambda m: m.published_at)
    upstream = None
    if roots:
        origin = roots[0]
        assert origin.item is not None
        if len(members) == 1:
            confidence, reason = 1.0, "仅一条信息"
        elif earliest.published_at < origin.item.published_at:
            upstream = _top(nodes, earliest.key)
            confidence, reason = 0.5, "更早的一条信息转发了未采集到的原帖"
        elif origin.descendants:
            confidence, reason = 0.9, "最早的信息，其余信息转发或回复了它"
        else:
            confidence, reason = 0.7, "最早的信息；其余信息仅因内容相似归入"
    else:
        tops = Counter(_top(nodes, m.key) for m in members)
        top, count = tops.most_common(1)[0]
        origin = nodes[top]
        confidence = 0.6 if count == len(members) else 0.4
        reason = "采集到的信息都转发自未采集到的原帖"
    media: dict[str, datetime] = {}
    for m in members:
        if m.media_type not in media or m.published_at < media[m.media_type]:
            media[m.media_type] = m.published_at
    ranked = sorted((n for n in nodes.values() if n is not origin and n.descendants),
                    key=lambda n: -n.descendants)
    return Propagation(nodes, origin, confidence, reason, upstream, depth, breadth,
                       ranked[:AMPLIFIERS], media)


def _top(nodes: dict[str, Node], key: str) -> str:
    """Return the key of the topmost ancestor of ``key`` (cycles stop the walk)."""
    seen = {key}
    while (parent := nodes[key].parent) is not None and parent in nodes and parent not in seen:
        seen.add(parent)
        key = parent
    return key
