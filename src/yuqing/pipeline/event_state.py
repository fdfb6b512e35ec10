"""The in-memory state of one event, and its conversion to and from an ``events`` row.

An event keeps a centroid (the sum of its items' L2-normalised IDF vectors,
pruned to its ``MAX_TERMS`` heaviest terms), counters (sentiment, media type,
places, sources, sensitive items, engagement), the first time each media type
carried it, its representative item (the member most similar to the centroid
when it joined, among members with at least ``MIN_TITLE_CHARS`` own
characters) and its earliest item. Heat and level: analytics/heat.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from yuqing.analytics.heat import LevelInputs, event_level, item_heat
from yuqing.analytics.trends import spike_test
from yuqing.config import EventLevelConfig
from yuqing.domain import Item
from yuqing.pipeline.event_terms import DocumentFrequency

MAX_TERMS = 48  # centroid terms kept per event
MAX_TOKENS = 30  # keyword candidates kept per event
MIN_TITLE_CHARS = 8
TITLE_CHARS = 80
KEYWORDS = 8
MAX_HOURS = 48  # hourly counts kept per event, for spikes


def own_text(item: Item) -> str:
    """Return the item's title, else its text before the first ``//@``, stripped."""
    if item.title:
        return item.title.strip()
    cut = item.text.find("//@")
    return (item.text if cut < 0 else item.text[:cut]).strip()


