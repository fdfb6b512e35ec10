"""The generic webhook channel: one HTTP POST of the alert's JSON document per alert.

Options: ``url`` (required, http/https), ``timeout`` seconds (default 10),
``headers`` (table of extra headers), ``secret`` (optional; then the header
``X-Yuqing-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes>`` is
added, the scheme GitHub webhooks use), ``allow_internal`` (default false:
see :mod:`yuqing.alerts.ssrf`). Every POST carries ``Idempotency-Key`` (the
same on a resend after a crash: receivers drop repeats by it). The body is
render.render_json as UTF-8 JSON (not ASCII-escaped).

Error policy (:func:`classify_status`, :func:`classify_http_error`): only
2xx is success; 408 and 429 and 5xx, timeouts and connection errors are
retryable; other 4xx and 3xx (redirects are not followed, so a redirect
cannot lead past the SSRF guard) are not. An internal URL is not retryable.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any, ClassVar

import httpx

from yuqing.alerts.channels.base import DeliveryResult, SendTracker, idempotency_key
from yuqing.alerts.channels.options import (
    ChannelOptions,
    Headers,
    HttpUrl,
    Seconds,
    Text,
    parse_options,
    secret_option,
    secret_url_option,
)
from yuqing.alerts.render import DEFAULT_TZ, render_json
from yuqing.alerts.ssrf import UnresolvableHost, UnsafeURL, check_url
from yuqing.config import ChannelConfig
from yuqing.domain import Alert, BadInput

SIGNATURE_HEADER = "X-Yuqing-Signature"
#: the delivery's idempotency key (base.idempotency_key); the same on a resend after a
#: crash, so the receiver can drop the repeat (the Stripe/IETF draft header name)
IDEMPOTENCY_HEADER = "Idempotency-Key"
RETRYABLE_4XX = frozenset({408, 429})
ERROR_BODY_CHARS = 200


def sign(body: bytes, secret: str) -> str:
    """Return ``"sha256=" + hex HMAC-SHA256(key=secret, msg=body)``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def classify_status(response: httpx.Response) -> DeliveryResult:
    """Return the DeliveryResult of an HTTP answer judged by its status alone."""
    code = response.status_code
    if 200 <= code < 300:
        return DeliveryResult.success()
    error = f"HTTP {code}: {response.text[:ERROR_BODY_CHARS]}"
    return DeliveryResult.failure(error, retryable=code >= 500 or code in RETRYABLE_4XX)


def classify_http_error(exc: Exception) -> DeliveryResult:
    """Return the failed DeliveryResult of an error raised while posting."""
    if isinstance(exc, UnsafeURL):
        return DeliveryResult.failure(str(exc), retryable=False)
    if isinstance(exc, UnresolvableHost):
        return DeliveryResult.failure(str(exc), retryable=True)
    if isinstance(exc, httpx.TimeoutException):
        return DeliveryResult.failure(f"timeout: {type(exc).__name__}", retryable=True)
    if isinstance(exc, httpx.TransportError):
        return DeliveryResult.failure(f"connection failed: {type(exc).__name__}: {exc}",
                                      retryable=True)
    return DeliveryResult.failure(f"{type(exc).__name__}: {exc}", retryable=False)


