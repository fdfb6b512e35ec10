"""Repost and reply threads: walking parent links up to the origin of an item.

A parent is looked up in the same source (key ``source:parent_id``). When a
parent was never collected, the walk ends on a placeholder node "not
collected" that keeps the parent's id (and, for Weibo, its base-62 short
id), so the item that pointed at it is never mistaken for the origin
(docs/FIELD_CASES.md F12).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yuqing.domain import Item
from yuqing.pipeline.weibo_ids import mid_to_short
from yuqing.store import Store, item_to_json

#: longest parent chain followed (guards against cycles in bad data)
MAX_DEPTH = 100


@dataclass(frozen=True)
class ThreadNode:
    """A node of a thread: a stored item, or a parent that was not collected.

    ``depth`` counts the parent links walked from the item asked about.
    """

    source: str
    id: str | None
    depth: int
    item: Item | None = None

    @property
    def collected(self) -> bool:
        """True when the node is a stored item."""
        return self.item is not None

    def as_dict(self) -> dict[str, Any]:
        """JSON shape: ``{"id", "source", "collected", "depth", "short_id", "item"}``."""
        return {"id": self.id, "source": self.source, "collected": self.collected,
                "depth": self.depth, "short_id": _short_id(self.id),
                "item": item_to_json(self.item) if self.item else None}


def _short_id(mid: str | None) -> str | None:
    """The Weibo base-62 short id of a numeric mid, else None."""
    return mid_to_short(mid) if mid and mid.isdigit() else None


def trace_origin(store: Store, item: Item, max_depth: int = MAX_DEPTH) -> ThreadNode:
    """Return the first node of ``item``'s thread: the item itself when it has no
    parent, the topmost stored ancestor, or a placeholder for a parent that was
    not collected. Stops after ``max_depth`` links (a cycle) at the last item seen."""
    node = ThreadNode(item.source, item.id, 0, item)
    seen = {item.key}
    while node.item is not None and node.item.parent_id and node.depth < max_depth:
        parent_key = f"{node.source}:{node.item.parent_id}"
        if parent_key in seen:
            break
        seen.add(parent_key)
        parent = store.get_item(parent_key)
        node = ThreadNode(node.source, node.item.parent_id, node.depth + 1, parent)
    return node
