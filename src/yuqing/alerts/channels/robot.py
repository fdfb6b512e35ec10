"""What the chat-robot channels share: byte-size packing, a local rate limit, errcode answers.

Robots limit a message in BYTES of UTF-8, not characters (WeCom markdown:
4096 bytes; FIELD_CASES F14). :func:`pack` joins alert blocks into as few
messages as fit, splitting only between alerts; a single block over the
limit is cut at a character boundary with ``…`` (never inside a UTF-8
sequence), so nothing is dropped silently.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from yuqing.alerts.channels.base import DeliveryResult, SendTracker
from yuqing.alerts.channels.webhook import classify_status, http_client, post_requests
from yuqing.domain import Alert

ELLIPSIS = "…"
SEPARATOR = "\n\n---\n\n"


def cut_bytes(text: str, limit: int) -> str:
    """Return ``text`` cut to at most ``limit`` UTF-8 bytes at a character boundary
    (ending in ``…`` when cut)."""
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    room = limit - len(ELLIPSIS.encode("utf-8"))
    return raw[:max(room, 0)].decode("utf-8", errors="ignore") + ELLIPSIS


@dataclass
class Packed:
    """One message: its ``text`` and the indexes of the alerts it carries."""

    text: str
    indexes: list[int]


def pack(blocks: Sequence[str], limit: int, separator: str = SEPARATOR) -> list[Packed]:
    """Return messages of at most ``limit`` UTF-8 bytes holding ``blocks`` in order.

    Blocks are joined with ``separator``; a new message starts when the next
    block would not fit; a block longer than ``limit`` alone is cut
    (:func:`cut_bytes`). Every block index appears in exactly one message.
    """
    out: list[Packed] = []
    size = 0
    sep = len(separator.encode("utf-8"))
    for i, block in enumerate(blocks):
        block = cut_bytes(block, limit)
        n = len(block.encode("utf-8"))
        if out and size + sep + n <= limit:
            out[-1].text += separator + block
            out[-1].indexes.append(i)
            size += sep + n
        else:
            out.append(Packed(block, [i]))
            size = n
    return out


class RateLimit:
    """At most ``per_minute`` messages in any 60 s (0 = no limit); thread-safe."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()

    def take(self) -> bool:
        """Count one message and return True, or return False when the limit is reached."""
        if self.per_minute <= 0:
            return True
        with self._lock:
            now = self.clock()
            while self._sent and now - self._sent[0] >= 60:
                self._sent.popleft()
            if len(self._sent) >= self.per_minute:
                return False
            self._sent.append(now)
            return True


def judge_code(response: httpx.Response, field: str, retryable: frozenset[int],
               robot: str) -> DeliveryResult:
    """Judge a robot answer: success only for HTTP 2xx AND ``body[field] == 0``.

    ``retryable`` lists the codes worth retrying (rate limits, busy); any
    other non-zero code is a configuration error. An answer without the
    field is a failure (FIELD_CASES F13: HTTP 200 is not success).
    """
    by_status = classify_status(response)
    if not by_status.ok:
        return by_status
    try:
        answer = response.json()
        code = int(answer.get(field, answer.get("StatusCode")))
    except (ValueError, TypeError, AttributeError):
        return DeliveryResult.failure(f"{robot} answer without {field}: {response.text[:200]}",
                                      retryable=False)
    if code == 0:
        return DeliveryResult.success()
    msg = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
    return DeliveryResult.failure(f"{robot} {field} {code}: {msg}", retryable=code in retryable)


def spread(indexes: list[list[int]], results: list[DeliveryResult],
           n: int) -> list[DeliveryResult]:
    """Return one result per alert (``n`` alerts) from the result of the message carrying
    it; ``indexes[k]`` are the alerts of message ``k``."""
    out: list[DeliveryResult] = [DeliveryResult.failure("not sent", retryable=True)] * n
    for carried, result in zip(indexes, results, strict=True):
        for i in carried:
            out[i] = result
    return out


def with_head(text: str, keyword: str | None, extra: str = "") -> str:
    """Return ``text`` preceded by the robot's ``keyword`` (when missing) and ``extra`` lines."""
    lines = [keyword] if keyword and keyword not in text else []
    if extra:
        lines.append(extra)
    return "\n\n".join([*lines, text])


class PackedRobot:
    """Base of the robot channels that pack alerts into messages (WeCom, Feishu).

    A subclass sets ``kind``, ``label``, ``code_field`` and
    ``retryable_codes`` and implements ``messages(alerts) -> [(body bytes,
    alert indexes)]``. Common options: the robot's ``url``, its security
    ``keyword``, ``max_bytes`` per message, a local ``rate_per_minute``
    limit (0 = none), ``timeout`` seconds, ``lang``, ``allow_internal``.
    """

    kind = "robot"
    label = "robot"
    code_field = "errcode"
    retryable_codes: frozenset[int] = frozenset()
    idempotent = False
    announces_sends = True

    def __init__(self, name: str, url: str, *, keyword: str | None, max_bytes: int,
                 rate_per_minute: int, timeout: float, lang: str, allow_internal: bool) -> None:
        self.name = name
        self.url = url
        self.keyword = keyword
        self.max_bytes = max_bytes
        self.limit = RateLimit(rate_per_minute)
        self.client = http_client(timeout)
        self.lang = lang
        self.allow_internal = allow_internal

    def messages(self, alerts: list[Alert]) -> list[tuple[bytes, list[int]]]:
        """Return the request bodies for ``alerts`` and the alert indexes each carries."""
        raise NotImplementedError

    def judge(self, response: httpx.Response) -> DeliveryResult:
        """Return the result of one robot answer (see judge_code)."""
        return judge_code(response, self.code_field, self.retryable_codes, self.label)

    def admit(self) -> DeliveryResult | None:
        """Return a retryable failure when the local rate limit is reached, else None."""
        if self.limit.take():
            return None
        return DeliveryResult.failure(
            f"local rate limit of {self.limit.per_minute} messages/minute reached", retryable=True)

    def send(self, alerts: list[Alert], tracker: SendTracker | None = None) -> list[DeliveryResult]:
        """Send ``alerts`` packed into messages; return one result per alert."""
        if not alerts:
            return []
        messages = self.messages(alerts)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        results = post_requests(self.url, [(self.url, body, headers, ix) for body, ix in messages],
                                self.judge, allow_internal=self.allow_internal,
                                client=self.client, tracker=tracker, admit=self.admit)
        return spread([ix for _, ix in messages], results, len(alerts))
