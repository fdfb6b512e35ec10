"""The core types that flow through Yuqing: RawItem -> Item -> (store, alerts).

Plain dataclasses, no I/O and no storage format. Every other package depends on
this module; this module depends on nothing in the project.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field, fields
from datetime import datetime, tzinfo
from typing import Any, TypedDict

MEDIA_TYPES = ("news", "weibo", "wechat", "forum", "video", "app", "gov", "other")
SENTIMENTS = ("negative", "neutral", "positive")
#: the four categories of public emergencies of the national master plan
#: (国家突发公共事件总体应急预案, State Council, 2006, 1.3), the plan's order
INCIDENT_CATEGORIES = ("自然灾害", "事故灾难", "公共卫生事件", "社会安全事件")
#: Chinese names shown to users ("none": not judged); ARCHITECTURE.md, the field's words
SENTIMENT_LABELS = {"negative": "负面", "neutral": "中性", "positive": "正面", "none": "未判定"}
MEDIA_LABELS = {"news": "新闻网站", "weibo": "微博", "wechat": "微信", "forum": "论坛",
                "video": "视频", "app": "客户端", "gov": "政务", "other": "其他"}
#: hot-list facts a topic's item carries in ``extra["hotlist_change"]`` (sources/hotlist/
#: changes.py) and alert rules can ask for (``hotlist = [...]``), with their Chinese names
HOTLIST_FACTS = ("entered", "rising", "left")
HOTLIST_FACT_LABELS = {"entered": "新上榜", "rising": "快速上升", "left": "落榜"}
#: the seed's four handling classes (处置分类) by number, as shown to users
HANDLING_CLASS_LABELS = {1: "询问/质疑/诉求", 2: "恶意传播/炒作", 3: "捏造/诽谤/违法",
                         4: "建设性意见"}


class YuqingError(Exception):
    """Base class of the errors Yuqing raises on purpose (bad input, bad config)."""


class BadInput(YuqingError):
    """An input (file, row, feed entry, request body) that cannot be used.

    The message is written ``"<origin>: <problem>"``, the origin naming the
    input (``export.csv:12``, a URL, ``POST /api/items[3]``). ``source`` names the
    configured source that read the input ("" when none did, e.g. a push).
    """

    source: str = ""

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


#: the flag (RawItem.flags -> Item.flags) of an item a source stores as back-fill: published
#: before the source was first polled (sources/site.py); stored and analysed, never alerted
BACKFILL = "backfill"


@dataclass
class RawItem:
    """One item as a source yields it, before any normalisation.

    Fields follow the item exchange format of docs/INTERFACES.md. ``published_at``
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
        """Return the JSON shape of docs/INTERFACES.md: term, category, start, end."""
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
    ``sentiment`` is the 舆情 polarity for the office (a complaint against the
    subject is negative whatever its tone; pipeline/polarity.py), ``emotion`` the
    writer's emotion the sentiment model read (None when the stage did not run);
    ``sentiment_score`` is the model's P(negative) in [0, 1].

    Fields one stage sets for later ones: ``repost_chain`` (the ``//@`` names of a
    repost, nearest first; dedup), ``place_detail`` (places), ``keywords``
    (``[(word, weight)]``, None when the stage did not run; keywords), ``handling``
    (handling), ``spike`` (its event spikes now; events, read by the alert rules),
    ``incident`` (``{"category", "type", "confidence", "cues", "casualties"}`` or None;
    pipeline/incidents.py). ``extra`` holds the free-form
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
    emotion: str | None = None
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
        """True when the sentiment stage labelled this item negative for the office."""
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


@dataclass(frozen=True)
class HotlistEntry:
    """One topic's place in one hot-list snapshot.

    ``key`` identifies the topic across snapshots (the platform's id, else the
    normalised title); ``rank`` is 1-based; ``heat`` is the platform's heat
    figure when it gives one (units are the platform's); ``url`` may be None.
    """

    key: str
    rank: int
    title: str
    heat: float | None = None
    url: str | None = None


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


# ----- cases and petitions ---------------------------------------------------------------
# A case (工单) is one matter handled by one owning unit through the workflow of
# cases/workflow.py; everything done to it is an entry of its append-only log. The JSON
# form of each type (``to_json(tz)``) is what the API and ``yuqing case ... --json`` print:
# the fields in declaration order, datetimes as ISO strings in ``tz``.


def _fields_json(obj: Any, tz: tzinfo) -> dict[str, Any]:
    """Return the dataclass ``obj``'s fields in order, datetimes as ISO strings in ``tz``."""
    out: dict[str, Any] = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        out[f.name] = value.astimezone(tz).isoformat() if isinstance(value, datetime) else value
    return out


