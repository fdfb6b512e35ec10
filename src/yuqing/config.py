"""The monitoring config file (TOML) and the settings resolved from it.

One file holds sources, monitoring schemes, sensitive lexicons, segmentation
dictionaries, alert rules and channels. Settings resolve in the order of
INTERFACES.md: command-line flag > environment ``YUQING_<NAME>`` > config
file > built-in default, for the settings of :data:`ENV_SETTINGS`:
:func:`environment_settings` reads and validates the variables, :func:`load_config`
lets them win over the file, :func:`resolve_setting` adds a flag.

Secrets are never written into the file: a value ``{"$env": "NAME"}`` is
replaced by the environment variable ``NAME`` when the config is loaded
(idea from Datasette's ``resolve_env_secrets``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from yuqing.domain import BadInput

DEFAULT_DATABASE_URL = "sqlite:///yuqing.db"
DEFAULT_TIMEZONE = "Asia/Shanghai"
#: where `yuqing serve`, `run` and `demo --serve` listen by default
DEFAULT_PORT = 8000


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


def _known_language(code: str) -> str:
    """Return ``code`` when alert messages and the web app speak it; raises ValueError otherwise."""
    from yuqing.alerts.render import MESSAGES

    if code not in MESSAGES:
        raise ValueError(f"{code!r} is not a known language (known: {', '.join(MESSAGES)})")
    return code


def _database_url(url: str | None) -> str | None:
    """Return ``url`` when SQLAlchemy can read it as a URL; raises ValueError otherwise."""
    if url is None:
        return None
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(url)
    except ArgumentError:
        raise ValueError(f"{url!r} is not a SQLAlchemy URL "
                         "(e.g. sqlite:///yuqing.db, postgresql+psycopg://user@host/db)") from None
    return url


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

    name: str
    kind: str
    interval: float = Field(default=300.0, gt=0)
    timezone: str = DEFAULT_TIMEZONE
    media_type: str = "other"
    enabled: bool = True

    _zone = field_validator("timezone")(_known_zone)

    def option(self, key: str, default: Any = None) -> Any:
        """Return the kind-specific option ``key`` or ``default``."""
        return (self.model_extra or {}).get(key, default)


class SchemeConfig(BaseModel):
    """A monitoring scheme (监测方案): what one office watches.

    Matches when the normalised text contains a region word (if any are set)
    AND a subject word AND an event word (if any are set) AND no exclusion
    word; or when ``expression`` (AND, OR, NOT, parentheses, quoted phrases)
    is true. ``sources`` restricts the scheme to designated sources.
    """

    model_config = ConfigDict(extra="forbid")

    name: str
    region_words: list[str] = Field(default_factory=list)
    subject_words: list[str] = Field(default_factory=list)
    event_words: list[str] = Field(default_factory=list)
    exclusion_words: list[str] = Field(default_factory=list)
    expression: str | None = None
    sources: list[str] = Field(default_factory=list)


class LexiconConfig(BaseModel):
    """A sensitive lexicon: a file of terms (one per line, optional
    tab-separated category and weight columns). ``path`` is a file path or
    ``builtin:NAME`` for a lexicon shipped in the package; ``category`` is
    the default category of its terms."""

    model_config = ConfigDict(extra="forbid")

    path: str
    category: str = "sensitive"
    allow: list[str] = Field(default_factory=list)


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

    name: str
    kind: str

    def option(self, key: str, default: Any = None) -> Any:
        """Return the kind-specific option ``key`` or ``default``."""
        return (self.model_extra or {}).get(key, default)


class RuleConfig(BaseModel):
    """An alert rule. The first rule kind, ``match``, fires for an item that
    matches one of ``schemes`` (all schemes when empty) and is negative
    (when ``negative``) or sensitive (when ``sensitive``); every filter that
    is set must also hold (``categories`` of sensitive terms, ``media_types``,
    ``sources``, ``keywords``, ``min_level`` of the item's event, ``spike``,
    ``handling_classes``). Alerts are grouped per event (per item without
    one); ``window`` seconds bound re-alerts of a growing event and the storm
    cap ``max_per_window``. ``quiet_hours`` ("22:00-07:00", office zone) hold
    deliveries except for ``quiet_override_levels``. ``groups`` are names of
    ``alerts.groups`` (lists of channels) added to ``channels``;
    ``fallback`` channels are tried in order when delivery fails for good;
    ``escalation`` steps (channel or group names) are sent to, one per
    ``ack_timeout`` seconds, until someone acknowledges. See alerts/rules.py."""

    model_config = ConfigDict(extra="forbid")

    name: str
    schemes: list[str] = Field(default_factory=list)
    negative: bool = True
    sensitive: bool = True
    channels: list[str] = Field(default_factory=lambda: ["console"])
    level: str = "IV"
    categories: list[str] = Field(default_factory=list)
    media_types: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    min_level: str | None = None
    spike: bool = False
    handling_classes: list[int] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    window: float = Field(default=600.0, gt=0)
    max_per_window: int = Field(default=20, ge=1)
    realert: bool = True
    quiet_hours: str | None = None
    quiet_override_levels: list[str] = Field(default_factory=lambda: ["I", "II"])
    fallback: list[str] = Field(default_factory=list)
    escalation: list[str] = Field(default_factory=list)
    ack_timeout: float = Field(default=1800.0, gt=0)


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

    name: str
    hours: float | None = Field(default=None, gt=0)
    working_days: int | None = Field(default=None, ge=1)
    met_by: str = "replied"

    @model_validator(mode="after")
    def _one_measure(self) -> DeadlinePolicyConfig:
        if (self.hours is None) == (self.working_days is None):
            raise ValueError(f"deadline policy {self.name!r}: set exactly one of hours, working_days")
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
    ``leader`` overdue cases escalate to, and the alert ``channels`` that
    reach it."""

    model_config = ConfigDict(extra="forbid")

    name: str
    level: str = "county"
    parent: str | None = None
    leader: str | None = None
    channels: list[str] = Field(default_factory=lambda: ["console"])


