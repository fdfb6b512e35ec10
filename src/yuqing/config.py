"""The monitoring config file (TOML) and the settings resolved from it.

One file holds sources, monitoring schemes, sensitive lexicons, segmentation
dictionaries, alert rules and channels. Settings resolve in the order of
docs/INTERFACES.md: command-line flag > environment ``YUQING_<NAME>`` > config
file > built-in default, for the settings of :data:`ENV_SETTINGS`:
:func:`environment_settings` reads and validates the variables, :func:`load_config`
lets them win over the file, :func:`resolve_setting` adds a flag.

Secrets are never written into the file: a value ``{"$env": "NAME"}`` is
replaced by the environment variable ``NAME`` when the config is loaded
(idea from Datasette's ``resolve_env_secrets``).

This module is a leaf: the schema, loading and the environment, importing
nothing of ours but ``yuqing.domain``. Checks that need another subsystem (is
this a known channel kind, a readable lexicon, a case state?) run in the
composition root: runtime/checks.py.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from yuqing.domain import HOTLIST_FACTS, INCIDENT_CATEGORIES, MEDIA_TYPES, BadInput

DEFAULT_DATABASE_URL = "sqlite:///yuqing.db"
DEFAULT_TIMEZONE = "Asia/Shanghai"
#: where `yuqing serve`, `run` and `demo --serve` listen by default
DEFAULT_PORT = 8000
#: the longest name of a source, scheme, channel, rule, unit, person, policy or schedule
#: (characters): a name is shown in tables, menus and messages
NAME_MAX = 64
#: the bounds of a source's ``interval`` (seconds): a drop folder may be read every
#: second; a source polled less than weekly is a mistake (10**20 s was accepted)
INTERVAL_MIN, INTERVAL_MAX = 1.0, 7 * 24 * 3600.0


def _name_length(value: str) -> str:
    """Return ``value`` when it holds at most :data:`NAME_MAX` characters; raises
    ValueError naming the bound otherwise."""
    if len(value) > NAME_MAX:
        raise ValueError(f"{len(value)} characters, at most {NAME_MAX}")
    return value


#: the type of every entry's ``name`` (:func:`_name_length`)
Name = Annotated[str, AfterValidator(_name_length)]


def _interval_bounds(value: float) -> float:
    """Return ``value`` (seconds) when within :data:`INTERVAL_MIN`..:data:`INTERVAL_MAX`;
    raises ValueError naming the bounds otherwise."""
    if not INTERVAL_MIN <= value <= INTERVAL_MAX:
        raise ValueError(f"{value:g} s is outside {INTERVAL_MIN:g} s to {INTERVAL_MAX:g} s "
                         f"(7 days)")
    return value


def _known_zone(name: str) -> str:
    """Return ``name`` when it is a known IANA time zone; raises ValueError otherwise."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a known time zone (e.g. Asia/Shanghai)") from None
    return name


def check_timezone(name: str, what: str = "timezone") -> str:
    """Return ``name`` when it is a known IANA time zone; raises BadInput naming ``what``."""
    try:
        return _known_zone(name)
    except ValueError as exc:
        raise BadInput(f"{what}: {exc}") from None


def nearest(value: str, valid: Iterable[str]) -> str | None:
    """Return the entry of ``valid`` closest to ``value`` (difflib, ratio >= 0.6), or None."""
    near = difflib.get_close_matches(value, list(valid), n=1)
    return near[0] if near else None


def did_you_mean(value: Any, valid: Iterable[Any]) -> str:
    """Return `` — did you mean 'x'?`` naming the entry of ``valid`` nearest to ``value``,
    or ``""`` when none is near: the one hint of every refused key, value and kind."""
    near = nearest(str(value), [str(v) for v in valid])
    return f" — did you mean {near!r}?" if near else ""


def unknown_key(key: str, valid: Iterable[str]) -> str:
    """Return the one wording of an unknown key: ``unknown key 'intervall' — did you mean
    'interval'?``, or the valid keys when none is near."""
    names = sorted(set(valid))
    hint = did_you_mean(key, names) or f" (valid keys: {', '.join(names)})"
    return f"unknown key {key!r}{hint}"


def not_one_of(value: Any, valid: Sequence[Any]) -> str:
    """Return the one wording of a value outside a fixed set: ``'nwes' is not one of news,
    weibo, … — did you mean 'news'?`` (the hint only when one is near)."""
    return f"{value!r} is not one of {', '.join(str(v) for v in valid)}{did_you_mean(value, valid)}"


def one_of(valid: Sequence[str]) -> Any:
    """Return a field validator refusing a value (or any entry of a list) outside ``valid``
    with the :func:`not_one_of` wording."""
    def check(value: Any) -> Any:
        for v in value if isinstance(value, list) else [value]:
            if v is not None and v not in valid:
                raise ValueError(not_one_of(v, valid))
        return value
    return check


def _unique_names(what: str, names: list[str]) -> None:
    """Raise ValueError listing the names that occur more than once."""
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"{what} names must be unique, repeated: {repeated}")


