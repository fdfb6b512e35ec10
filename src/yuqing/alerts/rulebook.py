"""The alert rules of a running process, read from the store (one source of truth).

Rules live in the ``alert_rules`` table (store/alert_rules.py). At start-up
:meth:`RuleBook.seed` writes the config file's rules there (origin
``config``); a rule of the same name edited on the web (origin ``web``)
is kept as the web left it, and ``config`` rules no longer in the file are
removed. A config without rules stands for the built-in default rule
(rules.default_rule), which is seeded the same way, so it too is visible
and editable on the web.

:meth:`RuleBook.refresh` compares the table's signature (name, version and
time of every row, one small query) with the one it loaded, and reloads
when they differ: the pipeline calls it before each batch, so an edit on
the web applies to the next batch of every process (``yuqing run``, the
web app, ``ingest``) without a restart. A stored rule that no longer
validates against this process's config (say a channel was removed from
the file) is skipped and listed in ``problems``; a bad rule in the config
file itself stops the start with BadInput.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from yuqing.alerts.rule_check import RuleContext, RuleInvalid, check_rule, validate_rule
from yuqing.alerts.rules import Clock, MatchRule, default_rule, utc_now
from yuqing.config import Config, RuleConfig
from yuqing.domain import BadInput
from yuqing.store import Store
from yuqing.store.alert_rules import Signature

log = logging.getLogger(__name__)


def config_rule_bodies(config: Config) -> list[dict[str, Any]]:
    """Return the config's rules as bodies (``[default rule]`` when it has none)."""
    cfgs = config.alerts.rules or [default_rule().cfg]
    return [c.model_dump(mode="json") for c in cfgs]


def check_config_rules(config: Config) -> None:
    """Raise BadInput naming every rule of the config file that does not validate."""
    ctx = RuleContext.of(config)
    problems = []
    for body in config_rule_bodies(config):
        try:
            validate_rule(body, ctx)
        except RuleInvalid as exc:
            problems.append(f"[alerts.rules] {exc}")
    if problems:
        raise BadInput("; ".join(problems))


class RuleBook:
    """The enabled, valid rules of the store, as MatchRules, kept current.

    ``rules`` (list of MatchRule, store order) and ``problems`` (rule name ->
    message) are replaced on every load; ``clock`` goes to each MatchRule.
    Construction seeds the config's rules (``seed``) and loads; raises
    BadInput when a config rule is bad.
    """

    def __init__(self, config: Config, store: Store, *, clock: Clock = utc_now,
                 seed: bool = True) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.context = RuleContext.of(config)
        self.rules: list[MatchRule] = []
        self.problems: dict[str, str] = {}
        self._signature: Signature | None = None
        if seed:
            self.seed()
        self.load()

    def seed(self) -> dict[str, list[str]]:
        """Write the config file's rules to the store (module docstring); return what changed
        (store.alerts.seed_config_rules). Raises BadInput for a bad config rule."""
        check_config_rules(self.config)
        done = self.store.alerts.seed_config_rules(config_rule_bodies(self.config), self.clock())
        if done["kept_web"]:
            log.info("alert rules edited on the web kept over the config file: %s",
                     ", ".join(done["kept_web"]))
        return done

    def load(self) -> None:
        """Read every enabled rule of the store into ``rules`` (bad ones into ``problems``)."""
        with self.store.snapshot() as tx:
            signature = tx.alerts.rule_signature()
            rows = tx.alerts.list_rules()
        self.rules, self.problems = self.build(rows)
        self._signature = signature
        for name, why in self.problems.items():
            log.warning("alert rule %r skipped: %s", name, why)

    def retarget(self, config: Config) -> None:
        """Validate the stored rules against ``config`` (a new settings version: schemes and
        channels may have changed) and reload them."""
        self.config = config
        self.context = RuleContext.of(config)
        self.load()

    def refresh(self) -> bool:
        """Reload when the stored rules changed since the last load; return whether it did."""
        signature = self.store.alerts.rule_signature()
        if signature == self._signature:
            return False
        self.load()
        return True

    def build(self, rows: Iterable[Mapping[str, Any]]) -> tuple[list[MatchRule], dict[str, str]]:
        """Return (MatchRules of the enabled valid rows, {name: problem} of the others)."""
        rules, problems = [], {}
        for row in rows:
            if not row["enabled"]:
                continue
            try:
                cfg = RuleConfig.model_validate(row["body"])
            except ValidationError as exc:
                problems[row["name"]] = str(exc.errors()[0]["msg"])
                continue
            found = check_rule(cfg, self.context)
            if found:
                problems[row["name"]] = "; ".join(f"{p.field}: {p.text()}" for p in found)
                continue
            rules.append(MatchRule(cfg, lang=self.config.language, tz=self.config.timezone,
                                   clock=self.clock, groups=self.config.alerts.groups))
        return rules, problems

