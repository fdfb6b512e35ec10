"""Evaluating the event clustering on items that carry a gold ``event_label``.

The items run, in publication order and batches of ``BATCH``, through the
stages that decide events: normalise, de-duplicate (near-duplicate and
repost links) and the ``events`` stage, in memory (no store). The same run
measures a baseline: the links alone (duplicates, reposts, replies, Weibo
URLs) with no text similarity, i.e. what the dedup stage already groups.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from yuqing.analytics.cluster_metrics import score_clusters
from yuqing.config import EventsConfig
from yuqing.domain import BadInput, Item, RawItem, RejectedItem
from yuqing.pipeline.dedup import Deduplicator
from yuqing.pipeline.events import EventClusterer
from yuqing.pipeline.normalize import Normalizer

BATCH = 1000
LABEL_FIELD = "event_label"
BASELINE_NAME = "links only (duplicates, reposts, replies; no text similarity)"


def labelled_items(raws: Iterable[RawItem | BadInput]) -> tuple[list[Item], list[str], list[str]]:
    """Normalise ``raws``; return (items in publication order, their gold labels,
    problems). A record without ``event_label`` or refused by normalisation is
    a problem naming its origin, never a stop."""
    normalizer = Normalizer()
    pairs: list[tuple[Item, str]] = []
    problems: list[str] = []
    for raw in raws:
        if isinstance(raw, BadInput):
            problems.append(str(raw))
            continue
        label = raw.extra.get(LABEL_FIELD)
        if label in (None, ""):
            problems.append(f"{raw.origin}: no {LABEL_FIELD}")
            continue
        try:
            pairs.append((normalizer.to_item(raw), str(label)))
        except RejectedItem as exc:
            problems.append(f"{raw.origin}: {exc}")
    pairs.sort(key=lambda p: p[0].published_at)
    return [p[0] for p in pairs], [p[1] for p in pairs], problems


def cluster(items: list[Item], config: EventsConfig) -> list[str]:
    """Run ``items`` (in order) through dedup and the events stage; return their event ids.

    Items are copied first, so the same list can be clustered twice."""
    fresh = [Item(**{**vars(it), "extra": dict(it.extra)}) for it in items]
    dedup, events = Deduplicator(), EventClusterer(config)
    for lo in range(0, len(fresh), BATCH):
        batch = fresh[lo : lo + BATCH]
        dedup.process(batch)
        events.process(batch)
    return [it.event_id or it.key for it in fresh]


def evaluate_events(raws: Iterable[RawItem | BadInput],
                    config: EventsConfig | None = None) -> dict[str, Any]:
    """Return the ``eval events --json`` document for ``raws``: ``n``, B-cubed
    precision/recall/F1, ``ari``, ``events`` (predicted), ``labels`` (gold),
    ``problems`` (count), and ``baseline`` ``{"name", "bcubed_f1", "ari"}``.
    Raises BadInput when no record has a label."""
    config = config or EventsConfig()
    items, gold, problems = labelled_items(raws)
    if not items:
        raise BadInput(f"no usable items with {LABEL_FIELD}: {problems[:3]}")
    pred = cluster(items, config)
    base = cluster(items, config.model_copy(update={"threshold": 10.0}))
    scores, base_scores = score_clusters(gold, pred), score_clusters(gold, base)
    doc: dict[str, Any] = {k: round(v, 4) if isinstance(v, float) else v
                           for k, v in asdict(scores).items()}
    doc.update(events=len(set(pred)), labels=len(set(gold)), problems=len(problems),
               threshold=config.threshold,
               baseline={"name": BASELINE_NAME, "bcubed_f1": round(base_scores.bcubed_f1, 4),
                         "ari": round(base_scores.ari, 4)})
    return doc


def evaluate_origins(trees: Iterable[tuple[str, list[RawItem]]],
                     config: EventsConfig | None = None) -> dict[str, Any]:
    """Return origin-tracing accuracy over ``trees``: each is (true root key, its raw items).

    Each tree's items are clustered on their own; the event holding most of
    them is traced (analytics/origin.py). Shape: ``{"trees", "correct",
    "accuracy", "collected_origin", "mean_confidence"}``; ``collected_origin``
    counts traced origins that are collected items (not placeholders)."""
    from collections import Counter

    from yuqing.analytics.origin import trace

    config = config or EventsConfig()
    normalizer = Normalizer()
    total = correct = collected = 0
    confidence = 0.0
    for root_key, raws in trees:
        items = sorted((normalizer.to_item(r) for r in raws), key=lambda it: it.published_at)
        events = cluster(items, config)
        main = Counter(events).most_common(1)[0][0]
        prop = trace([it for it, ev in zip(items, events, strict=True) if ev == main])
        total += 1
        correct += prop.origin.key == root_key
        collected += prop.origin.collected
        confidence += prop.confidence
    return {
        "trees": total,
        "correct": correct,
        "accuracy": round(correct / total, 4) if total else 0.0,
        "collected_origin": collected,
        "mean_confidence": round(confidence / total, 3) if total else 0.0,
    }