@dataclass(slots=True)
class Event:
    """One event's clustering state; ``centroid`` maps term -> summed weight."""

    id: str
    first_at: datetime
    last_at: datetime
    origin_key: str
    rep_key: str
    title: str
    rep_score: float = -1.0
    size: int = 0
    heat: float = 0.0
    negative: int = 0
    sensitive: int = 0
    level: str = "IV"
    centroid: dict[str, float] = field(default_factory=dict)
    norm: float = 1.0
    tokens: dict[str, int] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    first_by_media: dict[str, str] = field(default_factory=dict)
    hours: dict[int, int] = field(default_factory=dict)

    def similarity(self, vec: dict[str, float]) -> float:
        """Return the cosine of the unit vector ``vec`` with the centroid."""
        cen = self.centroid
        return sum(cen[t] * vec[t] for t in cen.keys() & vec.keys()) / self.norm

    def similarity_shared(self, vec: dict[str, float]) -> tuple[float, int]:
        """Return the cosine of the unit vector ``vec`` with the centroid and how many
        terms they share."""
        cen = self.centroid
        shared = cen.keys() & vec.keys()
        return sum([cen[t] * vec[t] for t in shared]) / self.norm, len(shared)

    def add(self, item: Item, vec: dict[str, float], score: float,
            media_weight: float) -> tuple[list[str], list[str]]:
        """Count ``item`` (vector ``vec``, cosine ``score``) into the event; return the terms
        the centroid gained and those it lost (the caller indexes and un-indexes them)."""
        self.size += 1
        self.heat += item_heat(media_weight, item.reposts, item.comments, item.likes)
        self.negative += item.sentiment == "negative"
        self.sensitive += bool(item.sensitive_terms)
        self._count(item)
        at = item.published_at
        if at < self.first_at:
            self.first_at, self.origin_key = at, item.key
        self.last_at = max(self.last_at, at)
        hour = int(at.timestamp()) // 3600
        self.hours[hour] = self.hours.get(hour, 0) + 1
        if len(self.hours) > MAX_HOURS:
            newest = max(self.hours)
            self.hours = {h: n for h, n in self.hours.items() if h > newest - MAX_HOURS}
        iso = at.isoformat()
        if iso < self.first_by_media.get(item.media_type, "~"):
            self.first_by_media[item.media_type] = iso
        if score > self.rep_score:
            text = own_text(item)
            if len(text) >= MIN_TITLE_CHARS:
                self.rep_key, self.rep_score, self.title = item.key, score, text[:TITLE_CHARS]
        return self._merge(vec)

    def _count(self, item: Item) -> None:
        counts = self.counts
        for name, values in (("sentiment", (item.sentiment or "none",)),
                             ("media", (item.media_type,)), ("source", (item.source,)),
                             ("places", item.places)):
            bucket = counts.setdefault(name, {})
            for value in values:
                bucket[value] = bucket.get(value, 0) + 1
        tokens = self.tokens
        for tok in item.tokens:
            if len(tok) >= 2 and not tok.isdigit():
                tokens[tok] = tokens.get(tok, 0) + 1
        if len(tokens) > 2 * MAX_TOKENS:
            self.tokens = dict(sorted(tokens.items(), key=lambda kv: -kv[1])[:MAX_TOKENS])

    def _merge(self, vec: dict[str, float]) -> tuple[list[str], list[str]]:
        cen = self.centroid
        if not cen:  # a new event (most events in a stream): the item's vector as it is
            self.centroid = cen = dict(vec)
            new = list(vec)
            if len(cen) <= MAX_TERMS:
                self.norm = math.sqrt(sum([w * w for w in cen.values()])) or 1.0
                return new, []
            vec = {}
        else:
            new = []
        for t, w in vec.items():
            old = cen.get(t)
            if old is None:
                cen[t] = w
                new.append(t)
            else:
                cen[t] = old + w
        if len(cen) <= MAX_TERMS:
            self.norm = math.sqrt(sum(w * w for w in cen.values())) or 1.0
            return new, []
        ranked = sorted(cen.items(), key=lambda kv: -kv[1])
        self.centroid = cen = dict(ranked[:MAX_TERMS])
        self.norm = math.sqrt(sum(w * w for w in cen.values())) or 1.0
        fresh = set(new)
        return ([t for t in new if t in cen],
                [t for t, _ in ranked[MAX_TERMS:] if t not in fresh])

    def update_level(self, table: list[EventLevelConfig]) -> None:
        """Recompute ``level`` from the level table."""
        media = len(self.counts.get("media", {}))
        self.level = event_level(
            LevelInputs(self.heat, self.size, self.negative, self.sensitive, media), table)

    def spiking(self, now_hour: int, recent: int, baseline: int, sensitivity: float) -> bool:
        """True when the ``recent`` hours up to ``now_hour`` (hours since the epoch) hold a
        spike against the ``baseline`` hours before them (analytics/trends.py rule)."""
        start = now_hour - recent + 1
        n_recent = sum(self.hours.get(h, 0) for h in range(start, now_hour + 1))
        n_base = sum(self.hours.get(h, 0) for h in range(start - baseline, start))
        return spike_test(n_recent, n_base, recent, baseline, sensitivity)[2]

    def keywords(self, df: DocumentFrequency) -> list[str]:
        """Return up to ``KEYWORDS`` keywords: the event's segmented words by count x IDF
        (a word's document frequency: the mean of its first and last bigram's), else its
        top centroid terms."""
        if not self.tokens:
            return [t for t, _ in sorted(self.centroid.items(), key=lambda kv: -kv[1])[:KEYWORDS]]
        log_n1 = math.log(df.n_docs + 1) + 1.0
        freq = df.counts.get
        log = math.log

        def score(kv: tuple[str, int]) -> float:
            word = kv[0]
            mean_df = (freq(word[:2], 0) + freq(word[-2:], 0)) / 2
            return kv[1] * (log_n1 - log(mean_df + 1))

        return [t for t, _ in sorted(self.tokens.items(), key=score, reverse=True)[:KEYWORDS]]

    def to_row(self, df: DocumentFrequency, now: datetime) -> dict[str, Any]:
        """Return the ``events`` table row of this event."""
        state = {"rep_score": self.rep_score, "negative": self.negative,
                 "sensitive": self.sensitive, "tokens": self.tokens, "counts": self.counts,
                 "first_by_media": self.first_by_media, "hours": self.hours}
        return {"id": self.id, "title": self.title, "rep_key": self.rep_key,
                "origin_key": self.origin_key, "first_at": self.first_at, "last_at": self.last_at,
                "size": self.size, "heat": round(self.heat, 3), "level": self.level,
                "keywords": self.keywords(df),
                "terms": self.centroid, "state": state,
                "updated_at": now}

    @classmethod
    def from_row(cls, row: Any) -> Event:
        """Rebuild an event from its ``events`` row (a mapping)."""
        state = row["state"]
        centroid = {str(t): float(w) for t, w in row["terms"].items()}
        return cls(id=row["id"], first_at=row["first_at"], last_at=row["last_at"],
                   origin_key=row["origin_key"], rep_key=row["rep_key"], title=row["title"],
                   rep_score=state["rep_score"], size=row["size"], heat=row["heat"],
                   negative=state["negative"], sensitive=state["sensitive"], level=row["level"],
                   centroid=centroid,
                   norm=math.sqrt(sum(w * w for w in centroid.values())) or 1.0,
                   tokens=state["tokens"], counts=state["counts"],
                   first_by_media=state["first_by_media"],
                   hours={int(h): int(n) for h, n in state.get("hours", {}).items()})