def encode_json(document: dict[str, Any]) -> bytes:
    """Return ``document`` as compact UTF-8 JSON bytes (Chinese kept as is)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


Request = Callable[[Alert], tuple[str, bytes, dict[str, str]]]
Judge = Callable[[httpx.Response], DeliveryResult]


def http_client(timeout: float) -> httpx.Client:
    """Return the HTTP client a channel keeps for its life (pooled connections, no
    redirects followed, ``timeout`` seconds per request); thread-safe."""
    return httpx.Client(timeout=timeout, follow_redirects=False)


#: one delivery: its parts (URL, body bytes) posted in order, the headers, and the indexes
#: of the alerts it carries (one part, except a robot message split by size)
Outgoing = tuple[list[tuple[str, bytes]], dict[str, str], list[int]]


def post_requests(url: str, requests: list[Outgoing], judge: Judge, *, allow_internal: bool,
                  client: httpx.Client, tracker: SendTracker | None = None,
                  admit: Callable[[int], DeliveryResult | None] | None = None
                  ) -> list[DeliveryResult]:
    """POST ``requests`` in order; return one result per request.

    ``url`` is checked by the SSRF guard first (a refusal fails every
    request). ``admit(1)`` is asked before each part goes out and may hold it
    back (a local rate limit) by returning a deferred result, which ends the
    request. ``judge(response)`` turns an answer into a result; the parts of a
    request are posted in order and the first failed part ends the request
    with its result (naming the part). The parts of a split request that
    ``tracker.accepted_parts`` reports as accepted earlier are not posted again;
    the result's ``parts`` counts the accepted ones. Redirects are not followed.
    ``tracker`` hears of each request (the alert indexes it carries) before its
    first part goes out and of its result after the last; a request held back
    before any part went out is not announced. Shared by the webhook, SMS and
    robot channels.
    """
    try:
        check_url(url, allow_internal=allow_internal)
    except BadInput as exc:
        return [classify_http_error(exc)] * len(requests)
    results = []
    for parts, headers, indexes in requests:
        skip = tracker.accepted_parts(indexes[0]) if tracker is not None and len(parts) > 1 else 0
        result, went_out = _post_parts(client, parts, headers, judge, skip=skip, admit=admit,
                                       tracker=tracker, indexes=indexes)
        results.append(result)
        if tracker is not None and went_out:
            tracker.done(indexes, result)
    return results


def _post_parts(client: httpx.Client, parts: list[tuple[str, bytes]], headers: dict[str, str],
                judge: Judge, *, skip: int = 0,
                admit: Callable[[int], DeliveryResult | None] | None = None,
                tracker: SendTracker | None = None,
                indexes: list[int] | None = None) -> tuple[DeliveryResult, bool]:
    """POST ``parts[skip:]`` in order (``tracker.sending(indexes)`` just before the first goes
    out); return the last part's result when all are accepted, else the result of the first
    part held back by ``admit`` or failed, and whether anything went out. ``parts`` of the
    result counts the accepted parts of a split request (``skip`` included; 0 for a single
    part)."""
    split = len(parts) > 1
    accepted = min(skip, len(parts)) if split else 0
    result = DeliveryResult.success()
    first = accepted + 1
    for k in range(first, len(parts) + 1):
        target, body = parts[k - 1]
        held = admit(1) if admit is not None else None
        if held is not None:
            return (_ended(held, k, len(parts), accepted) if split else held), k > first
        if k == first and tracker is not None:
            tracker.sending(indexes or [])
        try:
            result = judge(client.post(target, content=body, headers=headers))
        except httpx.HTTPError as exc:
            result = classify_http_error(exc)
        if not result.ok:
            return (_ended(result, k, len(parts), accepted) if split else result), True
        if split:
            accepted += 1
    return (replace(result, parts=accepted) if split else result), len(parts) >= first


def _ended(result: DeliveryResult, k: int, n: int, accepted: int) -> DeliveryResult:
    """Return ``result`` of part ``k`` of ``n`` naming the part and the parts accepted so far."""
    sent = f"; parts 1-{accepted} were delivered" if accepted else ""
    return replace(result, error=f"part {k}/{n}: {result.error}{sent}", parts=accepted)


def post_all(url: str, alerts: list[Alert], request: Request, judge: Judge, *,
             allow_internal: bool, client: httpx.Client,
             tracker: SendTracker | None = None) -> list[DeliveryResult]:
    """POST one request per alert (``request(alert)`` gives URL, body, headers); return one
    result per alert (see post_requests)."""
    outgoing: list[Outgoing] = []
    for i, alert in enumerate(alerts):
        target, body, headers = request(alert)
        outgoing.append(([(target, body)], headers, [i]))
    return post_requests(url, outgoing, judge, allow_internal=allow_internal, client=client,
                         tracker=tracker)


class WebhookOptions(ChannelOptions):
    """The options of a webhook (module docstring); ``headers`` may carry tokens, so their
    values are secrets."""

    url: HttpUrl = secret_url_option()
    timeout: Seconds = 10.0
    headers: Headers = secret_option({})
    secret: Text = secret_option()
    allow_internal: bool = False


class WebhookChannel:
    """POST each alert's JSON document to ``url``; see the module docstring."""

    kind = "webhook"
    options_model: ClassVar[type[ChannelOptions]] = WebhookOptions
    idempotent = True
    announces_sends = True

    def __init__(self, name: str, url: str, *, timeout: float = 10.0,
                 headers: dict[str, str] | None = None, secret: str | None = None,
                 allow_internal: bool = False, tz: str = DEFAULT_TZ) -> None:
        self.name = name
        self.url = url
        self.timeout = timeout
        self.headers = dict(headers or {})
        self.secret = secret
        self.allow_internal = allow_internal
        self.tz = tz
        self.client = http_client(timeout)

    def request_headers(self, body: bytes) -> dict[str, str]:
        """Return the headers of a POST of ``body`` (content type, extras, signature)."""
        headers = {"Content-Type": "application/json; charset=utf-8", **self.headers}
        if self.secret:
            headers[SIGNATURE_HEADER] = sign(body, self.secret)
        return headers

    def _request(self, alert: Alert) -> tuple[str, bytes, dict[str, str]]:
        body = encode_json(render_json(alert, self.tz))
        headers = self.request_headers(body)
        headers[IDEMPOTENCY_HEADER] = idempotency_key(alert.dedup_key, self.name)
        return self.url, body, headers

    def send(self, alerts: list[Alert], tracker: SendTracker | None = None) -> list[DeliveryResult]:
        """POST ``alerts`` one by one; return one result per alert."""
        return post_all(self.url, alerts, self._request, classify_status,
                        allow_internal=self.allow_internal, client=self.client, tracker=tracker)


def webhook_from_config(cfg: ChannelConfig) -> WebhookChannel:
    """Return a WebhookChannel from ``cfg``; raises BadInput naming a missing or bad option."""
    o = parse_options(WebhookOptions, cfg)
    return WebhookChannel(cfg.name, o.url, timeout=o.timeout, headers=o.headers,
                          secret=o.secret or None, allow_internal=o.allow_internal)