class SourceConfig(BaseModel):
    """One watched source. ``kind`` picks the module in the source registry.

    ``interval`` is seconds between fetches; ``timezone`` is the IANA zone
    applied to dates without an offset. Kind-specific options (``url``,
    ``path``, ``mapping``, ``speed``...) are kept as extra fields.
    """

    model_config = ConfigDict(extra="allow")

    name: Name
    kind: str
    interval: Annotated[float, AfterValidator(_interval_bounds)] = 300.0
    timezone: str = DEFAULT_TIMEZONE
    media_type: str = "other"
    enabled: bool = True

    _zone = field_validator("timezone")(_known_zone)
    _media = field_validator("media_type")(one_of(MEDIA_TYPES))
    #: the config file's folder (set by parse_config; "." for a config built in code)
    _base_dir: Path = PrivateAttr(default=Path("."))

    def option(self, key: str, default: Any = None) -> Any:
        """Return the kind-specific option ``key`` or ``default``."""
        return (self.model_extra or {}).get(key, default)

    def resolve_path(self, path: str) -> Path:
        """Return ``path`` (``~`` expanded) relative to the config file's folder unless
        absolute."""
        return _under(self._base_dir, path)


class SchemeConfig(BaseModel):
    """A monitoring scheme (监测方案): what one office watches.

    Matches when the normalised text contains a region word (if any are set)
    AND a subject word AND an event word (if any are set) AND no exclusion
    word; or when ``expression`` (AND, OR, NOT, parentheses, quoted phrases)
    is true. ``sources`` restricts the scheme to designated sources;
    ``region_sources`` names local sources (the county's own forum) whose items
    speak of the region without naming it (县医院, 一中): they need no region word.
    When a region word names a county (ends in 县: 青山县), a bare 县 body (县医院, 县一中,
    县政府, 县城) in a post that names no other county counts as that region
    (pipeline/schemes.py ``bare_county_words``).
    ``search_queries`` are what keyword search sources (``kind = "search"``) ask
    for this scheme; when empty they ask region × subject words
    (sources/search.py).
    """

    model_config = ConfigDict(extra="forbid")

    name: Name
    region_words: list[str] = Field(default_factory=list)
    subject_words: list[str] = Field(default_factory=list)
    event_words: list[str] = Field(default_factory=list)
    exclusion_words: list[str] = Field(default_factory=list)
    expression: str | None = None
    sources: list[str] = Field(default_factory=list)
    region_sources: list[str] = Field(default_factory=list)
    search_queries: list[str] = Field(default_factory=list)


class LexiconConfig(BaseModel):
    """A sensitive lexicon: a file of terms (one per line, optional
    tab-separated category and weight columns). ``path`` is a file path or
    ``builtin:NAME`` for a lexicon shipped in the package; ``terms`` are lines of
    the same form kept in the config itself (the web app edits these); at least
    one of the two is set. ``category`` is the default category of its terms;
    ``allow`` phrases holding a term are not matches (allow-list)."""

    model_config = ConfigDict(extra="forbid")

    path: str | None = None
    terms: list[str] = Field(default_factory=list)
    category: str = "sensitive"
    allow: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_terms(self) -> LexiconConfig:
        if self.path is None and not self.terms:
            raise ValueError(f"lexicon {self.category!r}: set path (a file) or terms")
        return self


#: the curated lexicons shipped in yuqing/data/lexicons (see SOURCE.md there), used when
#: the config names none
BUILTIN_LEXICONS = ("violence", "weapons", "corruption", "livelihood", "politics", "incidents")


def builtin_lexicons() -> list[LexiconConfig]:
    """One LexiconConfig per shipped lexicon, its category named after it."""
    return [LexiconConfig(path=f"builtin:{name}", category=name) for name in BUILTIN_LEXICONS]


class SegmentConfig(BaseModel):
    """Segmentation settings: user dictionaries (jieba format: word [freq] [tag])."""

    model_config = ConfigDict(extra="forbid")

    user_dicts: list[str] = Field(default_factory=list)
    user_words: list[str] = Field(default_factory=list)


class ChannelConfig(BaseModel):
    """An alert channel: ``kind`` is ``console``, ``email`` or ``webhook``;
    kind options (``host``, ``port``, ``to``, ``url``...) are extra fields."""

    model_config = ConfigDict(extra="allow")

    name: Name
    kind: str

    def option(self, key: str, default: Any = None) -> Any:
        """Return the kind-specific option ``key`` or ``default``."""
        return (self.model_extra or {}).get(key, default)


