"""How the events stage grows an event (``yuqing.domain.Event``) item by item.

An event keeps a centroid (the sum of its items' L2-normalised IDF vectors,
pruned to its ``MAX_TERMS`` heaviest terms), counters (sentiment, media type,
places, sources, sensitive items, engagement), the first time each media type
carried it, its representative item (the member most similar to the centroid
when it joined, among members with at least ``MIN_TITLE_CHARS`` own
characters) and its earliest item. Heat and level: pipeline/heat.py. Incidents of
the members (pipeline/incidents.py) are counted in ``counts["incident"]`` (type ->
members) and ``counts["deaths"]`` (category -> the most deaths a member reports).
"""

from __future__ import annotations

import math
from functools import lru_cache

from yuqing.config import EventLevelConfig
from yuqing.domain import Event, Item
from yuqing.pipeline.event_terms import DocumentFrequency
from yuqing.pipeline.heat import GRADED_CATEGORIES, LevelInputs, event_level, item_heat
from yuqing.pipeline.spikes import spike_test
from yuqing.pipeline.textnorm import to_simplified

MAX_TERMS = 48  # centroid terms kept per event
MAX_TOKENS = 30  # keyword candidates kept per event
MIN_TITLE_CHARS = 8
TITLE_CHARS = 80
KEYWORDS = 8
MAX_HOURS = 48  # hourly counts kept per event, for spikes
TITLE_CACHE = 4_096  # texts whose title is remembered (a merged batch: 2,000 items at most)


def own_text(item: Item) -> str:
    """Return the item's title, else its text before the first ``//@``, stripped."""
    if item.title:
        return item.title.strip()
    cut = item.text.find("//@")
    return (item.text if cut < 0 else item.text[:cut]).strip()


@lru_cache(maxsize=TITLE_CACHE)
def title_of(text: str) -> str:
    """Return an event title from an item's text: its first TITLE_CHARS characters in
    simplified characters, the language of the pages (docs/FIELD_CASES.md F20.6).

    Remembered for the last TITLE_CACHE texts: the events stage computes its batch's titles
    before the shared-state lock (``EventClusterer.prepare``) and finds them here under it.
    """
    return to_simplified(text[:TITLE_CHARS])


def add_item(event: Event, item: Item, vec: dict[str, float], score: float,
             media_weight: float, centroid: dict[str, float] | None = None
             ) -> tuple[list[str], list[str]]:
    """Count ``item`` (vector ``vec``, cosine ``score``) into ``event``; return the terms
    the centroid gained and those it lost (the caller indexes and un-indexes them).
    ``centroid``: ``event.centroid`` when the caller holds it (left unchanged)."""
    event.size += 1
    event.heat += item_heat(media_weight, item.reposts, item.comments, item.likes)
    event.negative += item.sentiment == "negative"
    event.sensitive += bool(item.sensitive_terms)
    _count(event, item)
    at = item.published_at
    if at < event.first_at:
        event.first_at, event.origin_key = at, item.key
    event.last_at = max(event.last_at, at)
    hour = int(at.timestamp()) // 3600
    event.hours[hour] = event.hours.get(hour, 0) + 1
    if len(event.hours) > MAX_HOURS:
        newest = max(event.hours)
        event.hours = {h: n for h, n in event.hours.items() if h > newest - MAX_HOURS}
    iso = at.isoformat()
    if iso < event.first_by_media.get(item.media_type, "~"):
        event.first_by_media[item.media_type] = iso
    if score > event.rep_score:
        text = own_text(item)
        if len(text) >= MIN_TITLE_CHARS:
            event.rep_key, event.rep_score, event.title = item.key, score, title_of(text)
    return _merge(event, vec, centroid)