class CaseUserConfig(BaseModel):
    """A person who acts on cases: ``unit`` and ``roles`` (monitor, handler, leader, admin)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    unit: str
    roles: list[str] = Field(default_factory=lambda: ["handler"])


class CasesConfig(BaseModel):
    """Case handling: units, users and their roles, and the deadline
    policies every new case starts (``policies``). With no ``users`` listed
    the role an actor gives is taken as stated."""

    model_config = ConfigDict(extra="forbid")

    units: list[UnitConfig] = Field(default_factory=list)
    users: list[CaseUserConfig] = Field(default_factory=list)
    policies: list[str] = Field(default_factory=lambda: ["first_response", "formal_answer"])


class EventLevelConfig(BaseModel):
    """One row of the event level table (I 特别重大, II 重大, III 较大): an event gets
    the first level, in order I -> III, whose every threshold it meets, else IV
    (一般). ``min_negative_share`` is the share of negative items, ``min_media_types``
    the number of distinct media types that carried it. See analytics/heat.py."""

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
    analytics/heat.py, analytics/trends.py): ``window_hours`` an event stays
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

    name: str
    kind: str = "daily"
    at: str = "08:00"
    weekday: int = Field(default=1, ge=1, le=7)
    day: int = Field(default=1, ge=1, le=28)
    format: str = "pdf"
    scheme: str | None = None
    channels: list[str] = Field(default_factory=list)


class ReportsConfig(BaseModel):
    """Briefings (reports/): ``organisation`` on the cover, ``typical_posts`` quoted per report, ``output_dir``
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