class RuleConfig(BaseModel):
    """An alert rule. The first rule kind, ``match``, fires for an item that
    matches one of ``schemes`` (all schemes when empty) and is negative
    (when ``negative``), sensitive (when ``sensitive``) or an incident (when
    ``incident``: the item has ``item.incident``, pipeline/incidents.py); every
    filter that is set must also hold (``categories`` of sensitive terms,
    ``incident_categories`` (of domain.INCIDENT_CATEGORIES), ``media_types``,
    ``sources``, ``keywords``, ``min_level`` of the item's event, ``spike``,
    ``handling_classes``, ``hotlist``: the hot-list facts of domain.HOTLIST_FACTS, of
    which the item must carry one; such a rule also fires for an update of a stored
    topic, once per fact). Alerts are grouped per event (per item without
    one); ``window`` seconds bound re-alerts of a growing event and the storm
    cap ``max_per_window``. ``quiet_hours`` ("22:00-07:00", office zone) hold
    deliveries except for ``quiet_override_levels``. ``groups`` are names of
    ``alerts.groups`` (lists of channels) added to ``channels``;
    ``fallback`` channels are tried in order when delivery fails for good;
    ``escalation`` steps (channel or group names) are sent to, one per
    ``ack_timeout`` seconds, until someone acknowledges. See alerts/rules.py."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    schemes: list[str] = Field(default_factory=list)
    negative: bool = True
    sensitive: bool = True
    incident: bool = False
    channels: list[str] = Field(default_factory=lambda: ["console"])
    level: str = "IV"
    categories: list[str] = Field(default_factory=list)
    incident_categories: list[str] = Field(default_factory=list)
    media_types: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    min_level: str | None = None
    spike: bool = False
    handling_classes: list[int] = Field(default_factory=list)
    hotlist: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    window: float = Field(default=600.0, gt=0)
    max_per_window: int = Field(default=20, ge=1)
    realert: bool = True
    quiet_hours: str | None = None
    quiet_override_levels: list[str] = Field(default_factory=lambda: ["I", "II"])
    fallback: list[str] = Field(default_factory=list)
    escalation: list[str] = Field(default_factory=list)
    ack_timeout: float = Field(default=1800.0, gt=0)

    @field_validator("incident_categories")
    @classmethod
    def _known_incident_categories(cls, value: list[str]) -> list[str]:
        bad = [c for c in value if c not in INCIDENT_CATEGORIES]
        if bad:
            raise ValueError(f"incident category {bad[0]!r} is not one of "
                             f"{', '.join(INCIDENT_CATEGORIES)}")
        return value

    @field_validator("hotlist")
    @classmethod
    def _known_hotlist_facts(cls, value: list[str]) -> list[str]:
        bad = [f for f in value if f not in HOTLIST_FACTS]
        if bad:
            raise ValueError(f"hot-list fact {bad[0]!r} is not one of {', '.join(HOTLIST_FACTS)}")
        return value


class AlertsConfig(BaseModel):
    """Alert rules, the channels they send to, and delivery settings:
    ``groups`` (name -> channel names), ``ack_secret`` signing acknowledgement links
    (usually ``{"$env": ...}``; when unset, a key generated once and kept in the
    store, shared by every process using it: alerts/ack.py),
    ``max_attempts`` sends per delivery and ``backoff`` seconds between them."""

    model_config = ConfigDict(extra="forbid")

    rules: list[RuleConfig] = Field(default_factory=list)
    channels: list[ChannelConfig] = Field(default_factory=list)
    groups: dict[str, list[str]] = Field(default_factory=dict)
    ack_secret: str | None = None
    max_attempts: int = Field(default=5, ge=1)
    backoff: list[float] = Field(default_factory=lambda: [1.0, 5.0, 30.0, 120.0])

    @field_validator("channels")
    @classmethod
    def _unique_channels(cls, value: list[ChannelConfig]) -> list[ChannelConfig]:
        _unique_names("alert channel", [c.name for c in value])
        return value


class DeadlinePolicyConfig(BaseModel):
    """A named deadline (办理时限): ``hours`` counted in calendar hours
    (holidays included) or ``working_days`` (due at 24:00 of the Nth working
    day after the day of receipt). Exactly one of the two is set. ``met_by``
    is the case state whose reaching meets the deadline."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    hours: float | None = Field(default=None, gt=0)
    working_days: int | None = Field(default=None, ge=1)
    met_by: str = "replied"

    @model_validator(mode="after")
    def _one_measure(self) -> DeadlinePolicyConfig:
        if (self.hours is None) == (self.working_days is None):
            raise ValueError("set exactly one of hours, working_days")
        return self


def builtin_deadline_policies() -> list[DeadlinePolicyConfig]:
    """The three national deadlines: first response 5 h and formal answer 24 h
    (国办发〔2016〕61号, State Council General Office notice on responding to
    public opinion, 2016), complex cases 5 working days."""
    return [
        DeadlinePolicyConfig(name="first_response", hours=5, met_by="reported"),
        DeadlinePolicyConfig(name="formal_answer", hours=24, met_by="replied"),
        DeadlinePolicyConfig(name="complex", working_days=5, met_by="replied"),
    ]


