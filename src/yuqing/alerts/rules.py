"""Alert rules: turn stored items into :class:`~yuqing.domain.Alert` objects.

The first rule kind, ``match`` (:class:`MatchRule`), fires for items that
match a scheme of the rule, are negative, sensitive or an incident (each as
the rule asks), and pass every filter the rule sets (sensitive categories,
incident categories, media types, designated sources, keywords, event level,
spike, handling class, hot-list facts). A sensitive hit of the ``incidents`` lexicon counts
only when the incidents stage saw a happening (``item.incident``): on its own
it would alert on a how-to post (夏天如何预防食物中毒) or a drill; and no hit counts
that its clause frames as advice, a service, a notice or a denial
(pipeline/polarity.py ``frame``: 欢迎举报违纪, 信访工作会议, 如何投诉医疗纠纷). Items of one
event (``item.event_id``, set by the events stage) make ONE story and one alert;
an item without an event is its own story. The alert's ``dedup_key`` is
``"{rule}:{story}"`` (story = ``event:<id>`` or the item key), so the
store's outbox (unique ``dedup_key``) never records, and so never sends,
the same alert twice; updates of a growing story and the storm limiter are
in alerts/policy.py.

Event fields read from ``item.extra``: ``event_level`` (``I``..``IV``, I the
gravest) and ``event_size`` (items in the event), which the pipeline copies
from the stored event before alerting (AlertPolicy.annotate); ``item.spike``
(set by the events stage). A filter on a field the item does not carry
fails.

Hot-list facts (``hotlist = ["entered", "rising"]``) are read from
``item.extra["hotlist_change"]`` (sources/hotlist/source.py). A topic is one item,
so its "rising" or "left" arrives as an update of the stored topic: a rule with
``hotlist`` fires for such an update when it carries one of the rule's facts
(never for a plain update), and its story key ends with ``#hotlist:<fact>``, so
each fact of a topic alerts once (an "entered" alert does not swallow the later
"rising" one). The fact joins the alert's reasons (``hotlist_entered``...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from yuqing.alerts.render import DEFAULT_LANG, DEFAULT_TZ, alert_body, alert_title, messages
from yuqing.config import Config, RuleConfig
from yuqing.domain import BACKFILL, Alert, BadInput, Item
from yuqing.pipeline.polarity import frame

Clock = Callable[[], datetime]
DEFAULT_RULE_NAME = "default"
#: the sensitive-lexicon category whose hits need ``item.incident`` to make an item sensitive
INCIDENT_LEXICON = "incidents"
#: alert levels, gravest first (I 特别重大 .. IV 一般, the four-level scale of Chinese
#: emergency plans, 国家突发公共事件总体应急预案 2006)
LEVELS = ("I", "II", "III", "IV")


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def level_rank(level: str | None) -> int:
    """Return 0 for I .. 3 for IV, 4 for None or an unknown level (least grave)."""
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def check_level(level: str, where: str) -> str:
    """Return ``level`` when it is one of LEVELS; raises BadInput naming ``where``."""
    if level not in LEVELS:
        raise BadInput(f"{where}: level {level!r} is not one of {', '.join(LEVELS)}")
    return level


@dataclass
class Story:
    """Items of one story that fired a rule in one batch.

    ``key`` is ``event:<id>`` or the item key; ``items`` in batch order;
    ``scheme`` the first matched scheme of the first item; ``reasons``
    message keys; ``level`` the gravest of the rule level and the event level.
    """

    key: str
    items: list[Item]
    scheme: str
    reasons: list[str]
    level: str
    size: int = 0
    extra_reasons: list[str] = field(default_factory=list)


class MatchRule:
    """A ``match`` rule built from one :class:`RuleConfig`.

    Fires for an item that (a) has a scheme in ``cfg.schemes`` (any scheme
    when that list is empty), (b) is negative when ``cfg.negative``,
    sensitive when ``cfg.sensitive`` (see :meth:`reasons`) or an incident when
    ``cfg.incident`` (when the three flags are off, every scheme match fires),
    (c) passes the filters of the config (module docstring),
    (d) is not a duplicate (``duplicate_of is None``), not an update of a
    stored item (``is_update`` False), not rejected and not back-fill (the flag
    domain.BACKFILL: published before its source was first polled). ``lang`` picks the
    message table (render.MESSAGES), ``tz`` the IANA zone of times in the
    body; ``clock`` returns aware UTC ``created_at`` values. Raises BadInput
    when ``lang`` or a level is not known.
    """

    def __init__(self, cfg: RuleConfig, *, lang: str = DEFAULT_LANG, tz: str = DEFAULT_TZ,
                 clock: Clock = utc_now, groups: dict[str, list[str]] | None = None) -> None:
        messages(lang)
        where = f"alert rule {cfg.name!r}"
        self.cfg = cfg
        self.name = cfg.name
        self.level = check_level(cfg.level, where)
        self.min_rank = level_rank(check_level(cfg.min_level, where)) if cfg.min_level else None
        self.channels = expand_channels(cfg.channels, cfg.groups, groups or {}, where)
        self.escalation = [expand_channels([step], [], groups or {}, where)
                           for step in cfg.escalation]
        self.lang = lang
        self.tz = tz
        self.clock = clock
        self._schemes = frozenset(cfg.schemes)
        self._categories = frozenset(cfg.categories)
        self._incident_categories = frozenset(cfg.incident_categories)
        self._media = frozenset(cfg.media_types)
        self._sources = frozenset(cfg.sources)
        self._classes = frozenset(cfg.handling_classes)
        self._hotlist = frozenset(cfg.hotlist)

    def matched_schemes(self, item: Item) -> list[str]:
        """Return the schemes of ``item`` this rule watches, in the item's order."""
        if not self._schemes:
            return list(item.schemes)
        return [s for s in item.schemes if s in self._schemes]

    def reasons(self, item: Item) -> list[str]:
        """Return the reasons (``"negative"``, ``"sensitive"``, ``"incident"``) that make
        ``item`` fire. Hits of the ``incidents`` lexicon alone make an item sensitive only
        when it has an incident, and a hit framed as advice, a service or a denial does
        not count (module docstring)."""
        out = []
        if self.cfg.negative and item.is_negative:
            out.append("negative")
        if self.cfg.sensitive and any(
                (h.category != INCIDENT_LEXICON or item.incident)
                and frame(item.text, h.start, h.end) is None for h in item.sensitive_terms):
            out.append("sensitive")
        if self.cfg.incident and item.incident:
            out.append("incident")
        return out

    def hotlist_fact(self, item: Item) -> str | None:
        """Return the hot-list fact of ``item`` when this rule asks for it, else None."""
        fact = item.extra.get("hotlist_change")
        return fact if fact in self._hotlist else None

    def passes_filters(self, item: Item) -> bool:
        """Return True when ``item`` passes every filter the rule sets."""
        cfg = self.cfg
        if self._media and item.media_type not in self._media:
            return False
        if self._sources and item.source not in self._sources:
            return False
        if self._categories and not any(h.category in self._categories
                                        for h in item.sensitive_terms):
            return False
        if self._incident_categories and (
                not item.incident or item.incident["category"] not in self._incident_categories):
            return False
        if cfg.keywords and not any(k in item.match_text for k in cfg.keywords):
            return False
        if self._classes and item.handling_class not in self._classes:
            return False
        if cfg.spike and not item.spike:
            return False
        if self._hotlist and self.hotlist_fact(item) is None:
            return False
        return self.min_rank is None or level_rank(item.extra.get("event_level")) <= self.min_rank

    def fires(self, item: Item) -> tuple[list[str], list[str]] | None:
        """Return ``(matched schemes, reasons)`` when ``item`` fires this rule, else None.

        An update fires only with a hot-list fact the rule asks for (module doc)."""
        fact = self.hotlist_fact(item)
        if item.duplicate_of is not None or item.rejected is not None or (
                item.is_update and fact is None) or BACKFILL in item.flags:
            return None
        schemes = self.matched_schemes(item) if item.schemes else []
        if not schemes:
            return None
        reasons = self.reasons(item)
        if (self.cfg.negative or self.cfg.sensitive or self.cfg.incident) and not reasons:
            return None
        if not self.passes_filters(item):
            return None
        return schemes, [*reasons, f"hotlist_{fact}"] if fact else reasons

    def stories(self, items: list[Item]) -> list[Story]:
        """Return the stories of ``items`` that fire, in order of their first item."""
        out: dict[str, Story] = {}
        for item in items:
            hit = self.fires(item)
            if hit is None:
                continue
            key = f"event:{item.event_id}" if item.event_id else item.key
            if self._hotlist:
                key += f"#hotlist:{self.hotlist_fact(item)}"
            event_level = item.extra.get("event_level")
            level = min(self.level, event_level, key=level_rank) if event_level else self.level
            story = out.get(key)
            if story is None:
                out[key] = Story(key, [item], hit[0][0], hit[1], level,
                                 size=int(item.extra.get("event_size") or 1))
                continue
            story.items.append(item)
            story.level = min(story.level, level, key=level_rank)
            story.size = max(story.size, len(story.items), int(item.extra.get("event_size") or 0))
        return list(out.values())

    def evaluate(self, items: list[Item]) -> list[Alert]:
        """Return one Alert per story of ``items`` that fires (no state: see alerts/policy.py)."""
        now = self.clock()
        return [self.make_alert(s, now) for s in self.stories(items)]

    def make_alert(self, story: Story, now: datetime, *, suffix: str = "",
                   note: str | None = None) -> Alert:
        """Return the Alert of this rule about ``story``; ``suffix`` ends the dedup key
        (updates), ``note`` is a first body line (e.g. "更新：事件已达 40 条")."""
        first = story.items[0]
        body = alert_body(first, self.lang, self.tz)
        if note:
            body = f"{note}\n{body}"
        return Alert(
            rule=self.name,
            dedup_key=f"{self.name}:{story.key}{suffix}",
            title=alert_title(first, story.scheme, story.reasons, self.lang),
            body=body,
            item_keys=[it.key for it in story.items],
            created_at=now,
            level=story.level,
            channels=list(self.channels),
        )


