r"""The Feishu / Lark custom-robot channel: interactive cards with markdown, judged by ``code``.

Feishu robots answer HTTP 200 with ``{"code": 0, "msg": "success"}`` (older
robots: ``{"StatusCode": 0}``); a non-zero code is a refusal (docs/FIELD_CASES.md
F13): ``19021`` signature mismatch, ``19024`` keyword missing, ``19022`` IP
not allowed are configuration errors; ``9499`` and ``11232`` (too many
requests) are retried. Limits (Feishu custom-robot guide): request body at
most 20 KB (bodies over 30 KB are refused with code 19036, see robot.py),
100 messages per minute and 5 per second per robot. Packing and splitting
of long alerts into numbered parts: robot.py.

Signing (F13): ``sign`` = base64 of HMAC-SHA256 keyed by
``"{timestamp_s}\n{secret}"`` over an EMPTY message, sent in the body with
``timestamp`` (seconds, as a string).

Options: ``url`` (required, the robot's webhook), ``secret`` (signing),
``keyword``, ``rate_per_minute`` (default 100), ``max_bytes`` (markdown per
card, default 18000 to leave room in the 20 KB body), ``timeout``, ``lang``,
``allow_internal``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any, ClassVar

from pydantic import Field

from yuqing.alerts.channels.options import ChannelOptions, Text, parse_options, secret_option
from yuqing.alerts.channels.robot import MaxBytes, PackedRobot, RobotOptions
from yuqing.alerts.render import DEFAULT_LANG
from yuqing.config import ChannelConfig

MAX_BYTES = 18_000
RATE_PER_MINUTE = 100
RETRYABLE = frozenset({9499, 11232})


def feishu_sign(timestamp_s: int, secret: str) -> str:
    """Return the Feishu signature of ``timestamp_s`` with ``secret`` (base64)."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


class FeishuOptions(RobotOptions):
    """The options of a Feishu/Lark custom robot (module docstring)."""

    secret: Text = secret_option()
    max_bytes: MaxBytes = MAX_BYTES
    rate_per_minute: int = Field(RATE_PER_MINUTE, ge=0)


class FeishuChannel(PackedRobot):
    """Send alerts to a Feishu/Lark custom robot as markdown cards; see the module docstring."""

    kind = "feishu"
    options_model: ClassVar[type[ChannelOptions]] = FeishuOptions
    label = "Feishu"
    code_field = "code"
    retryable_codes = RETRYABLE

    def __init__(self, name: str, url: str, *, secret: str | None = None,
                 keyword: str | None = None, max_bytes: int = MAX_BYTES,
                 rate_per_minute: int = RATE_PER_MINUTE, timeout: float = 10.0,
                 lang: str = DEFAULT_LANG, allow_internal: bool = False,
                 clock_s: Callable[[], int] = lambda: int(time.time())) -> None:
        super().__init__(name, url, keyword=keyword, max_bytes=max_bytes,
                         rate_per_minute=rate_per_minute, timeout=timeout, lang=lang,
                         allow_internal=allow_internal)
        self.secret = secret
        self.clock_s = clock_s

    def body(self, text: str, title: str) -> dict[str, Any]:
        """Return the message body of one card (signed when a secret is set)."""
        body: dict[str, Any] = {"msg_type": "interactive", "card": {
            "header": {"title": {"tag": "plain_text", "content": title}, "template": "red"},
            "elements": [{"tag": "markdown", "content": text}]}}
        if self.secret:
            ts = self.clock_s()
            body.update(timestamp=str(ts), sign=feishu_sign(ts, self.secret))
        return body


def feishu_from_config(cfg: ChannelConfig) -> FeishuChannel:
    """Return a FeishuChannel from ``cfg``; raises BadInput naming a missing or bad option."""
    o = parse_options(FeishuOptions, cfg)
    return FeishuChannel(cfg.name, o.url, secret=o.secret or None, keyword=o.keyword,
                         max_bytes=o.max_bytes, rate_per_minute=o.rate_per_minute,
                         timeout=o.timeout, lang=o.lang, allow_internal=o.allow_internal)