class DeadlinesConfig(BaseModel):
    """Deadline policies, reminders and working-day calendar amendments.

    ``remind_at`` is the fraction of the allowed time after which a reminder
    goes out over ``channels``; ``extra_holidays``/``extra_workdays`` amend
    the official calendar (ISO dates, e.g. a local extension of a break).
    """

    model_config = ConfigDict(extra="forbid")

    policies: list[DeadlinePolicyConfig] = Field(default_factory=builtin_deadline_policies)
    remind_at: float = Field(default=0.8, gt=0, lt=1)
    channels: list[str] = Field(default_factory=lambda: ["console"])
    extra_holidays: list[date] = Field(default_factory=list)
    extra_workdays: list[date] = Field(default_factory=list)


class UnitConfig(BaseModel):
    """A unit (单位) that receives and handles cases: its ``level``
    (township, county, city, province, national), the ``parent`` unit, the
    ``leader`` overdue cases escalate to, the alert ``channels`` that
    reach it, and ``dual_report_to``: a second unit its reports upward go to
    besides the parent (双重报告, e.g. the 卫健局 besides the county government;
    cases/upward.py)."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    level: str = "county"
    parent: str | None = None
    leader: str | None = None
    channels: list[str] = Field(default_factory=lambda: ["console"])
    dual_report_to: str | None = None


class CaseUserConfig(BaseModel):
    """A person who acts on cases: ``unit``, ``roles`` (monitor, handler, leader, admin)
    and where notices reach them (``email``, ``phone``, ``wecom`` user id). Each entry
    creates a web account when there is none of that name (cases/people.py): the web
    accounts are the one list of people."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    unit: str
    roles: list[str] = Field(default_factory=lambda: ["handler"])
    email: str | None = None
    phone: str | None = None
    wecom: str | None = None


class ReportLimitConfig(BaseModel):
    """A reporting time limit (报告时限): a case matching it is due to reach ``reported``
    within ``hours`` calendar hours of its discovery. Every condition given must hold:
    the incident's ``categories`` / ``types`` (item.incident), at least ``min_deaths``
    deaths, at least ``min_harmed`` people harmed (deaths + injured), or one of
    ``keywords`` in the case's title, summary or linked items; a limit without
    conditions matches every case (cases/upward.py ``report_limit``)."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    hours: float = Field(gt=0, le=24 * 400)
    categories: list[str] = Field(default_factory=list)
    types: list[str] = Field(default_factory=list)
    min_deaths: int | None = Field(default=None, ge=1)
    min_harmed: int | None = Field(default=None, ge=1)
    keywords: list[str] = Field(default_factory=list)


def builtin_report_limits() -> list[ReportLimitConfig]:
    """The seed's reporting limits, from 《医疗卫生机构医疗废物管理办法》 (卫生部令第36号,
    2003) art. 35: 24 h when an accident caused 1 death or more or harmed 3 people or
    more (applied here to every incident), 48 h for a medical-waste loss, leak or
    spread (医疗废物流失、泄漏、扩散). First match wins, so the graver limit comes first."""
    return [
        ReportLimitConfig(name="deaths", hours=24, min_deaths=1),
        ReportLimitConfig(name="harmed", hours=24, min_harmed=3),
        ReportLimitConfig(name="medical_waste", hours=48, keywords=["医疗废物", "医疗垃圾"]),
    ]


class ReportingConfig(BaseModel):
    """Reporting upward (逐级报告, cases/upward.py): the time ``limits`` a case must be
    reported within (first match), and ``daily_at`` (HH:MM, office zone), when every
    unit's daily report (日报告, or zero report 零报告) of the 24 hours before goes to
    its parent; None: no daily reports."""

    model_config = ConfigDict(extra="forbid")

    limits: list[ReportLimitConfig] = Field(default_factory=builtin_report_limits)
    daily_at: str | None = None

    @field_validator("daily_at")
    @classmethod
    def _clock_time(cls, value: str | None) -> str | None:
        if value is not None:
            hh, _, mm = value.partition(":")
            if not (hh.isdigit() and mm.isdigit() and len(mm) == 2
                    and int(hh) < 24 and int(mm) < 60):
                raise ValueError(f"daily_at {value!r}: expected HH:MM, e.g. 17:00")
        return value


class CasesConfig(BaseModel):
    """Case handling: units, users and their roles, the deadline
    policies every new case starts (``policies``) and reporting upward
    (``reporting``). With no ``users`` listed the role an actor gives is taken
    as stated."""

    model_config = ConfigDict(extra="forbid")

    units: list[UnitConfig] = Field(default_factory=list)
    users: list[CaseUserConfig] = Field(default_factory=list)
    policies: list[str] = Field(default_factory=lambda: ["first_response", "formal_answer"])
    reporting: ReportingConfig = Field(default_factory=ReportingConfig)


class EventLevelConfig(BaseModel):
    """One row of the event level table (I 特别重大, II 重大, III 较大): an event gets
    the first level, in order I -> III, whose every threshold it meets, else IV
    (一般). ``min_negative_share`` is the share of negative items, ``min_media_types``
    the number of distinct media types that carried it. See pipeline/heat.py."""

    model_config = ConfigDict(extra="forbid")

    level: str
    min_heat: float = 0.0
    min_size: int = 0
    min_negative_share: float = 0.0
    min_sensitive: int = 0
    min_media_types: int = 0


def _default_levels() -> list[EventLevelConfig]:
    return [
        EventLevelConfig(level="I", min_heat=2000, min_size=200, min_negative_share=0.5,
                         min_media_types=3),
        EventLevelConfig(level="II", min_heat=500, min_size=50, min_negative_share=0.4,
                         min_media_types=2),
        EventLevelConfig(level="III", min_heat=100, min_size=10, min_negative_share=0.3),
    ]


class EventsConfig(BaseModel):
    """Online event clustering, heat, levels and spikes (pipeline/events.py,
    pipeline/heat.py, pipeline/spikes.py): ``window_hours`` an event stays
    open for new items; ``threshold`` the cosine an item needs with an event's
    centroid to join it; ``media_weights`` of the heat formula; ``levels`` the
    I-III table; a spike is ``spike_recent_hours`` of volume against the
    ``spike_baseline_hours`` before, at ``spike_sensitivity`` standard deviations."""

    model_config = ConfigDict(extra="forbid")

    window_hours: float = Field(default=72.0, gt=0)
    threshold: float = Field(default=0.1, gt=0)
    media_weights: dict[str, float] = Field(default_factory=dict)
    levels: list[EventLevelConfig] = Field(default_factory=_default_levels)
    spike_recent_hours: float = Field(default=1.0, gt=0)
    spike_baseline_hours: float = Field(default=12.0, gt=0)
    spike_sensitivity: float = Field(default=3.0, gt=0)

    @field_validator("media_weights")
    @classmethod
    def _known_media(cls, value: dict[str, float]) -> dict[str, float]:
        one_of(MEDIA_TYPES)(list(value))
        return value

    @field_validator("levels")
    @classmethod
    def _known_levels(cls, value: list[EventLevelConfig]) -> list[EventLevelConfig]:
        bad = [row.level for row in value if row.level not in ("I", "II", "III")]
        if bad:
            raise ValueError(f"event levels must be I, II or III (IV is the default), got {bad}")
        return value


class ReportScheduleConfig(BaseModel):
    """A report made and sent on time by `yuqing run` (reports/schedule.py): ``kind``
    daily, weekly or monthly, made at local time ``at`` (HH:MM) on every day, on
    ``weekday`` (1 = Monday) for weekly, on ``day`` of the month for monthly; it
    covers the last complete period and goes to the alert ``channels`` as ``format``."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    kind: str = "daily"
    at: str = "08:00"
    weekday: int = Field(default=1, ge=1, le=7)
    day: int = Field(default=1, ge=1, le=28)
    format: str = "pdf"
    scheme: str | None = None
    channels: list[str] = Field(default_factory=list)


