"""The DingTalk custom-robot channel: markdown messages packed up to the size limit, judged
by ``errcode``.

A DingTalk robot answers HTTP 200 even when it refuses a message; the
refusal is a non-zero ``errcode`` in the JSON body (docs/FIELD_CASES.md F13: ``200
{"errcode":310000,"errmsg":"keywords not in content"}``). So success is
HTTP 2xx AND ``errcode == 0``. Refusals are configuration problems
(keyword, signature, IP list) and are not retried, except ``130101``
(sending too fast) and ``-1`` (system busy), which are.

Limits (robot.py cites them): about 20,000 bytes per message and 20
messages a minute per robot, whose guide asks alarm senders to merge alerts
into one markdown summary. So alerts are packed into messages of at most
``max_bytes`` bytes of markdown (default 18,000, leaving room for the JSON
envelope), and an alert longer than that is sent in numbered parts.

Options: ``url`` (required: the robot's webhook URL with its access_token,
usually ``{"$env": ...}``), ``secret`` (optional: "加签" signing),
``keyword`` (optional: the robot's security keyword; put into every
message that lacks it), ``rate_per_minute`` (default 20), ``max_bytes``
(default 18000), ``timeout`` seconds (default 10), ``lang``,
``allow_internal`` (SSRF guard, default false).

Signing (F13): ``sign`` = base64 of HMAC-SHA256 keyed by the secret over
the timestamp in milliseconds, a newline, and the secret; sent URL-encoded
with ``timestamp`` as query parameters (on every POST, so each part of a
split alert is signed afresh).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import quote_plus

from pydantic import Field

from yuqing.alerts.channels.options import ChannelOptions, Text, parse_options, secret_option
from yuqing.alerts.channels.robot import MaxBytes, PackedRobot, RobotOptions
from yuqing.alerts.render import DEFAULT_LANG
from yuqing.config import ChannelConfig

MAX_BYTES = 18_000
RATE_PER_MINUTE = 20
RETRYABLE_ERRCODES = frozenset({-1, 130101})


def dingtalk_sign(timestamp_ms: int, secret: str) -> str:
    """Return the URL-encoded DingTalk signature of ``timestamp_ms`` with ``secret``."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


class DingTalkOptions(RobotOptions):
    """The options of a DingTalk robot (module docstring)."""

    secret: Text = secret_option()
    max_bytes: MaxBytes = MAX_BYTES
    rate_per_minute: int = Field(RATE_PER_MINUTE, ge=0)


class DingTalkChannel(PackedRobot):
    """Send alerts to a DingTalk custom robot as markdown; see the module docstring."""

    kind = "dingtalk"
    options_model: ClassVar[type[ChannelOptions]] = DingTalkOptions
    label = "DingTalk"
    code_field = "errcode"
    retryable_codes = RETRYABLE_ERRCODES

    def __init__(self, name: str, url: str, *, secret: str | None = None,
                 keyword: str | None = None, max_bytes: int = MAX_BYTES,
                 rate_per_minute: int = RATE_PER_MINUTE, timeout: float = 10.0,
                 lang: str = DEFAULT_LANG, allow_internal: bool = False,
                 clock_ms: Callable[[], int] = lambda: int(time.time() * 1000)) -> None:
        super().__init__(name, url, keyword=keyword, max_bytes=max_bytes,
                         rate_per_minute=rate_per_minute, timeout=timeout, lang=lang,
                         allow_internal=allow_internal)
        self.secret = secret
        self.clock_ms = clock_ms

    def body(self, text: str, title: str) -> dict[str, Any]:
        """Return the robot's markdown message (title shown in the chat list)."""
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}

    def target(self) -> str:
        """Return the URL to post to, with ``timestamp`` and ``sign`` when a secret is set."""
        if not self.secret:
            return self.url
        ts = self.clock_ms()
        joiner = "&" if "?" in self.url else "?"
        return f"{self.url}{joiner}timestamp={ts}&sign={dingtalk_sign(ts, self.secret)}"


def dingtalk_from_config(cfg: ChannelConfig) -> DingTalkChannel:
    """Return a DingTalkChannel from ``cfg``; raises BadInput naming a missing or bad option."""
    o = parse_options(DingTalkOptions, cfg)
    return DingTalkChannel(cfg.name, o.url, secret=o.secret or None, keyword=o.keyword or None,
                           max_bytes=o.max_bytes, rate_per_minute=o.rate_per_minute,
                           timeout=o.timeout, lang=o.lang, allow_internal=o.allow_internal)
