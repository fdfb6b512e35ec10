"""The core types that flow through Yuqing: RawItem -> Item -> (store, alerts).

Plain dataclasses, no I/O and no storage format. Every other package depends on
this module; this module depends on nothing in the project.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypedDict

MEDIA_TYPES = ("news", "weibo", "wechat", "forum", "video", "app", "gov", "other")
SENTIMENTS = ("negative", "neutral", "positive")
#: Chinese names shown to users ("none": not judged); ARCHITECTURE.md, the field's words
SENTIMENT_LABELS = {"negative": "负面", "neutral": "中性", "positive": "正面", "none": "未判定"}
MEDIA_LABELS = {"news": "新闻网站", "weibo": "微博", "wechat": "微信", "forum": "论坛",
                "video": "视频", "app": "客户端", "gov": "政务", "other": "其他"}
#: the seed's four handling classes (处置分类) by number, as shown to users
HANDLING_CLASS_LABELS = {1: "询问/质疑/诉求", 2: "恶意传播/炒作", 3: "捏造/诽谤/违法",
                         4: "建设性意见"}


class YuqingError(Exception):
    """Base class of the errors Yuqing raises on purpose (bad input, bad config)."""


class BadInput(YuqingError):
    """An input (file, row, feed entry, request body) that cannot be used.

    The message is written ``"<origin>: <problem>"``, the origin naming the
    input (``export.csv:12``, a URL, ``POST /api/items[3]``).
    """

    @property
    def origin(self) -> str:
        """The input the message names: the text before its first ``": "``."""
        return str(self).split(": ", 1)[0]


class RejectedItem(YuqingError):
    """Raised by a stage for one item it refuses; becomes a counted outcome.

    ``reason`` is a short stable code (``"empty_text"``, ``"bad_id"``...) used
    as the counter key; ``detail`` is the human message naming the input.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class RawItem:
    """One item as a source yields it, before any normalisation.

    Fields follow the item exchange format of INTERFACES.md. ``published_at``
    is the raw value (string as found, or an aware/naive datetime);
    ``tz`` is the source's IANA time zone used when the value has no offset.
    ``origin`` names where the item came from for error messages, e.g.
    ``"export.csv:12"`` or a feed URL. ``fetched_at`` is an aware UTC datetime.
    """

    source: str
    text: str
    fetched_at: datetime
    id: str | None = None
    title: str | None = None
    media_type: str = "other"
    url: str | None = None
    guid: str | None = None
    author: str | None = None
    author_id: str | None = None
    published_at: str | datetime | None = None
    parent_id: str | None = None
    reposts: int | None = None
    comments: int | None = None
    likes: int | None = None
    tz: str = "Asia/Shanghai"
    origin: str = ""
    flags: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TermHit:
    """A lexicon hit: ``term`` of ``category`` at ``[start, end)`` of the ORIGINAL text."""

    term: str
    category: str
    start: int
    end: int
    weight: float = 1.0

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON shape of INTERFACES.md: term, category, start, end."""
        return {"term": self.term, "category": self.category, "start": self.start, "end": self.end}


class PlaceMention(TypedDict):
    """A place named in a text: its full ``name``, ``level`` (province, city or district),
    6-digit ``adcode`` and ``[start, end)`` span in the item's original text."""

    name: str
    level: str
    adcode: str
    start: int
    end: int


class PlaceDetail(TypedDict):
    """What the places stage found behind ``Item.places``: the placed ``mentions`` and the
    ``ambiguous`` surface forms it placed nowhere (pipeline/places.py)."""

    mentions: list[PlaceMention]
    ambiguous: list[str]


#: The handling stage's suggestion (pipeline/handling.py): ``class`` 1-4 or None, its Chinese
#: ``label`` (HANDLING_CLASS_LABELS) or None, ``confidence`` 0..1 (3 decimals), ``cues`` (the
#: matched strings, in text order), ``scores`` (class number as a string -> summed weight).
HandlingDetail = TypedDict("HandlingDetail", {
    "class": int | None, "label": str | None, "confidence": float, "cues": list[str],
    "scores": dict[str, float],
})