class ReportsConfig(BaseModel):
    """Briefings (reports/): ``organisation`` on the cover, ``typical_posts`` quoted per report,
    ``output_dir``
    where scheduled reports are kept, and the ``schedules``."""

    model_config = ConfigDict(extra="forbid")

    organisation: str = "舆情监测中心"
    typical_posts: int = Field(default=5, ge=1, le=50)
    output_dir: str = "reports"
    schedules: list[ReportScheduleConfig] = Field(default_factory=list)


class WebConfig(BaseModel):
    """The web app (web/auth.py): ``push_token`` that ``POST /api/items`` accepts
    (``X-Push-Token`` header; usually ``{"$env": ...}``), ``session_hours`` a
    login lasts, ``secure_cookies`` (set behind HTTPS), and ``base_url``, the
    address people reach the web app at: links in alerts (acknowledge, alert
    list) and evidence links in reports start with it."""

    model_config = ConfigDict(extra="forbid")

    base_url: str = f"http://127.0.0.1:{DEFAULT_PORT}"
    push_token: str | None = None
    session_hours: float = Field(default=12.0, gt=0)
    secure_cookies: bool = False


#: the built-in stages and where they run (lower runs first), the base that
#: ``[pipeline] stages`` amends (Scrapy's ``ITEM_PIPELINES_BASE`` idea)
BUILTIN_STAGE_ORDER: dict[str, int] = {
    "dedup": 100, "segment": 200, "sentiment": 300, "sensitive": 400, "incidents": 450,
    "places": 500, "keywords": 600, "handling": 700, "schemes": 800, "events": 900}


def _stage_order(value: Any) -> int:
    """Return a ``[pipeline] stages`` value as an order (``false`` is 0: switched off);
    raises ValueError for anything but a whole number >= 0 or false."""
    if value is False:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{value!r} is not a stage order: a whole number >= 0, "
                         "or 0/false to switch the stage off")
    return value