@dataclass
class Case:
    """One case: its origin, owning unit, state and times (aware UTC)."""

    id: int
    title: str
    summary: str | None
    origin: str
    origin_ref: str | None
    channel: str
    state: str
    handling_class: int | None
    suggested_class: int | None
    owner_unit: str
    opened_by: str
    discovered_at: datetime
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    merged_into: int | None

    def to_json(self, tz: tzinfo) -> dict[str, Any]:
        """Return the case as in ``GET /api/cases``: every field, times ISO in ``tz``."""
        return _fields_json(self, tz)


@dataclass
class CaseLogEntry:
    """One audit entry: who (``actor`` in ``role``) did ``action`` when, the states
    before and after (None for actions that do not move), the note and the data."""

    id: int
    case_id: int
    at: datetime
    actor: str
    role: str
    action: str
    from_state: str | None
    to_state: str | None
    note: str | None
    data: dict[str, Any]

    def to_json(self, tz: tzinfo) -> dict[str, Any]:
        """Return the entry's fields, ``at`` ISO in ``tz``."""
        return _fields_json(self, tz)


@dataclass
class Deadline:
    """The deadline ``policy`` of a case: met by reaching state ``met_by`` before ``due``
    (``provisional`` while the official calendar of its year is unknown)."""

    case_id: int
    policy: str
    met_by: str
    start: datetime
    due: datetime
    provisional: bool
    met_at: datetime | None = None
    reminded_at: datetime | None = None
    escalated_at: datetime | None = None

    def to_json(self, tz: tzinfo) -> dict[str, Any]:
        """Return the deadline's fields, times ISO in ``tz``."""
        return _fields_json(self, tz)


@dataclass
class Attachment:
    """Evidence kept with a case (its content stays in the store), by SHA-256."""

    id: int
    case_id: int
    name: str
    sha256: str
    size: int
    added_by: str
    added_at: datetime

    def to_json(self, tz: tzinfo) -> dict[str, Any]:
        """Return the attachment's fields (no content), ``added_at`` ISO in ``tz``."""
        return _fields_json(self, tz)


@dataclass
class Assist:
    """A unit asked to assist a case (ownership unchanged)."""

    case_id: int
    unit: str
    requested_by: str
    requested_at: datetime

    def to_json(self, tz: tzinfo) -> dict[str, Any]:
        """Return the request's fields, ``requested_at`` ISO in ``tz``."""
        return _fields_json(self, tz)


@dataclass
class CaseLink:
    """A link from a case to an item, case, alert, event or petition (``kind``, ``ref``);
    ``score`` is the similarity of an automatic link, None for one made by hand."""

    case_id: int
    kind: str
    ref: str
    score: float | None
    created_at: datetime

    def to_json(self, tz: tzinfo) -> dict[str, Any]:
        """Return the link's fields, ``created_at`` ISO in ``tz``."""
        return _fields_json(self, tz)


@dataclass(frozen=True)
class Contact:
    """A petitioner's contact as given (every field optional); stored protected."""

    name: str | None = None
    phone: str | None = None
    id_number: str | None = None
    address: str | None = None

    def as_row(self) -> dict[str, str | None]:
        """Return the fields as a dict for the protected table."""
        return {"name": self.name, "phone": self.phone, "id_number": self.id_number,
                "address": self.address}


@dataclass
class Petition:
    """A petition (信访举报) as stored: the case it belongs to, channel, receiving unit,
    subject, levels, the petitioner's identity hashes and masked contact, and the earlier
    petition it repeats (``repeat_of``, ``repeat_score``)."""

    id: int
    case_id: int
    channel: str
    received_at: datetime
    unit: str
    subject: str
    accused: str | None
    addressed_level: str
    responsible_level: str | None
    identity_hash: str | None
    contact_masked: str
    repeat_of: int | None
    repeat_score: float | None
    cross_level: bool

    def to_json(self, tz: tzinfo) -> dict[str, Any]:
        """Return the petition's fields, ``received_at`` ISO in ``tz``."""
        return _fields_json(self, tz)


@dataclass
class PetitionContact:
    """The full contact of petition ``petition_id`` (reading it is logged)."""

    petition_id: int
    contact: Contact

    def to_json(self) -> dict[str, Any]:
        """Return ``{"petition_id", "name", "phone", "id_number", "address"}``."""
        return {"petition_id": self.petition_id, **self.contact.as_row()}


@dataclass
class PetitionIntake:
    """What taking in a petition did: the stored ``petition``, whether it opened a new
    case, why it repeats an earlier one, and the online items it was linked to."""

    petition: Petition
    new_case: bool
    repeat_reason: str | None
    linked_items: list[str]

    def to_json(self) -> dict[str, Any]:
        """Return ``{"petition_id", "case_id", "new_case", "repeat_of", "repeat_score",
        "repeat_reason", "cross_level", "addressed_level", "responsible_level",
        "linked_items", "contact"}`` (contact masked), as ``POST /api/petitions`` answers."""
        p = self.petition
        return {"petition_id": p.id, "case_id": p.case_id, "new_case": self.new_case,
                "repeat_of": p.repeat_of, "repeat_score": p.repeat_score,
                "repeat_reason": self.repeat_reason, "cross_level": p.cross_level,
                "addressed_level": p.addressed_level, "responsible_level": p.responsible_level,
                "linked_items": self.linked_items, "contact": p.contact_masked}