@dataclass
class Item:
    """One normalised item (post, article, comment, petition text).

    Identity: ``key`` is stable across fetches of the same thing
    (``source:id``, or ``url:`` + canonical URL when there is no id; see
    pipeline.normalize). ``text`` and ``title`` are the originals kept for
    display; ``match_text`` is the normalised simplified text that keyword
    matching sees, and ``offsets[i]`` is the index in ``text`` of the original
    character that produced ``match_text[i]`` (``len(offsets) ==
    len(match_text)``; several match characters may share one original
    character, e.g. NFKC's ``㎏`` -> ``kg``). Datetimes are aware UTC.
    ``sentiment_score`` is P(negative) in [0, 1].

    Fields one stage sets for later ones: ``repost_chain`` (the ``//@`` names of a
    repost, nearest first; dedup), ``place_detail`` (places), ``keywords``
    (``[(word, weight)]``, None when the stage did not run; keywords), ``handling``
    (handling), ``spike`` (its event spikes now; events, read by the alert rules),
    ``incident`` (reserved for the incident stage). ``extra`` holds the free-form
    fields a source gave (sources/records.py), plus ``event_size``/``event_level``,
    which alerts/policy.py copies in before the rules run.
    """

    key: str
    source: str
    text: str
    match_text: str
    offsets: list[int]
    published_at: datetime
    fetched_at: datetime
    id: str | None = None
    title: str | None = None
    media_type: str = "other"
    url: str | None = None
    canonical_url: str | None = None
    author: str | None = None
    author_id: str | None = None
    parent_id: str | None = None
    root_id: str | None = None
    reposts: int | None = None
    comments: int | None = None
    likes: int | None = None
    content_hash: str = ""
    duplicate_of: str | None = None
    tokens: list[str] = field(default_factory=list)
    sentiment: str | None = None
    sentiment_score: float | None = None
    sensitive_terms: list[TermHit] = field(default_factory=list)
    schemes: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    handling_class: int | None = None
    event_id: str | None = None
    flags: list[str] = field(default_factory=list)
    origin: str = ""
    rejected: str | None = None
    is_update: bool = False
    repost_chain: list[str] = field(default_factory=list)
    place_detail: PlaceDetail | None = None
    keywords: list[tuple[str, float]] | None = None
    handling: HandlingDetail | None = None
    spike: bool = False
    incident: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_negative(self) -> bool:
        """True when the sentiment stage labelled this item negative."""
        return self.sentiment == "negative"

    @property
    def is_sensitive(self) -> bool:
        """True when at least one sensitive term was found."""
        return bool(self.sensitive_terms)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map ``[start, end)`` in ``match_text`` to the span in ``text``.

        Raises IndexError when the span lies outside ``match_text``.
        """
        if not 0 <= start <= end <= len(self.match_text):
            raise IndexError(f"span [{start},{end}) outside text of length {len(self.match_text)}")
        if end == start:
            at = self.offsets[start] if start < len(self.offsets) else len(self.text)
            return at, at
        return self.offsets[start], self.offsets[end - 1] + 1


@dataclass
class SourceState:
    """What the poller keeps of one source across restarts (one ``source_state`` row).

    ``etag``/``last_modified``: the validators of the last HTTP answer (conditional
    GET); ``cursor``: a kind-specific position (a file's ``"mtime_ns:size"``, a
    replay's row count); ``health``: the JSON object the runner owns (status, last
    success and error, ``done`` once a finite source is finished: SourceHealth);
    ``updated_at``: when it was saved (aware UTC; None until then).
    """

    name: str
    etag: str | None = None
    last_modified: str | None = None
    cursor: str | None = None
    health: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None


@dataclass
class Alert:
    """A notice to people about one item (or a summary of several).

    ``dedup_key`` is unique per rule and subject so that a restart never
    sends the same alert twice. ``created_at`` is aware UTC.
    """

    rule: str
    dedup_key: str
    title: str
    body: str
    item_keys: list[str]
    created_at: datetime
    level: str = "IV"
    channels: list[str] = field(default_factory=list)
