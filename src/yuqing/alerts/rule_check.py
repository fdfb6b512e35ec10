"""Validation of one alert rule, the same for the config file, the web form and the API.

:func:`validate_rule` checks a rule body (a dict of config.RuleConfig fields)
with the config's own pydantic model, then against the rest of the config
(levels, quiet hours, handling classes, media types, schemes, channels and
groups that exist). Each problem is a :class:`RuleProblem` naming the field,
with a Chinese message template (the message id of the web's i18n catalogue,
web/i18n.py, which holds the English text) and its parameters, so the web
shows it next to the field in the reader's language.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from yuqing.alerts.channels.registry import DEFAULT_CHANNEL
from yuqing.alerts.policy import parse_quiet_hours
from yuqing.alerts.rules import LEVELS
from yuqing.config import Config, RuleConfig
from yuqing.domain import MEDIA_TYPES, BadInput

#: handling classes 1-4 (分类处置, ARCHITECTURE.md "The field's words")
HANDLING_CLASSES = (1, 2, 3, 4)
#: the longest rule name accepted (it is part of every alert's dedup key)
MAX_NAME = 64

#: pydantic error type -> message template (Chinese; English in web/i18n.py EN)
PYDANTIC_MESSAGES = {
    "missing": "必填",
    "extra_forbidden": "未知字段 {field}",
    "bool_type": "应为 true 或 false", "bool_parsing": "应为 true 或 false",
    "int_type": "应为整数", "int_parsing": "应为整数", "int_from_float": "应为整数",
    "float_type": "应为数字", "float_parsing": "应为数字",
    "greater_than": "必须大于 {gt}", "greater_than_equal": "必须不小于 {ge}",
    "list_type": "应为列表", "string_type": "应为文本",
}
#: every message template a RuleProblem may carry (tests check each has an English entry)
MESSAGES = (*dict.fromkeys(PYDANTIC_MESSAGES.values()), "取值无效：{detail}",
            "规则名称不能为空", "规则名称最多 {max} 个字符", "应为 I、II、III、IV 之一",
            "时段格式应为 22:00-07:00", "开始与结束时间不能相同", "处置分类应为 1–4",
            "未知媒体类型 {value}（可选：{known}）", "未知方案 {value}（已配置：{known}）",
            "未知渠道 {value}（已配置：{known}）", "未知渠道组 {value}（已配置：{known}）",
            "规则 {value} 已存在", "规则名称不可修改（新建一条规则以改名）",
            "规则已被他人修改，请刷新后重试",
            "此规则来自配置文件，重启后会恢复：请停用它，或从配置文件中删除")


@dataclass(frozen=True)
class RuleProblem:
    """One problem of a rule: ``field`` (a RuleConfig field, ``""`` for the whole body),
    ``message`` (a template of MESSAGES) and its ``params``."""

    field: str
    message: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def text(self, translate: Any = None) -> str:
        """Return the message filled in; ``translate`` maps the template first (web i18n)."""
        template = translate(self.message) if translate else self.message
        return str(template).format(**self.params)


class RuleInvalid(BadInput):
    """A rule body that does not validate; ``problems`` lists every RuleProblem."""

    def __init__(self, where: str, problems: list[RuleProblem]) -> None:
        self.problems = problems
        shown = "; ".join(f"{p.field or 'rule'}: {p.text()}" for p in problems)
        super().__init__(f"{where}: {shown}")


@dataclass(frozen=True)
class RuleContext:
    """What a rule may refer to: channel names, groups (name -> channels), scheme names."""

    channels: frozenset[str]
    groups: Mapping[str, list[str]]
    schemes: frozenset[str]

    @classmethod
    def of(cls, config: Config) -> RuleContext:
        """Return the context of ``config`` (``console`` always exists: channels/registry.py)."""
        return cls(frozenset({c.name for c in config.alerts.channels} | {DEFAULT_CHANNEL}),
                   dict(config.alerts.groups), frozenset(s.name for s in config.schemes))


def _known(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values) or "—"


def _pydantic_problems(exc: ValidationError) -> list[RuleProblem]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        name = loc[0] if loc else ""
        ctx = {k: int(v) if isinstance(v, float) and v.is_integer() else v
               for k, v in (err.get("ctx") or {}).items()}
        template = PYDANTIC_MESSAGES.get(err["type"])
        if template is None:
            out.append(RuleProblem(name, "取值无效：{detail}", {"detail": err["msg"]}))
        else:
            out.append(RuleProblem(name, template, {"field": name, **ctx}))
    return out


def _unknown(name: str, values: Iterable[str], known: Iterable[str], message: str
             ) -> list[RuleProblem]:
    allowed = set(known)
    return [RuleProblem(name, message, {"value": v, "known": _known(sorted(allowed))})
            for v in values if v not in allowed]


def check_rule(cfg: RuleConfig, ctx: RuleContext) -> list[RuleProblem]:
    """Return the problems of a model-valid rule against ``ctx`` (empty when it is good)."""
    out: list[RuleProblem] = []
    if not cfg.name.strip():
        out.append(RuleProblem("name", "规则名称不能为空"))
    elif len(cfg.name) > MAX_NAME:
        out.append(RuleProblem("name", "规则名称最多 {max} 个字符", {"max": MAX_NAME}))
    for name, levels in (("level", [cfg.level]),
                         ("min_level", [cfg.min_level] if cfg.min_level else []),
                         ("quiet_override_levels", cfg.quiet_override_levels)):
        if any(lv not in LEVELS for lv in levels):
            out.append(RuleProblem(name, "应为 I、II、III、IV 之一"))
    if cfg.quiet_hours:
        try:
            parse_quiet_hours(cfg.quiet_hours, "quiet_hours")
        except BadInput as exc:
            empty = "empty" in str(exc)
            out.append(RuleProblem("quiet_hours", "开始与结束时间不能相同" if empty
                                   else "时段格式应为 22:00-07:00"))
    if any(c not in HANDLING_CLASSES for c in cfg.handling_classes):
        out.append(RuleProblem("handling_classes", "处置分类应为 1–4"))
    out += _unknown("media_types", cfg.media_types, MEDIA_TYPES,
                    "未知媒体类型 {value}（可选：{known}）")
    out += _unknown("schemes", cfg.schemes, ctx.schemes, "未知方案 {value}（已配置：{known}）")
    targets = ctx.channels | set(ctx.groups)
    out += _unknown("channels", cfg.channels, targets, "未知渠道 {value}（已配置：{known}）")
    out += _unknown("groups", cfg.groups, ctx.groups, "未知渠道组 {value}（已配置：{known}）")
    out += _unknown("fallback", cfg.fallback, ctx.channels, "未知渠道 {value}（已配置：{known}）")
    out += _unknown("escalation", cfg.escalation, targets, "未知渠道 {value}（已配置：{known}）")
    for group in {*cfg.groups, *(n for n in [*cfg.channels, *cfg.escalation] if n in ctx.groups)}:
        out += _unknown("groups", ctx.groups.get(group, []), ctx.channels,
                        "未知渠道 {value}（已配置：{known}）")
    return out


def validate_rule(body: Mapping[str, Any], ctx: RuleContext) -> RuleConfig:
    """Return ``body`` as a RuleConfig after every check of this module.

    List fields given as text are not split here (the web form does that).
    Raises RuleInvalid listing every problem: those of the model, and those
    of the checks on the fields the model accepted (so a form shows them all
    at once).
    """
    where = f"alert rule {body.get('name')!r}"
    try:
        cfg = RuleConfig.model_validate(dict(body))
    except ValidationError as exc:
        problems = _pydantic_problems(exc)
        bad = {p.field for p in problems}
        try:
            rest = RuleConfig.model_validate({k: v for k, v in body.items() if k not in bad})
        except ValidationError:
            raise RuleInvalid(where, problems) from None
        problems += [p for p in check_rule(rest, ctx) if p.field not in bad]
        raise RuleInvalid(where, problems) from None
    problems = check_rule(cfg, ctx)
    if problems:
        raise RuleInvalid(where, problems)
    return cfg
