"""The SMS channel: short texts through an HTTP SMS gateway (JSON POST).

Segment counting (3GPP TS 23.038 / 23.040): a text with any character
outside GSM-7 is sent in UCS-2, 70 characters in one message or 67 per part
when split (the rest of each part holds the concatenation header); a GSM-7
text fits 160, or 153 per part. Characters are counted in UTF-16 code units,
so an emoji counts 2. The text is the alert title, level and, when the
message has room, the excerpt and the acknowledgement link; it is cut to
``max_parts``.

Request: ``POST url`` with JSON ``{"to": [phone, ...], "text": str,
"parts": n, "id": idempotency key}`` and optional ``headers`` (e.g. an API
token from ``{"$env": ...}``). Success is HTTP 2xx AND, when
``ok_field`` is set, ``body[ok_field] == ok_value`` (gateways often answer
200 with an error code). Options: ``url``, ``to`` (required), ``headers``,
``ok_field``, ``ok_value`` (default 0), ``max_parts`` (default 3),
``timeout``, ``allow_internal``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

import httpx
from pydantic import BeforeValidator

from yuqing.alerts.channels.base import DeliveryResult, SendTracker, idempotency_key
from yuqing.alerts.channels.options import (
    ChannelOptions,
    Headers,
    HttpUrl,
    Seconds,
    StringList,
    bad_option,
    parse_options,
    secret_option,
    secret_url_option,
)
from yuqing.alerts.channels.webhook import classify_status, encode_json, http_client, post_all
from yuqing.config import ChannelConfig
from yuqing.domain import Alert

UCS2_SINGLE, UCS2_PART = 70, 67
GSM_SINGLE, GSM_PART = 160, 153
_GSM7 = re.compile(r"^[A-Za-z0-9 @£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!\"#¤%&'()*+,\-./:;<=>?"
                   r"¡ÄÖÑÜ§¿äöñüà]*$")
_LINK = re.compile(r"https?://\S+")


def utf16_units(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units (a character outside the BMP is 2)."""
    return len(text.encode("utf-16-le")) // 2


def sms_parts(text: str) -> int:
    """Return how many SMS messages ``text`` takes (see the module docstring for the rule)."""
    if _GSM7.match(text):
        n, single, part = len(text), GSM_SINGLE, GSM_PART
    else:
        n, single, part = utf16_units(text), UCS2_SINGLE, UCS2_PART
    return 1 if n <= single else -(-n // part)


def fit_parts(text: str, max_parts: int, suffix: str = "") -> str:
    """Return ``text`` (cut, ending in ``…``, when needed) followed by ``suffix``, taking at
    most ``max_parts`` messages; ``suffix`` (a link) is never cut unless it alone is too long."""
    if sms_parts(text + suffix) <= max_parts:
        return text + suffix
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if sms_parts(text[:mid] + "…" + suffix) <= max_parts:
            lo = mid
        else:
            hi = mid - 1
    if lo == 0 and suffix:
        return fit_parts(text, max_parts)
    return text[:lo] + "…" + suffix


def sms_text(alert: Alert, max_parts: int) -> str:
    """Return the SMS of ``alert``: ``[level] title``, the excerpt line of the body, and
    the acknowledgement link (last body line) kept whole; cut to ``max_parts`` messages."""
    lines = alert.body.splitlines()
    link = _LINK.search(lines[-1]) if lines else None
    excerpt = next((x for x in lines if x.startswith(("摘要", "Excerpt"))), "")
    text = f"[{alert.level}] {alert.title} {excerpt}".rstrip()
    return fit_parts(text, max_parts, f" {link.group(0)}" if link else "")


def _max_parts(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise bad_option("must be >= 1")
    return value


class SmsOptions(ChannelOptions):
    """The options of an SMS gateway (module docstring); ``headers`` (API tokens) and the
    gateway ``url`` are secrets."""

    url: HttpUrl = secret_url_option()
    to: StringList
    headers: Headers = secret_option({})
    ok_field: str | None = None
    ok_value: Any = 0
    max_parts: Annotated[int, BeforeValidator(_max_parts)] = 3
    timeout: Seconds = 10.0
    allow_internal: bool = False


class SmsChannel:
    """Send each alert as one SMS (possibly in parts) through an HTTP gateway."""

    kind = "sms"
    options_model: ClassVar[type[ChannelOptions]] = SmsOptions
    idempotent = False
    announces_sends = True

    def __init__(self, name: str, url: str, to: list[str], *, headers: dict[str, str] | None = None,
                 ok_field: str | None = None, ok_value: Any = 0, max_parts: int = 3,
                 timeout: float = 10.0, allow_internal: bool = False) -> None:
        self.name = name
        self.url = url
        self.to = to
        self.headers = dict(headers or {})
        self.ok_field = ok_field
        self.ok_value = ok_value
        self.max_parts = max_parts
        self.timeout = timeout
        self.allow_internal = allow_internal
        self.client = http_client(timeout)

    def judge(self, response: httpx.Response) -> DeliveryResult:
        """Return the result of a gateway answer (status, then ``ok_field`` when set)."""
        by_status = classify_status(response)
        if not by_status.ok or not self.ok_field:
            return by_status
        try:
            value = response.json()[self.ok_field]
        except (ValueError, KeyError, TypeError):
            return DeliveryResult.failure(f"SMS gateway answer without {self.ok_field!r}: "
                                          f"{response.text[:200]}", retryable=False)
        if value == self.ok_value:
            return DeliveryResult.success()
        return DeliveryResult.failure(f"SMS gateway {self.ok_field}={value!r}: "
                                      f"{response.text[:200]}", retryable=False)

    def _request(self, alert: Alert) -> tuple[str, bytes, dict[str, str]]:
        text = sms_text(alert, self.max_parts)
        body = encode_json({"to": self.to, "text": text, "parts": sms_parts(text),
                            "id": idempotency_key(alert.dedup_key, self.name)})
        return self.url, body, {"Content-Type": "application/json; charset=utf-8", **self.headers}

    def send(self, alerts: list[Alert], tracker: SendTracker | None = None) -> list[DeliveryResult]:
        """Send one SMS per alert; return one result per alert."""
        return post_all(self.url, alerts, self._request, self.judge,
                        allow_internal=self.allow_internal, client=self.client, tracker=tracker)


def sms_from_config(cfg: ChannelConfig) -> SmsChannel:
    """Return an SmsChannel from ``cfg``; raises BadInput naming a missing or bad option."""
    o = parse_options(SmsOptions, cfg)
    return SmsChannel(cfg.name, o.url, o.to, headers=o.headers, ok_field=o.ok_field,
                      ok_value=o.ok_value, max_parts=o.max_parts, timeout=o.timeout,
                      allow_internal=o.allow_internal)