class PipelineConfig(BaseModel):
    """The pipeline: ``stages`` maps a stage name to its order (lower runs first), or to
    ``0``/``false`` to switch it off. Entries amend :data:`BUILTIN_STAGE_ORDER`, so a
    plugin stage is added with one line (``shout = 850``). Whether every name is a
    registered stage is checked by the composition root (runtime/checks.py)."""

    model_config = ConfigDict(extra="forbid")

    stages: dict[str, Annotated[int, BeforeValidator(_stage_order)]] = Field(
        default_factory=dict)

    def stage_order(self) -> tuple[str, ...]:
        """Return the names of the stages that run, in order (ties: built-ins first, then
        as written)."""
        merged: dict[str, int] = {**BUILTIN_STAGE_ORDER, **self.stages}
        return tuple(name for name, order in sorted(merged.items(), key=lambda kv: kv[1])
                     if order)


class RetentionConfig(BaseModel):
    """How long collected items stay in the database: items published more than
    ``items_days`` days ago are written to ``archive_dir`` (gzip-compressed JSON Lines,
    one file per run) and removed; cases, petitions, alerts and the audit logs are kept,
    and so are items a case links or a stored report quotes. Off (None) by default."""

    model_config = ConfigDict(extra="forbid")

    items_days: int | None = Field(default=None, ge=1)
    archive_dir: Path = Path("archive")


class LlmConfig(BaseModel):
    """An optional language model (assist/): any OpenAI-compatible chat-completions endpoint
    (a local Ollama or vLLM, or a cloud service the office may use). ``base_url`` is the
    API root that ``/chat/completions`` is appended to (Ollama: ``http://127.0.0.1:11434/v1``);
    ``model`` the model name; ``api_key`` a bearer key (usually ``{"$env": ...}``; none for a
    local server); ``timeout`` seconds per request. Events of at least ``min_event_size``
    items get a summary, written again after ``refresh_minutes`` when the event grew;
    ``max_items`` items at most are sent per summary. Absent: nothing is sent anywhere."""

    model_config = ConfigDict(extra="forbid")

    base_url: str
    model: str = Field(min_length=1)
    api_key: str | None = None
    timeout: float = Field(default=60.0, gt=0)
    max_items: int = Field(default=20, ge=1, le=200)
    min_event_size: int = Field(default=3, ge=1)
    refresh_minutes: float = Field(default=60.0, ge=0)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or len(value) < 10:
            raise ValueError(f"{value!r}: expected an http:// or https:// address, e.g. "
                             "http://127.0.0.1:11434/v1")
        return value.rstrip("/")