def _count(event: Event, item: Item) -> None:
    counts = event.counts
    for name, values in (("sentiment", (item.sentiment or "none",)),
                         ("media", (item.media_type,)), ("source", (item.source,)),
                         ("places", item.places)):
        bucket = counts.setdefault(name, {})
        for value in values:
            bucket[value] = bucket.get(value, 0) + 1
    if item.incident:
        kinds = counts.setdefault("incident", {})
        kind = item.incident["type"] or item.incident["category"]
        kinds[kind] = kinds.get(kind, 0) + 1
        deaths = counts.setdefault("deaths", {})
        category = item.incident["category"]
        deaths[category] = max(deaths.get(category, 0), item.incident["casualties"]["deaths"])
    tokens = event.tokens
    for tok in item.tokens:
        if len(tok) >= 2 and not tok.isdigit():
            tokens[tok] = tokens.get(tok, 0) + 1
    if len(tokens) > 2 * MAX_TOKENS:
        event.tokens = dict(sorted(tokens.items(), key=lambda kv: -kv[1])[:MAX_TOKENS])


def _merge(event: Event, vec: dict[str, float], centroid: dict[str, float] | None
           ) -> tuple[list[str], list[str]]:
    if not event.terms:  # a new event (most events in a stream): the item's vector as it is
        cen = vec
        new = list(vec)
        if len(cen) <= MAX_TERMS:
            event.set_centroid(cen, math.sqrt(sum([w * w for w in cen.values()])) or 1.0)
            return new, []
        cen, vec = dict(vec), {}
    else:
        cen = event.centroid if centroid is None else dict(centroid)
        new = []
    for t, w in vec.items():
        old = cen.get(t)
        if old is None:
            cen[t] = w
            new.append(t)
        else:
            cen[t] = old + w
    if len(cen) <= MAX_TERMS:
        event.set_centroid(cen, math.sqrt(sum(w * w for w in cen.values())) or 1.0)
        return new, []
    ranked = sorted(cen.items(), key=lambda kv: -kv[1])
    cen = dict(ranked[:MAX_TERMS])
    event.set_centroid(cen, math.sqrt(sum(w * w for w in cen.values())) or 1.0)
    fresh = set(new)
    return ([t for t in new if t in cen],
            [t for t, _ in ranked[MAX_TERMS:] if t not in fresh])


def update_level(event: Event, table: list[EventLevelConfig]) -> None:
    """Recompute ``event.level`` from the level table and the deaths its members report of
    an accident or a disaster (pipeline/heat.py)."""
    media = len(event.counts.get("media", {}))
    by_category = event.counts.get("deaths", {})
    deaths = max((by_category.get(c, 0) for c in GRADED_CATEGORIES), default=0)
    event.level = event_level(
        LevelInputs(event.heat, event.size, event.negative, event.sensitive, media, deaths),
        table)


def is_spiking(event: Event, now_hour: int, recent: int, baseline: int, sensitivity: float) -> bool:
    """True when ``event``'s ``recent`` hours up to ``now_hour`` (hours since the epoch) hold a
    spike against the ``baseline`` hours before them (pipeline/spikes.py rule)."""
    start = now_hour - recent + 1
    n_recent = sum(event.hours.get(h, 0) for h in range(start, now_hour + 1))
    n_base = sum(event.hours.get(h, 0) for h in range(start - baseline, start))
    return spike_test(n_recent, n_base, recent, baseline, sensitivity)[2]


def keywords(event: Event, df: DocumentFrequency) -> list[str]:
    """Return up to ``KEYWORDS`` keywords of ``event``: its segmented words by count x IDF
    (a word's document frequency: the mean of its first and last bigram's), else its
    top centroid terms."""
    if not event.tokens:
        ranked = sorted(zip(event.terms, event.weights, strict=True), key=lambda kv: -kv[1])
        return [t for t, _ in ranked[:KEYWORDS]]
    log_n1 = math.log(df.n_docs + 1) + 1.0
    freq = df.counts.get
    log = math.log

    def score(kv: tuple[str, int]) -> float:
        word = kv[0]
        mean_df = (freq(word[:2], 0) + freq(word[-2:], 0)) / 2
        return kv[1] * (log_n1 - log(mean_df + 1))

    return [t for t, _ in sorted(event.tokens.items(), key=score, reverse=True)[:KEYWORDS]]