def expand_channels(names: list[str], group_names: list[str], groups: dict[str, list[str]],
                    where: str) -> list[str]:
    """Return channel names: ``names`` (a name of ``groups`` stands for its channels)
    then the channels of ``group_names``, each once. Raises BadInput for an unknown group."""
    out: list[str] = []
    for name in names:
        out.extend(groups.get(name, [name]))
    for g in group_names:
        if g not in groups:
            raise BadInput(f"{where}: unknown group {g!r} (groups: {', '.join(groups) or 'none'})")
        out.extend(groups[g])
    return list(dict.fromkeys(out))


def default_rule(*, lang: str = DEFAULT_LANG, tz: str = DEFAULT_TZ,
                 clock: Clock = utc_now) -> MatchRule:
    """Return the rule used when the config has none.

    "An item that matches a scheme and is negative, sensitive or an incident", level
    IV, sent to the ``console`` channel.
    """
    cfg = RuleConfig(name=DEFAULT_RULE_NAME, schemes=[], negative=True, sensitive=True,
                     incident=True, channels=["console"], level="IV")
    return MatchRule(cfg, lang=lang, tz=tz, clock=clock)


def build_rules(config: Config, *, clock: Clock = utc_now) -> list[MatchRule]:
    """Return the rules of ``config.alerts.rules`` (``[default_rule()]`` when there are none).

    Messages use ``config.language`` and times ``config.timezone``. Raises
    BadInput when the language is not known.
    """
    lang, tz = config.language, config.timezone
    if not config.alerts.rules:
        return [default_rule(lang=lang, tz=tz, clock=clock)]
    groups = config.alerts.groups
    return [MatchRule(rc, lang=lang, tz=tz, clock=clock, groups=groups)
            for rc in config.alerts.rules]


def evaluate_all(rules: list[MatchRule], items: list[Item]) -> list[Alert]:
    """Return the alerts of every rule over ``items`` (rule order, then item order)."""
    return [alert for rule in rules for alert in rule.evaluate(items)]
