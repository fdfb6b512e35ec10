"""Creating, changing and deleting alert rules from the web, validated and audited.

:class:`RuleEditor` is what the rules page and the ``/api/alert-rules`` API
share: every write validates the body with alerts/rule_check.py (the config
file's own model and checks), stores it with origin ``web`` (so the config
file no longer overrides it at start-up, alerts/rulebook.py) and appends an
entry to the web audit log in the same transaction. :func:`form_body` turns
the page's form into a rule body.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from yuqing.alerts.rule_check import (
    RuleContext,
    RuleInvalid,
    RuleProblem,
    check_rule,
    validate_rule,
)
from yuqing.alerts.rulebook import config_rule_bodies
from yuqing.config import Config, RuleConfig
from yuqing.store import Store

#: form fields holding lists typed as text (one per line, or separated by ， 、 ; ,)
TEXT_LISTS = ("categories", "sources", "keywords", "fallback", "escalation")
#: form fields holding lists chosen with check boxes
CHECK_LISTS = ("schemes", "media_types", "handling_classes", "channels", "groups",
               "quiet_override_levels", "incident_categories", "hotlist")
BOOLS = ("negative", "sensitive", "incident", "spike", "realert")
#: optional single values: an empty box means "unset" (min_level, quiet_hours) or the default
SINGLE = ("level", "min_level", "quiet_hours", "window", "max_per_window", "ack_timeout")
_SPLIT = re.compile(r"[\n\r,，、;；]+")


class RuleNotFound(LookupError):
    """No stored rule has this name."""


class RuleConflict(RuleInvalid):
    """The change cannot be made as asked (stale version, rule of the config file...)."""


def split_list(text: str) -> list[str]:
    """Return the non-empty entries of ``text`` (one per line or separated by ， 、 ; ,)."""
    return [p.strip() for p in _SPLIT.split(text) if p.strip()]


def form_body(form: Mapping[str, list[str]]) -> tuple[dict[str, Any], bool, int | None]:
    """Return ``(rule body, enabled, version)`` of the rules page's form (parse_qs shape).

    Text lists are split (split_list); unchecked boxes mean False or an
    empty list; an empty number box leaves the model's default. Values are
    not validated here (validate_rule does that).
    """
    first = {k: v[0] for k, v in form.items() if v}
    body: dict[str, Any] = {"name": first.get("name", "").strip()}
    for name in TEXT_LISTS:
        body[name] = split_list(first.get(name, ""))
    for name in CHECK_LISTS:
        body[name] = [v for v in form.get(name, []) if v]
    body["handling_classes"] = [int(v) if v.isdigit() else v for v in body["handling_classes"]]
    for name in BOOLS:
        body[name] = name in first
    for name in SINGLE:
        value = first.get(name, "").strip()
        if value:
            body[name] = value
        elif name in ("min_level", "quiet_hours"):
            body[name] = None
    version = first.get("version", "")
    return body, "enabled" in first, int(version) if version.isdigit() else None


def rule_doc(row: Mapping[str, Any], in_config: bool, problem: str | None) -> dict[str, Any]:
    """Return the API shape of a stored rule: ``{"name", "scheme", "enabled", "origin",
    "updated_at" (ISO), "updated_by", "version", "in_config", "problem", "rule"}``."""
    return {"name": row["name"], "scheme": row["scheme"], "enabled": row["enabled"],
            "origin": row["origin"], "updated_at": row["updated_at"].isoformat(),
            "updated_by": row["updated_by"], "version": row["version"],
            "in_config": in_config, "problem": problem, "rule": row["body"]}


class RuleEditor:
    """The stored alert rules of ``store``, checked against ``config``."""

    def __init__(self, store: Store, config: Config) -> None:
        self.store = store
        self.config = config
        self.context = RuleContext.of(config)
        self.config_names = {b["name"] for b in config_rule_bodies(config)}

    def problem(self, row: Mapping[str, Any]) -> str | None:
        """Return why a stored rule is not used by this process's config, or None."""
        try:
            found = check_rule(RuleConfig.model_validate(row["body"]), self.context)
        except ValueError as exc:
            return str(exc)
        return "; ".join(f"{p.field}: {p.text()}" for p in found) or None

    def docs(self) -> list[dict[str, Any]]:
        """Return every stored rule (rule_doc shape)."""
        rows = self.store.alerts.list_rules()
        return [rule_doc(r, r["name"] in self.config_names, self.problem(r)) for r in rows]

    def doc(self, name: str) -> dict[str, Any]:
        """Return rule ``name`` (rule_doc shape); raises RuleNotFound."""
        row = self.store.alerts.get_rule(name)
        if row is None:
            raise RuleNotFound(name)
        return rule_doc(row, name in self.config_names, self.problem(row))

    def create(self, body: Mapping[str, Any], enabled: bool, actor: str,
               address: str | None = None) -> dict[str, Any]:
        """Store a new rule; raises RuleInvalid (bad body, or the name is taken). ``address``
        (the client's IP address) goes to the audit entry, here and in the other changes."""
        cfg = validate_rule(body, self.context)
        now = datetime.now(UTC)
        with self.store.transaction() as tx:
            if tx.alerts.get_rule(cfg.name) is not None:
                raise RuleInvalid(f"alert rule {cfg.name!r}",
                                  [RuleProblem("name", "规则 {value} 已存在", {"value": cfg.name})])
            tx.alerts.insert_rule(cfg.model_dump(mode="json"), enabled=enabled, origin="web",
                                  by=actor, now=now)
            tx.alerts.audit_rule(actor, cfg.name, {"op": "add", "enabled": enabled, "version": 1},
                                 now, address)
        return self.doc(cfg.name)

    def replace(self, name: str, body: Mapping[str, Any], enabled: bool, actor: str,
                version: int | None = None, address: str | None = None) -> dict[str, Any]:
        """Replace rule ``name`` with ``body``; ``version``, when given, must be the stored one.

        Raises RuleNotFound, RuleInvalid (bad body or another name) and
        RuleConflict (someone changed it since ``version``).
        """
        if body.get("name", name) != name:
            raise RuleInvalid(f"alert rule {name!r}",
                              [RuleProblem("name", "规则名称不可修改（新建一条规则以改名）")])
        cfg = validate_rule({**body, "name": name}, self.context)
        new = cfg.model_dump(mode="json")
        now = datetime.now(UTC)
        with self.store.transaction() as tx:
            row = tx.alerts.get_rule(name)
            if row is None:
                raise RuleNotFound(name)
            if not tx.alerts.update_rule(name, new, enabled=enabled, origin="web", by=actor,
                                         now=now, expect_version=version):
                raise RuleConflict(f"alert rule {name!r}",
                                   [RuleProblem("", "规则已被他人修改，请刷新后重试")])
            changed = sorted(k for k in new if row["body"].get(k) != new[k])
            op = "change" if changed or enabled == row["enabled"] else (
                "enable" if enabled else "disable")
            tx.alerts.audit_rule(actor, name, {"op": op, "changed": changed, "enabled": enabled,
                                               "version": row["version"] + 1}, now, address)
        return self.doc(name)

    def set_enabled(self, name: str, enabled: bool, actor: str,
                    version: int | None = None, address: str | None = None) -> dict[str, Any]:
        """Enable or disable rule ``name`` (its body unchanged); errors as ``replace``."""
        row = self.store.alerts.get_rule(name)
        if row is None:
            raise RuleNotFound(name)
        return self.replace(name, row["body"], enabled, actor,
                            row["version"] if version is None else version, address)

    def delete(self, name: str, actor: str, address: str | None = None) -> None:
        """Delete rule ``name``; raises RuleNotFound, and RuleConflict for a rule of the
        config file (it would come back at the next start: disable it instead)."""
        if name in self.config_names:
            raise RuleConflict(f"alert rule {name!r}", [RuleProblem(
                "", "此规则来自配置文件，重启后会恢复：请停用它，或从配置文件中删除")])
        with self.store.transaction() as tx:
            if not tx.alerts.delete_rule(name):
                raise RuleNotFound(name)
            tx.alerts.audit_rule(actor, name, {"op": "delete"}, datetime.now(UTC), address)
