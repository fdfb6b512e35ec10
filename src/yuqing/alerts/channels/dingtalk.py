"""The DingTalk custom-robot channel: one markdown message per alert, judged by ``errcode``.

A DingTalk robot answers HTTP 200 even when it refuses a message; the
refusal is a non-zero ``errcode`` in the JSON body (FIELD_CASES F13: ``200
{"errcode":310000,"errmsg":"keywords not in content"}``). So success is
HTTP 2xx AND ``errcode == 0``. Refusals are configuration problems
(keyword, signature, IP list) and are not retried, except ``130101``
(sending too fast) and ``-1`` (system busy), which are.

Options: ``url`` (required: the robot's webhook URL with its access_token,
usually ``{"$env": ...}``), ``secret`` (optional: "加签" signing),
``keyword`` (optional: the robot's security keyword; put into every
message that lacks it), ``timeout`` seconds (default 10), ``lang``,
``allow_internal`` (SSRF guard, default false).

Signing (F13): ``sign`` = base64 of HMAC-SHA256 keyed by the secret over
the timestamp in milliseconds, a newline, and the secret; sent URL-encoded
with ``timestamp`` as query parameters.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from urllib.parse import quote_plus

import httpx

from yuqing.alerts.channels.base import (
    SendTracker,
    DeliveryResult,
    option_float,
    option_lang,
    option_url,
)
from yuqing.alerts.channels.webhook import classify_status, encode_json, http_client, post_all
from yuqing.alerts.render import DEFAULT_LANG, render_markdown
from yuqing.config import ChannelConfig
from yuqing.domain import Alert

RETRYABLE_ERRCODES = frozenset({-1, 130101})


def dingtalk_sign(timestamp_ms: int, secret: str) -> str:
    """Return the URL-encoded DingTalk signature of ``timestamp_ms`` with ``secret``."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def classify_robot_answer(response: httpx.Response) -> DeliveryResult:
    """Return the result of a robot's answer: success only for 2xx and ``errcode == 0``."""
    by_status = classify_status(response)
    if not by_status.ok:
        return by_status
    try:
        answer = response.json()
        code = int(answer["errcode"])
    except (ValueError, KeyError, TypeError):
        return DeliveryResult.failure(f"robot answer without errcode: {response.text[:200]}",
                                      retryable=False)
    if code == 0:
        return DeliveryResult.success()
    return DeliveryResult.failure(f"DingTalk errcode {code}: {answer.get('errmsg', '')}",
                                  retryable=code in RETRYABLE_ERRCODES)


class DingTalkChannel:
    """Send each alert as a DingTalk markdown message; see the module docstring."""

    kind = "dingtalk"
    announces_sends = True

    def __init__(self, name: str, url: str, *, secret: str | None = None,
                 keyword: str | None = None, timeout: float = 10.0, lang: str = DEFAULT_LANG,
                 allow_internal: bool = False,
                 clock_ms: Callable[[], int] = lambda: int(time.time() * 1000)) -> None:
        self.name = name
        self.url = url
        self.secret = secret
        self.keyword = keyword
        self.timeout = timeout
        self.lang = lang
        self.allow_internal = allow_internal
        self.clock_ms = clock_ms
        self.client = http_client(timeout)

    def message(self, alert: Alert) -> dict[str, object]:
        """Return the robot's markdown message of ``alert`` (keyword added when missing)."""
        text = render_markdown(alert, self.lang)
        if self.keyword and self.keyword not in text:
            text = f"{self.keyword}\n\n{text}"
        title = alert.title if not self.keyword or self.keyword in alert.title \
            else f"{self.keyword} {alert.title}"
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}

    def signed_url(self) -> str:
        """Return the URL to post to, with ``timestamp`` and ``sign`` when a secret is set."""
        if not self.secret:
            return self.url
        ts = self.clock_ms()
        joiner = "&" if "?" in self.url else "?"
        return f"{self.url}{joiner}timestamp={ts}&sign={dingtalk_sign(ts, self.secret)}"

    def _request(self, alert: Alert) -> tuple[str, bytes, dict[str, str]]:
        body = encode_json(self.message(alert))
        return self.signed_url(), body, {"Content-Type": "application/json; charset=utf-8"}

    def send(self, alerts: list[Alert], tracker: SendTracker | None = None) -> list[DeliveryResult]:
        """Post ``alerts`` one by one; return one result per alert."""
        return post_all(self.url, alerts, self._request, classify_robot_answer,
                        allow_internal=self.allow_internal, client=self.client, tracker=tracker)


def dingtalk_from_config(cfg: ChannelConfig) -> DingTalkChannel:
    """Return a DingTalkChannel from ``cfg``; raises BadInput naming a missing or bad option."""
    url = option_url(cfg)
    secret, keyword = cfg.option("secret"), cfg.option("keyword")
    return DingTalkChannel(cfg.name, url, secret=str(secret) if secret else None,
                           keyword=str(keyword) if keyword else None,
                           timeout=option_float(cfg, "timeout", 10.0), lang=option_lang(cfg),
                           allow_internal=bool(cfg.option("allow_internal", False)))

