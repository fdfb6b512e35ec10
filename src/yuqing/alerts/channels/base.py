"""The channel contract and the helpers every channel kind shares."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from yuqing.domain import Alert


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of sending one alert over one channel.

    ``ok`` is True when the channel accepted the alert; ``error`` says why
    not (or notes a partial problem when ``ok``); ``retryable`` is True when
    trying again later may succeed (timeouts, 4xx SMTP, HTTP 5xx);
    ``attempts`` is how many sends the dispatcher made.

    ``parts`` counts the parts of a message split by size (robot.py) that the
    receiver has accepted so far, earlier attempts included (parts ``1..parts``;
    0 for a message that is not split): the outbox keeps it so that a retry
    sends only the rest. ``defer_s`` is set when the channel's OWN limit (a
    local rate limit) held the message back: not a failure nor an attempt,
    the delivery waits ``defer_s`` seconds and keeps its retry budget.
    """

    ok: bool
    error: str | None = None
    retryable: bool = False
    attempts: int = 1
    parts: int = 0
    defer_s: float | None = None

    @classmethod
    def success(cls, note: str | None = None) -> DeliveryResult:
        """Return an accepted delivery; ``note`` names a partial problem (a refused address)."""
        return cls(ok=True, error=note)

    @classmethod
    def failure(cls, error: str, *, retryable: bool) -> DeliveryResult:
        """Return a failed delivery with its reason and whether to retry."""
        return cls(ok=False, error=error, retryable=retryable)

    @classmethod
    def deferred(cls, seconds: float, reason: str) -> DeliveryResult:
        """Return a message held back by the channel's own limit for ``seconds`` (>= 0):
        retryable, and to be tried again then without counting an attempt."""
        return cls(ok=False, error=reason, retryable=True, defer_s=max(seconds, 0.0))


class SendTracker(Protocol):
    """Told by a channel about each request: the outbox records the attempt before it
    goes out and its result as soon as it is known (alerts/outbox.py), so a crash
    between two requests of one batch leaves no doubt about the finished ones."""

    def sending(self, indexes: list[int]) -> None:
        """The request carrying the alerts at ``indexes`` of the batch is about to go out."""

    def done(self, indexes: list[int], result: DeliveryResult) -> None:
        """That request ended with ``result``."""

    def accepted_parts(self, index: int) -> int:
        """Return how many parts of the split message of the alert at ``index`` the receiver
        accepted in earlier attempts (0 for none): those are not sent again."""


class Channel(Protocol):
    """Something that delivers alerts to people.

    ``name`` is the name rules use; ``kind`` the registry kind
    (``console``, ``email``, ``webhook``...). ``send`` returns one
    DeliveryResult per alert, in order, and raises nothing for delivery
    problems (they become failed results). A channel whose class sets
    ``announces_sends = True`` accepts ``send(alerts, tracker)`` and tells
    the SendTracker about each request; ``idempotent = True`` means its receiver
    drops a repeated delivery (idempotency key), so a send interrupted by a
    crash may be repeated.
    """

    name: str
    kind: str

    def send(self, alerts: list[Alert]) -> list[DeliveryResult]:
        """Deliver ``alerts``; return one result per alert, same order."""


#: query parameters that hold secrets in robot and gateway URLs (DingTalk access_token,
#: WeCom key, generic token/secret/sign/password)
SECRET_PARAMS = re.compile(r"(key|token|secret|sign|pass|password|auth)", re.I)
MASK = "***"


def mask_url(url: str) -> str:
    """Return ``url`` with secrets masked: the password in the authority, secret-looking
    query values (SECRET_PARAMS) and any path segment of 16+ characters (robot hook ids)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.split(':')[0]}:{MASK}@{host}" if ":" in user else f"{MASK}@{host}"
    path = "/".join(MASK if len(seg) >= 16 else seg for seg in parts.path.split("/"))
    query = urlencode([(k, MASK if SECRET_PARAMS.search(k) else v)
                       for k, v in parse_qsl(parts.query, keep_blank_values=True)], safe="*")
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def idempotency_key(dedup_key: str, channel: str) -> str:
    """Return the idempotency key of the delivery of alert ``dedup_key`` over ``channel``:
    32 hex digits of SHA-256 over both (rule + story + window are in ``dedup_key``)."""
    return hashlib.sha256(f"{dedup_key}\x1f{channel}".encode()).hexdigest()[:32]