@dataclass
class CaseDetail:
    """A case with everything filed under it, the states it may move to next and the
    steps of its class's playbook as text (None before a class is suggested or confirmed)."""

    case: Case
    log: list[CaseLogEntry]
    deadlines: list[Deadline]
    attachments: list[Attachment]
    assists: list[Assist]
    links: list[CaseLink]
    petitions: list[Petition]
    next_states: list[str]
    playbook: str | None

    def to_json(self, tz: tzinfo) -> dict[str, Any]:
        """Return the case as ``GET /api/cases/{id}``: its fields, then ``log``,
        ``deadlines``, ``attachments``, ``assists``, ``links``, ``petitions`` (lists of
        their JSON forms), ``next_states`` and ``playbook``."""
        doc = self.case.to_json(tz)
        parts: dict[str, list[Any]] = {
            "log": self.log, "deadlines": self.deadlines, "attachments": self.attachments,
            "assists": self.assists, "links": self.links, "petitions": self.petitions}
        doc.update({name: [row.to_json(tz) for row in rows] for name, rows in parts.items()})
        doc["next_states"] = self.next_states
        doc["playbook"] = self.playbook
        return doc


@dataclass(slots=True)
class Event:
    """One event: the items of one happening, as the events stage clusters them.

    The centroid (the sum of the members' L2-normalised IDF vectors, pruned to the
    heaviest terms) is held packed: its ``terms`` (interned) and their ``weights``
    (float64), in the centroid's order, replaced and never changed in place (the events
    stage shares them with the vector of the event's first member); ``centroid`` gives
    it as a dict, and ``norm`` is its L2 norm. ``rep_key`` is
    the representative member (its ``rep_score`` the cosine it had with the centroid
    when it joined) and ``title`` that member's own text; ``origin_key`` is the earliest
    member. Counters: ``negative`` and ``sensitive`` members, ``tokens`` (segmented word
    -> members), ``counts`` (``sentiment``/``media``/``source``/``places``/``incident``
    -> value -> members; ``deaths``: incident category -> most deaths a member reports),
    ``first_by_media`` (media type -> ISO time of its first member), ``hours``
    (hour since the epoch -> members). ``heat`` and ``level``: pipeline/heat.py;
    ``keywords``: as last saved. Datetimes are aware UTC.
    """

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
    terms: tuple[str, ...] = ()
    weights: array[float] = field(default_factory=lambda: array("d"))
    norm: float = 1.0
    tokens: dict[str, int] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    first_by_media: dict[str, str] = field(default_factory=dict)
    hours: dict[int, int] = field(default_factory=dict)
    keywords: list[str] = field(default_factory=list)

    @property
    def centroid(self) -> dict[str, float]:
        """The centroid as a dict ``{term: summed weight}``, in its order (a new dict)."""
        return dict(zip(self.terms, self.weights))  # noqa: B905 (packed together)

    def set_centroid(self, centroid: dict[str, float], norm: float) -> None:
        """Hold ``centroid`` (packed, in its order) and its L2 ``norm``."""
        self.terms, self.weights = tuple(centroid), array("d", tuple(centroid.values()))
        self.norm = norm

    def similarity(self, vec: dict[str, float]) -> float:
        """Return the cosine of the unit vector ``vec`` (term -> weight) with the centroid.

        Summed in ``vec``'s order, not in a set's: a set of strings iterates in an order
        that differs from process to process (hash randomisation), and so would the last
        bits of the sum, and with them a decision at the threshold (docs/SCALEOUT.md)."""
        return self.similarity_shared(vec)[0]

    def similarity_shared(self, vec: dict[str, float], centroid: dict[str, float] | None = None
                          ) -> tuple[float, int]:
        """Return the cosine of the unit vector ``vec`` with the centroid (summed in
        ``vec``'s order, see :meth:`similarity`) and how many terms they share;
        ``centroid``: :attr:`centroid` when the caller has it already."""
        cen = self.centroid if centroid is None else centroid
        products = [cen[t] * w for t, w in vec.items() if t in cen]
        return sum(products) / self.norm, len(products)


@dataclass(frozen=True, slots=True)
class StoredChange:
    """One item row written (inserted or updated) after a process's watermark, as the
    shared stages catch up with it (pipeline/base.py ``Stage.catch_up``).

    ``new``: the row was inserted after the watermark (else it is an update of a row the
    process knew); ``dated``: its ``published_at`` was read from the item (not the fetch
    time of an unreadable date). The other fields are the stored item's.
    """

    key: str
    new: bool
    match_text: str
    canonical_url: str | None
    duplicate_of: str | None
    event_id: str | None
    source: str
    author: str | None
    root_id: str | None
    parent_id: str | None
    published_at: datetime
    dated: bool