class Config(BaseModel):
    """The whole monitoring config file."""

    model_config = ConfigDict(extra="forbid")

    database_url: str | None = None
    broker_url: str | None = None
    timezone: str = DEFAULT_TIMEZONE
    language: str = "zh"
    sources: list[SourceConfig] = Field(default_factory=list)
    schemes: list[SchemeConfig] = Field(default_factory=list)
    lexicons: list[LexiconConfig] = Field(default_factory=builtin_lexicons)
    segment: SegmentConfig = Field(default_factory=SegmentConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    reports: ReportsConfig = Field(default_factory=ReportsConfig)
    events: EventsConfig = Field(default_factory=EventsConfig)
    column_mappings: dict[str, dict[str, str]] = Field(default_factory=dict)
    deadlines: DeadlinesConfig = Field(default_factory=DeadlinesConfig)
    cases: CasesConfig = Field(default_factory=CasesConfig)
    web: WebConfig = Field(default_factory=WebConfig)
    pipeline: PipelineConfig = Field(default_factory=PipelineConfig)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
    llm: LlmConfig | None = None
    base_dir: Path = Field(default=Path("."), exclude=True)

    _zone = field_validator("timezone")(_known_zone)
    _origin: str = PrivateAttr(default="config")

    @field_validator("sources")
    @classmethod
    def _unique_sources(cls, value: list[SourceConfig]) -> list[SourceConfig]:
        _unique_names("source", [s.name for s in value])
        return value

    @field_validator("schemes")
    @classmethod
    def _unique_schemes(cls, value: list[SchemeConfig]) -> list[SchemeConfig]:
        _unique_names("scheme", [s.name for s in value])
        return value

    @property
    def origin(self) -> str:
        """The config file's name as given (``"config"`` for a mapping): errors name it."""
        return self._origin

    def resolve_path(self, path: str) -> Path:
        """Return ``path`` relative to the config file's folder unless absolute."""
        return _under(self.base_dir, path)


def _under(base: Path, path: str) -> Path:
    """``path`` with ``~`` expanded, under ``base`` unless it is absolute."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else base / p


def resolve_env_secrets(value: Any, env: Mapping[str, str] | None = None) -> Any:
    """Replace every ``{"$env": "NAME"}`` in ``value`` by ``env[NAME]``.

    Raises BadInput naming the variable when it is not set.
    """
    environ: Mapping[str, str] = os.environ if env is None else env
    if isinstance(value, dict):
        if set(value) == {"$env"}:
            name = value["$env"]
            if name not in environ:
                raise BadInput(f"config refers to environment variable {name}, which is not set")
            return environ[name]
        return {k: resolve_env_secrets(v, environ) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_env_secrets(v, environ) for v in value]
    return value


#: the settings that resolve flag > environment ``YUQING_<NAME>`` > config file > default
#: (docs/INTERFACES.md): the top-level scalar keys of the config file. Flags: ``--db`` for
#: database_url, ``--timezone`` (`yuqing ingest`) for timezone, ``--broker`` (`yuqing
#: worker`, `yuqing scheduler`) for broker_url.
ENV_SETTINGS = ("database_url", "broker_url", "timezone", "language")


def env_name(setting: str) -> str:
    """Return the environment variable of ``setting``: ``YUQING_`` + its name in capitals."""
    return f"YUQING_{setting.upper()}"


def environment_settings(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return ``{setting: value}`` for each of :data:`ENV_SETTINGS` whose variable is set
    (an empty variable counts as unset). Each value is validated against the schema of
    the config key: raises BadInput naming the variable (``YUQING_TIMEZONE: 'Mars/Base' is
    not ...``). The language and the database URL are checked by the composition root
    (runtime/checks.py check_environment), which knows the languages and the store.
    """
    environ: Mapping[str, str] = os.environ if env is None else env
    found = {name: environ[env_name(name)] for name in ENV_SETTINGS
             if environ.get(env_name(name))}
    for name, value in found.items():
        try:
            Config.model_validate({name: value})
        except ValidationError as exc:
            problem = exc.errors()[0]["msg"].removeprefix("Value error, ")
            raise BadInput(f"{env_name(name)}: {problem}") from None
    return found


def load_config(path: Path | str | None, env: Mapping[str, str] | None = None) -> Config:
    """Load the config file at ``path`` (``./yuqing.toml`` when None and present), with
    the settings of :func:`environment_settings` (``env``, default the process
    environment) taking precedence over the file's.

    Returns the default Config (with those settings) when no file is given or found.
    Raises BadInput naming the file and the problem when it cannot be read,
    is not valid TOML, or does not fit the schema, and naming the variable when an
    environment value is invalid.
    """
    if path is None:
        default = Path("yuqing.toml")
        if not default.exists():
            return Config.model_validate(environment_settings(env))
        path = default
    p = Path(path)
    return config_from_data(read_config_data(p), base_dir=p.resolve().parent, name=str(p),
                            env=env)


def read_config_data(path: Path) -> dict[str, Any]:
    """Return the mapping of the TOML config file at ``path`` (secrets not resolved).
    Raises BadInput naming the file when it cannot be read or is not valid TOML."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BadInput(f"{path}: config file not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: not a valid TOML file: {exc}") from exc


def config_from_data(data: dict[str, Any], *, base_dir: Path, name: str,
                     env: Mapping[str, str] | None = None) -> Config:
    """Validate the mapping of a config file (:func:`read_config_data`, or the live settings
    merged into it: runtime/live_settings.py) as :func:`load_config` does: the settings of
    :func:`environment_settings` win, then :func:`parse_config`. Raises BadInput naming
    ``name`` (or the variable) and the problem."""
    return parse_config({**data, **environment_settings(env)}, base_dir=base_dir, name=name)


def parse_config(data: dict[str, Any], *, base_dir: Path = Path("."),
                 name: str = "config") -> Config:
    """Validate a config mapping against the schema; raises BadInput naming ``name`` and
    the field. ``name`` is kept as :attr:`Config.origin`.

    Checks that need other subsystems (configured files readable, case policies, report
    schedules, alert channels and rules, schemes, stage names, language, database URL)
    are not made here: the composition root makes them (runtime/checks.py), naming
    ``name`` too, for every command that loads the config.
    """
    unknown = unknown_keys(data, Config)
    try:
        cfg = Config.model_validate(resolve_env_secrets(data))
    except ValidationError as exc:
        problems = unknown + [p for err in exc.errors()
                              if (p := schema_problem(err, data)) is not None]
        raise BadInput(f"{name}: {'; '.join(problems)}") from None
    if unknown:
        raise BadInput(f"{name}: {'; '.join(unknown)}")
    cfg.base_dir = base_dir
    cfg._origin = name
    for source in cfg.sources:
        source._base_dir = base_dir
    return cfg


#: the noun of an entry of each list of named tables, for messages (``source 'xx'``)
ENTRY_NOUNS = {"sources": "source", "schemes": "scheme", "alerts.channels": "alert channel",
               "alerts.rules": "alert rule", "cases.units": "unit", "cases.users": "user",
               "deadlines.policies": "deadline policy", "reports.schedules": "report schedule"}


def _child(node: Any, part: str | int) -> Any:
    """Return ``node[part]`` of the raw config (a table's key, a list's index), or None."""
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def table_label(path: Sequence[str | int], data: Any) -> str:
    """Return how messages name the table at ``path`` (keys and list indexes) of the raw
    config ``data``: ``source 'xx' (kind rss)`` for an entry of a list of named tables
    (:data:`ENTRY_NOUNS`), ``lexicons[0]`` for another entry, ``[alerts]`` for a table,
    ``""`` for the top level."""
    label, keys, node = "", [], data
    for part in path:
        node = _child(node, part)
        if not isinstance(part, int):
            keys.append(str(part))
            continue
        table = ".".join(keys)
        noun = "" if label else ENTRY_NOUNS.get(table, "")
        name = node.get("name") if isinstance(node, dict) else None
        kind = node.get("kind") if isinstance(node, dict) else None
        if noun and isinstance(name, str):
            label = f"{noun} {shown(name)}" + (f" (kind {kind})" if isinstance(kind, str) else "")
        else:
            label = f"{label}.{table}[{part}]" if label else f"{table}[{part}]"
        keys = []
    rest = ".".join(keys)
    if label:
        return f"{label}.{rest}" if rest else label
    return f"[{rest}]" if rest else ""


def shown(value: Any, limit: int = 40) -> str:
    """Return ``repr(value)`` for a message, a text longer than ``limit`` characters cut
    with "…" and its length named (a 5,000-character name does not fill the screen)."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value)} characters)"
    return repr(value)


def at(table: str, text: str) -> str:
    """Return ``text`` placed in ``table`` (a :func:`table_label`): ``table: text``."""
    return f"{table}: {text}" if table else text


def _submodel(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """Return ``(model, many)``: the model a field of type ``annotation`` holds (``X``,
    ``X | None``, ``list[X]``), ``many`` True for a list; ``(None, False)`` otherwise."""
    origin = get_origin(annotation)
    if origin is list:
        inner, _ = _submodel(get_args(annotation)[0])
        return inner, inner is not None
    if origin in (Union, UnionType):
        for arg in get_args(annotation):
            inner, many = _submodel(arg)
            if inner is not None:
                return inner, many
        return None, False
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


def unknown_keys(data: Any, model: type[BaseModel],
                 path: tuple[str | int, ...] = (), root: Any = None) -> list[str]:
    """Return ``table: unknown key 'k' — did you mean 'x'?`` for every key of the raw
    config ``data`` (at ``path`` of ``root``) that ``model`` and its sub-tables do not
    declare. Tables whose model allows extra keys (sources, alert channels: their kind's
    options) are left to the composition root (runtime/checks.py), which knows the kinds."""
    root = data if root is None else root
    if not isinstance(data, dict):
        return []
    fields = {info.alias or key: info for key, info in model.model_fields.items()
              if not info.exclude}
    problems = []
    if model.model_config.get("extra") == "forbid":
        problems += [at(table_label(path, root), unknown_key(str(k), fields))
                     for k in data if k not in fields]
    for key, info in fields.items():
        sub, many = _submodel(info.annotation)
        value = data.get(key)
        if sub is None or value is None:
            continue
        entries = list(enumerate(value)) if many and isinstance(value, list) else []
        for i, entry in entries:
            problems += unknown_keys(entry, sub, (*path, key, i), root)
        if not many:
            problems += unknown_keys(value, sub, (*path, key), root)
    return problems


def schema_problem(error: Any, data: Any) -> str | None:
    """Return one pydantic ``error`` (of the config ``data``) in our wording, naming the
    table (:func:`table_label`) and the key, without pydantic's jargon; None for an
    unknown key (:func:`unknown_keys` words those)."""
    kind, msg, loc = error["type"], str(error["msg"]), list(error["loc"])
    if kind == "extra_forbidden":
        return None
    node: Any = data
    for part in loc:
        node = _child(node, part)
    if isinstance(node, dict) and kind == "value_error":  # a check of the whole table
        return at(table_label(loc, data), msg.removeprefix("Value error, "))
    suffix = ""
    while loc and isinstance(loc[-1], int):
        suffix = f"[{loc.pop()}]{suffix}"
    key = f"{loc.pop() if loc else ''}{suffix}"
    table = table_label(loc, data)
    if kind == "missing":
        return at(table, f"missing required key {key!r}")
    if kind == "value_error":
        return at(table, f"{key}: {msg.removeprefix('Value error, ')}")
    return at(table, f"{key}: {msg.removeprefix('Input ')}, got {shown(error.get('input'))}")


def resolve_setting(name: str, flag: Any, file_value: Any, default: Any) -> Any:
    """Resolve setting ``name`` (one of :data:`ENV_SETTINGS`): ``flag`` when not None, else
    ``YUQING_<NAME>`` (validated: :func:`environment_settings`), else ``file_value`` when
    not None, else ``default``. Raises KeyError for a name that is not a setting."""
    if name not in ENV_SETTINGS:
        raise KeyError(f"{name!r} is not a setting; settings: {', '.join(ENV_SETTINGS)}")
    if flag is not None:
        return flag
    env = environment_settings()
    if name in env:
        return env[name]
    return default if file_value is None else file_value
