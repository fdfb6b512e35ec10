"""Stored events as the JSON documents of ``yuqing events``, ``yuqing event ID`` and the API.

``event ID --json`` (docs/INTERFACES.md): ``{"id", "title", "size", "origin":
{item + "collected", "confidence", "reason", "upstream"}, "timeline": [{"t",
"count"}], "edges": [{"from", "to"}], "level", "heat", ...}`` plus
keywords, first/last time, sentiment/media/places/sources mixes, depth,
breadth, amplifiers, placeholders, the first time each media type carried
the event and the spike of its last hour.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yuqing.analytics.origin import Node, trace
from yuqing.analytics.trends import hourly_counts
from yuqing.config import EventsConfig
from yuqing.pipeline.heat import LEVEL_NAMES
from yuqing.pipeline.spikes import spike
from yuqing.store import Store, item_to_json


def event_summary(row: dict[str, Any]) -> dict[str, Any]:
    """Return the list form of one ``events`` row: id, title, size, heat, level, times,
    keywords and the sentiment/media/places/sources mixes."""
    counts = row["state"].get("counts", {})
    return {"id": row["id"], "title": row["title"], "size": row["size"],
            "heat": row["heat"], "level": row["level"], "level_name": LEVEL_NAMES[row["level"]],
            "first_at": row["first_at"].isoformat(), "last_at": row["last_at"].isoformat(),
            "keywords": row["keywords"], "sentiment": counts.get("sentiment", {}),
            "media": counts.get("media", {}), "places": counts.get("places", {}),
            "sources": counts.get("source", {}), "representative": row["rep_key"]}


def list_events(store: Store, *, since: datetime | None = None, min_size: int = 1,
                order: str = "heat", limit: int = 50, **filters: Any) -> list[dict[str, Any]]:
    """Return stored events as summaries (filters of ``store.reports.events``: ``until``,
    ``scheme``, ``level``, ``sentiment``, ``offset``)."""
    return [event_summary(r)
            for r in store.reports.events(since, min_size, order, limit, **filters)]


def _origin_doc(node: Node, confidence: float, reason: str,
                upstream: str | None) -> dict[str, Any]:
    doc = item_to_json(node.item) if node.item is not None else node.as_dict()
    doc.update(collected=node.collected, confidence=confidence, reason=reason,
               upstream=upstream, key=node.key)
    return doc


def event_detail(store: Store, event_id: str, config: EventsConfig | None = None,
                 at: datetime | None = None) -> dict[str, Any] | None:
    """Return the full document of ``event_id`` (module doc), or None when unknown.

    The spike is measured at ``at``, default the newest event activity in the
    store (so that replayed old data is judged at its own time)."""
    config = config or EventsConfig()
    with store.snapshot() as tx:
        row = tx.reports.event(event_id)
        if row is None:
            return None
        members = tx.reports.event_members(event_id)
        newest = tx.reports.events(order="last_at", limit=1)
    doc = event_summary(row)
    if not members:
        return {**doc, "origin": None, "timeline": [], "edges": []}
    prop = trace(members)
    times = [m.published_at for m in members]
    ref = at or (newest[0]["last_at"] if newest else row["last_at"])
    doc.update(
        origin=_origin_doc(prop.origin, prop.confidence, prop.reason, prop.upstream),
        timeline=hourly_counts(times), edges=prop.edges(),
        depth=prop.depth, breadth=prop.breadth,
        amplifiers=[n.as_dict() for n in prop.amplifiers],
        placeholders=[n.as_dict() for n in prop.nodes.values() if not n.collected],
        first_by_media={m: t.isoformat() for m, t in sorted(prop.first_by_media.items())},
        spike=spike(times, ref, recent_hours=config.spike_recent_hours,
                    baseline_hours=config.spike_baseline_hours,
                    sensitivity=config.spike_sensitivity),
        items_shown=len(members),
    )
    return doc
