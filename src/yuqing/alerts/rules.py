"""Alert rules: turn stored items into :class:`~yuqing.domain.Alert` objects.

The first rule kind, ``match`` (:class:`MatchRule`), fires one alert per item
that matches a scheme of the rule and is negative or sensitive. The alert's
``dedup_key`` is ``"{rule name}:{item key}"``, so the store's outbox (unique
``dedup_key``) never records, and so never sends, the same alert twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from yuqing.alerts.render import DEFAULT_LANG, DEFAULT_TZ, alert_body, alert_title, messages
from yuqing.config import Config, RuleConfig
from yuqing.domain import Alert, Item

Clock = Callable[[], datetime]
DEFAULT_RULE_NAME = "default"


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class MatchRule:
    """A ``match`` rule built from one :class:`RuleConfig`.

    Fires for an item that (a) has a scheme in ``cfg.schemes`` (any scheme
    when that list is empty), (b) is negative when ``cfg.negative`` or
    sensitive when ``cfg.sensitive`` (when both flags are off, every scheme
    match fires), (c) is not a duplicate (``duplicate_of is None``), not an
    update of a stored item (``is_update`` False) and not rejected.
    ``lang`` picks the message table (render.MESSAGES), ``tz`` the IANA zone
    of times in the body; ``clock`` returns aware UTC ``created_at`` values.
    Raises BadInput when ``lang`` is not known.
    """

    def __init__(self, cfg: RuleConfig, *, lang: str = DEFAULT_LANG, tz: str = DEFAULT_TZ,
                 clock: Clock = utc_now) -> None:
        messages(lang)
        self.cfg = cfg
        self.name = cfg.name
        self.channels = list(cfg.channels)
        self.level = cfg.level
        self.lang = lang
        self.tz = tz
        self.clock = clock
        self._schemes = frozenset(cfg.schemes)

    def matched_schemes(self, item: Item) -> list[str]:
        """Return the schemes of ``item`` this rule watches, in the item's order."""
        if not self._schemes:
            return list(item.schemes)
        return [s for s in item.schemes if s in self._schemes]

    def reasons(self, item: Item) -> list[str]:
        """Return the reasons (``"negative"``, ``"sensitive"``) that make ``item`` fire."""
        out = []
        if self.cfg.negative and item.is_negative:
            out.append("negative")
        if self.cfg.sensitive and item.is_sensitive:
            out.append("sensitive")
        return out

    def evaluate(self, items: list[Item]) -> list[Alert]:
        """Return one Alert per item of ``items`` that fires, in item order."""
        now = self.clock()
        either = self.cfg.negative or self.cfg.sensitive
        alerts = []
        for item in items:
            if item.duplicate_of is not None or item.is_update or item.rejected is not None:
                continue
            if not item.schemes:
                continue
            schemes = self.matched_schemes(item)
            if not schemes:
                continue
            reasons = self.reasons(item)
            if either and not reasons:
                continue
            alerts.append(self.make_alert(item, schemes[0], reasons, now))
        return alerts

    def make_alert(self, item: Item, scheme: str, reasons: list[str], now: datetime) -> Alert:
        """Return the Alert of this rule about ``item`` (matched ``scheme``, ``reasons``)."""
        return Alert(
            rule=self.name,
            dedup_key=f"{self.name}:{item.key}",
            title=alert_title(item, scheme, reasons, self.lang),
            body=alert_body(item, self.lang, self.tz),
            item_keys=[item.key],
            created_at=now,
            level=self.level,
            channels=list(self.channels),
        )


def default_rule(*, lang: str = DEFAULT_LANG, tz: str = DEFAULT_TZ,
                 clock: Clock = utc_now) -> MatchRule:
    """Return the rule used when the config has none.

    "An item that matches a scheme and is negative or sensitive", level IV,
    sent to the ``console`` channel.
    """
    cfg = RuleConfig(name=DEFAULT_RULE_NAME, schemes=[], negative=True, sensitive=True,
                     channels=["console"], level="IV")
    return MatchRule(cfg, lang=lang, tz=tz, clock=clock)


def build_rules(config: Config, *, clock: Clock = utc_now) -> list[MatchRule]:
    """Return the rules of ``config.alerts.rules`` (``[default_rule()]`` when there are none).

    Messages use ``config.language`` and times ``config.timezone``. Raises
    BadInput when the language is not known.
    """
    lang, tz = config.language, config.timezone
    if not config.alerts.rules:
        return [default_rule(lang=lang, tz=tz, clock=clock)]
    return [MatchRule(rc, lang=lang, tz=tz, clock=clock) for rc in config.alerts.rules]


def evaluate_all(rules: list[MatchRule], items: list[Item]) -> list[Alert]:
    """Return the alerts of every rule over ``items`` (rule order, then item order)."""
    return [alert for rule in rules for alert in rule.evaluate(items)]
