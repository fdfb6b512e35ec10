"""The WeCom (企业微信) group-robot channel: markdown messages packed up to 4096 bytes.

WeCom robots answer HTTP 200 with ``{"errcode": 0, "errmsg": "ok"}``; any
other errcode is a refusal (docs/FIELD_CASES.md F13). ``45009`` (API frequency
limit) and ``-1`` (busy) are retried, every other code is a configuration
error. Limits (WeCom group-robot documentation): markdown ``content`` at
most 4096 bytes UTF-8 (errcode 40058 beyond), 20 messages per minute per
robot; alerts are packed into as few messages as fit, split only between
alerts, and an alert longer than one message is sent in numbered parts
(F14; the packing and splitting live in robot.py).

Options: ``url`` (required: the robot's webhook with its ``key``, usually
``{"$env": ...}``), ``keyword`` (put into every message that lacks it),
``mentioned_mobiles`` (list: @ people by mobile number, added as
``<@mobile>``), ``rate_per_minute`` (default 20), ``max_bytes`` (default
4096), ``timeout`` (default 10), ``lang``, ``allow_internal``.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field

from yuqing.alerts.channels.options import ChannelOptions, bad_option, parse_options
from yuqing.alerts.channels.robot import MaxBytes, PackedRobot, RobotOptions
from yuqing.alerts.render import DEFAULT_LANG
from yuqing.config import ChannelConfig

MAX_BYTES = 4096
RATE_PER_MINUTE = 20
RETRYABLE = frozenset({-1, 45009})


def _mobiles(value: Any) -> list[str]:
    """Return the mobile numbers as text (a number written without quotes is kept)."""
    if not isinstance(value, list):
        raise bad_option(f"must be a list, got {value!r}")
    return [str(m) for m in value]


class WeComOptions(RobotOptions):
    """The options of a WeCom group robot (module docstring)."""

    mentioned_mobiles: Annotated[list[str], BeforeValidator(_mobiles)] = []
    max_bytes: MaxBytes = MAX_BYTES
    rate_per_minute: int = Field(RATE_PER_MINUTE, ge=0)


class WeComChannel(PackedRobot):
    """Send alerts to a WeCom group robot; see the module docstring."""

    kind = "wecom"
    options_model: ClassVar[type[ChannelOptions]] = WeComOptions
    label = "WeCom"
    code_field = "errcode"
    retryable_codes = RETRYABLE

    def __init__(self, name: str, url: str, *, keyword: str | None = None,
                 mentioned_mobiles: list[str] | None = None, max_bytes: int = MAX_BYTES,
                 rate_per_minute: int = RATE_PER_MINUTE, timeout: float = 10.0,
                 lang: str = DEFAULT_LANG, allow_internal: bool = False) -> None:
        super().__init__(name, url, keyword=keyword, max_bytes=max_bytes,
                         rate_per_minute=rate_per_minute, timeout=timeout, lang=lang,
                         allow_internal=allow_internal,
                         extra="".join(f"<@{m}>" for m in mentioned_mobiles or []))

    def body(self, text: str, title: str) -> dict[str, Any]:
        """Return a WeCom markdown message (WeCom shows no separate title)."""
        return {"msgtype": "markdown", "markdown": {"content": text}}


def wecom_from_config(cfg: ChannelConfig) -> WeComChannel:
    """Return a WeComChannel from ``cfg``; raises BadInput naming a missing or bad option."""
    o = parse_options(WeComOptions, cfg)
    return WeComChannel(cfg.name, o.url, keyword=o.keyword, mentioned_mobiles=o.mentioned_mobiles,
                        max_bytes=o.max_bytes, rate_per_minute=o.rate_per_minute,
                        timeout=o.timeout, lang=o.lang, allow_internal=o.allow_internal)