class Config(BaseModel):
    """The whole monitoring config file."""

    model_config = ConfigDict(extra="forbid")

    database_url: str | None = None
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
    base_dir: Path = Field(default=Path("."), exclude=True)

    _zone = field_validator("timezone")(_known_zone)
    _language = field_validator("language")(_known_language)
    _url = field_validator("database_url")(_database_url)

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

    def resolve_path(self, path: str) -> Path:
        """Return ``path`` relative to the config file's folder unless absolute."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else self.base_dir / p


def resolve_env_secrets(value: Any, env: dict[str, str] | None = None) -> Any:
    """Replace every ``{"$env": "NAME"}`` in ``value`` by ``env[NAME]``.

    Raises BadInput naming the variable when it is not set.
    """
    env = os.environ if env is None else env
    if isinstance(value, dict):
        if set(value) == {"$env"}:
            name = value["$env"]
            if name not in env:
                raise BadInput(f"config refers to environment variable {name}, which is not set")
            return env[name]
        return {k: resolve_env_secrets(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_env_secrets(v, env) for v in value]
    return value


def shipped_lexicons() -> list[str]:
    """Return the names of the lexicons shipped in ``yuqing/data/lexicons``, sorted."""
    from yuqing.pipeline.sensitive import builtin_lexicon_path  # imports this module

    return sorted(p.stem for p in builtin_lexicon_path("x").parent.glob("*.txt"))


def configured_files(config: Config) -> Iterator[tuple[str, str, Path]]:
    """Yield ``(key, value, path)`` for every file the config names that is read at start-up:
    ``lexicons[i].path`` (``builtin:NAME`` or a path) and ``segment.user_dicts[i]``;
    relative paths are under the config file's folder."""
    from yuqing.pipeline.sensitive import resolve_lexicon_path  # imports this module

    for i, lex in enumerate(config.lexicons):
        yield f"lexicons[{i}].path", lex.path, resolve_lexicon_path(lex.path, config.base_dir)
    for i, name in enumerate(config.segment.user_dicts):
        yield f"segment.user_dicts[{i}]", name, config.resolve_path(name)


def file_problems(config: Config) -> list[str]:
    """Return ``"key: 'value': problem"`` for each file of :func:`configured_files` that is
    missing, a folder or unreadable (an unknown ``builtin:`` name lists the shipped ones).
    A stage must not silently switch off because of a typo in the file's name."""
    problems = []
    for key, value, path in configured_files(config):
        try:
            with path.open("rb"):
                pass
        except FileNotFoundError:
            if value.startswith("builtin:"):
                problems.append(f"{key}: {value!r}: no such shipped lexicon "
                                f"(shipped: {', '.join(shipped_lexicons())})")
            else:
                problems.append(f"{key}: {value!r}: file {path} not found")
        except IsADirectoryError:
            problems.append(f"{key}: {value!r}: {path} is a folder, not a file")
        except OSError as exc:
            problems.append(f"{key}: {value!r}: {path} cannot be read ({exc.strerror or exc})")
    return problems


def _known(key: str, values: list[str], known: list[str] | tuple[str, ...], what: str) -> list[str]:
    """Return ``"key[i]: 'value' is not WHAT (known: ...)"`` for each value not in ``known``."""
    return [f"{key}[{i}]: {v!r} is not {what} (known: {', '.join(known) or 'none'})"
            for i, v in enumerate(values) if v not in known]


def case_problems(config: Config) -> list[str]:
    """Return problems of ``[cases]`` and ``[deadlines]``: a policy name in ``cases.policies``
    that no deadline policy has, a ``met_by`` that is not a case state (cases/workflow.py)."""
    from yuqing.cases.workflow import STATES  # imports this module

    policies = [p.name for p in config.deadlines.policies]
    problems = _known("cases.policies", config.cases.policies, policies, "a deadline policy")
    for i, p in enumerate(config.deadlines.policies):
        if p.met_by not in STATES:
            problems.append(f"deadlines.policies[{i}].met_by: {p.met_by!r} is not a case state "
                            f"(known: {', '.join(STATES)})")
    return problems


def schedule_problems(config: Config) -> list[str]:
    """Return problems of ``[[reports.schedules]]`` that `yuqing run` would refuse
    (reports/schedule.py check_schedule): kind, format, ``at`` not a time of day,
    no channel or one that is not an alert channel."""
    from yuqing.reports.formats import FORMATS
    from yuqing.reports.periods import PERIOD_KINDS

    channels = list(dict.fromkeys([c.name for c in config.alerts.channels] + ["console"]))
    problems = []
    for i, s in enumerate(config.reports.schedules):
        key = f"reports.schedules[{i}]"
        for field, value, known in (("kind", s.kind, PERIOD_KINDS), ("format", s.format, FORMATS)):
            if value not in known:
                problems.append(f"{key}.{field}: {value!r} is not one of {', '.join(known)}")
        try:
            time.fromisoformat(s.at)
        except ValueError:
            problems.append(f"{key}.at: {s.at!r} is not a time of day HH:MM (00:00 to 23:59)")
        if not s.channels:
            problems.append(f"{key}.channels: empty; name the alert channels it goes to")
        problems += _known(f"{key}.channels", s.channels, channels, "an alert channel")
    return problems


def alert_and_scheme_problems(config: Config) -> list[str]:
    """Return problems the pipeline would raise at start-up, each naming its key: an alert
    channel that cannot be built (unknown kind, bad option), an alert rule that does not
    validate (alerts/rulebook.py check_config_rules), a scheme whose expression does not
    parse or that could never match (pipeline/schemes.py)."""
    from yuqing.alerts.channels.registry import default_channel_registry
    from yuqing.alerts.rulebook import check_config_rules
    from yuqing.pipeline.schemes import CompiledScheme
    from yuqing.runtime.stages import match_form  # these modules import this one

    problems = []
    registry = default_channel_registry()
    for i, channel in enumerate(config.alerts.channels):
        try:
            registry.build(channel)
        except BadInput as exc:
            problems.append(f"alerts.channels[{i}]: {exc}")
    try:
        check_config_rules(config)
    except BadInput as exc:
        problems.append(str(exc))
    for i, scheme in enumerate(config.schemes):
        try:
            CompiledScheme.build(scheme, match_form)
        except BadInput as exc:
            problems.append(f"schemes[{i}]: {exc}")
    return problems


#: the settings that resolve flag > environment ``YUQING_<NAME>`` > config file > default
#: (INTERFACES.md): the top-level scalar keys of the config file. Flags: ``--db`` for
#: database_url, ``--timezone`` (`yuqing ingest`) for timezone.
ENV_SETTINGS = ("database_url", "timezone", "language")


def env_name(setting: str) -> str:
    """Return the environment variable of ``setting``: ``YUQING_`` + its name in capitals."""
    return f"YUQING_{setting.upper()}"


def environment_settings(env: dict[str, str] | None = None) -> dict[str, str]:
    """Return ``{setting: value}`` for each of :data:`ENV_SETTINGS` whose variable is set
    (an empty variable counts as unset). Each value is validated like the config key:
    raises BadInput naming the variable (``YUQING_TIMEZONE: 'Mars/Base' is not ...``)."""
    env = os.environ if env is None else env
    found = {name: env[env_name(name)] for name in ENV_SETTINGS if env.get(env_name(name))}
    for name, value in found.items():
        try:
            Config.model_validate({name: value})
        except ValidationError as exc:
            problem = exc.errors()[0]["msg"].removeprefix("Value error, ")
            raise BadInput(f"{env_name(name)}: {problem}") from None
    return found


def load_config(path: Path | str | None, env: dict[str, str] | None = None) -> Config:
    """Load the config file at ``path`` (``./yuqing.toml`` when None and present), with
    the settings of :func:`environment_settings` (``env``, default the process
    environment) taking precedence over the file's.

    Returns the default Config (with those settings) when no file is given or found.
    Raises BadInput naming the file and the problem when it cannot be read,
    is not valid TOML, or does not fit the schema, and naming the variable when an
    environment value is invalid.
    """
    overrides = environment_settings(env)
    if path is None:
        default = Path("yuqing.toml")
        if not default.exists():
            return Config.model_validate(overrides)
        path = default
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BadInput(f"{p}: config file not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"{p}: not a valid TOML file: {exc}") from exc
    return parse_config({**data, **overrides}, base_dir=p.resolve().parent, name=str(p))


def parse_config(data: dict[str, Any], *, base_dir: Path = Path("."), name: str = "config") -> Config:
    """Validate a config mapping; raises BadInput naming ``name`` and the field.

    Besides the schema, every file the config names (:func:`file_problems`) must be
    readable: a missing lexicon or user dictionary is an error here, not a skipped stage;
    case policies, report schedules, alert channels and rules and schemes are checked too
    (:func:`case_problems`, :func:`schedule_problems`, :func:`alert_and_scheme_problems`),
    so every such error names ``name`` (the config file) and `yuqing check` finds what
    `case open`, `run` or the pipeline would refuse.
    """
    try:
        cfg = Config.model_validate(resolve_env_secrets(data))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise BadInput(f"{name}: {problems}") from exc
    cfg.base_dir = base_dir
    found = (file_problems(cfg) + case_problems(cfg) + schedule_problems(cfg)
             + alert_and_scheme_problems(cfg))
    if found:
        raise BadInput(f"{name}: {'; '.join(found)}")
    return cfg


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
