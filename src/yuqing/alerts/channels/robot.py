"""What the chat-robot channels share: byte-size packing and splitting, a local rate limit,
errcode answers. DingTalk, WeCom and Feishu only say how one message body looks.

Robots limit a message in BYTES of UTF-8, not characters (docs/FIELD_CASES.md F14):

- WeCom group robot: markdown ``content`` at most 4096 bytes (the robot
  answers errcode 40058 "markdown.content exceed max length 4096", as seen in
  dromara/domain-admin issue 82); 20 messages a minute.
- DingTalk custom robot: about 20,000 bytes per message (the "20 KB request
  limit" hit in ZhuLinsen/daily_stock_analysis PR 1878); 20 messages a minute
  per robot, and its guide asks alarm senders to merge many alerts into one
  markdown summary.
- Feishu custom robot: request body at most 20 KB in its guide; bodies over
  30 KB are refused with code 19036 "The message exceeds the size limit of
  30KB" (XUJiahua/alertmanager-webhook-feishu issue 3); 100 a minute, 5 a second.

:func:`pack` joins alert blocks (markdown) into as few messages as fit the
limit, starting a new message only between alerts. An alert too long for
one message (a summary of many items) is split by :func:`split_text` at line
boundaries into parts that each fit, numbered ``(1/3)``; a single line
longer than a part is cut at a character boundary, never inside a UTF-8
sequence nor inside a markdown link ``[text](url)`` or a bare URL (unless
that link alone is longer than a part). Nothing is dropped. The parts of
one alert are posted in order as one delivery: it succeeds when every part
is accepted; a failed part stops the rest, and a retry sends only the parts
not accepted yet (the outbox keeps the count: DeliveryResult.parts).

The local rate limit (:class:`RateLimit`) is asked before each message or
part; when it is full the message is not sent but DEFERRED until the limit
allows it (DeliveryResult.deferred: no attempt counted, no backoff). A
refusal by the robot itself (WeCom 45009, DingTalk 130101, Feishu 9499 and
11232) is a failed attempt, retried with backoff.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
from pydantic import BeforeValidator

from yuqing.alerts.channels.base import DeliveryResult, SendTracker
from yuqing.alerts.channels.options import (
    ChannelOptions,
    HttpUrl,
    Lang,
    Seconds,
    Text,
    bad_option,
    secret_option,
    secret_url_option,
)
from yuqing.alerts.channels.webhook import classify_status, encode_json, http_client, post_requests
from yuqing.alerts.render import DEFAULT_LANG, render_markdown
from yuqing.domain import Alert

SEPARATOR = "\n\n---\n\n"
ELLIPSIS = "…"
#: bytes kept free in each part of a split alert for its ``(k/n)\n`` marker (n < 10000)
PART_MARK_BYTES = len("(9999/9999)\n")
#: spans that must not be cut: markdown links (optionally images) and bare URLs
UNBREAKABLE = re.compile(r"\\?!?\[[^\]\n]*\]\([^)\s]*\)|https?://[^\s)\]]+")


#: the smallest ``max_bytes`` accepted: room for the keyword, a part marker and some text
MIN_MAX_BYTES = 256


def _max_bytes(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < MIN_MAX_BYTES:
        raise bad_option(f"must be an integer >= {MIN_MAX_BYTES} (UTF-8 bytes per message), "
                         f"got {value!r}")
    return value


#: UTF-8 bytes of markdown per robot message (at least MIN_MAX_BYTES)
MaxBytes = Annotated[int, BeforeValidator(_max_bytes)]


class RobotOptions(ChannelOptions):
    """Options every robot kind shares (see PackedRobot); each kind's model adds
    ``max_bytes`` and ``rate_per_minute`` with its own defaults."""

    url: HttpUrl = secret_url_option()
    #: the robot's security keyword (自定义关键词), a secret like its token
    keyword: Text = secret_option()
    timeout: Seconds = 10.0
    lang: Lang = DEFAULT_LANG
    allow_internal: bool = False


def utf8_len(text: str) -> int:
    """Return the size of ``text`` in UTF-8 bytes."""
    return len(text.encode("utf-8"))


def cut_bytes(text: str, limit: int) -> str:
    """Return ``text`` cut to at most ``limit`` UTF-8 bytes at a character boundary
    (ending in ``…`` when cut). For titles; message bodies are split, never cut."""
    if utf8_len(text) <= limit:
        return text
    room = max(limit - utf8_len(ELLIPSIS), 0)
    return text.encode("utf-8")[:room].decode("utf-8", errors="ignore") + ELLIPSIS


def _cut_point(line: str, limit: int) -> int:
    """Return the character index to cut ``line`` at: its longest prefix of at most
    ``limit`` bytes, moved back to the start of a link or URL it would split (when
    that link does not start the line). At least 1."""
    cut = len(line.encode("utf-8")[:limit].decode("utf-8", errors="ignore"))
    for span in UNBREAKABLE.finditer(line):
        if span.start() < cut < span.end() and span.start() > 0:
            cut = span.start()
            break
    return max(cut, 1)


def _pieces(line: str, limit: int) -> Iterator[str]:
    """Yield ``line`` in pieces of at most ``limit`` bytes (see _cut_point)."""
    while utf8_len(line) > limit:
        cut = _cut_point(line, limit)
        yield line[:cut]
        line = line[cut:]
    yield line


def split_text(text: str, limit: int) -> list[str]:
    """Return ``text`` split into parts of at most ``limit`` UTF-8 bytes.

    Parts end at line boundaries (the newline between two parts is dropped);
    a line longer than ``limit`` is cut as _cut_point says. Joining the parts
    with newlines gives ``text`` back, except at cuts inside a line, which
    have no newline. Raises ValueError when ``limit`` < 4 (one character).
    """
    if limit < 4:
        raise ValueError(f"limit must be at least 4 bytes (one character), got {limit}")
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        for piece in _pieces(line, limit):
            n = utf8_len(piece)
            if current and size + 1 + n > limit:
                parts.append("\n".join(current))
                current, size = [], 0
            size += n + (1 if current else 0)
            current.append(piece)
    if current:
        parts.append("\n".join(current))
    return parts


@dataclass
class Packed:
    """One message: its ``text``, the indexes of the alerts it carries, and for a part
    of a split alert its number ``part`` of ``parts`` (1 of 1 otherwise)."""

    text: str
    indexes: list[int]
    part: int = 1
    parts: int = 1


def pack(blocks: Sequence[str], limit: int, separator: str = SEPARATOR) -> list[Packed]:
    """Return messages of at most ``limit`` UTF-8 bytes holding ``blocks`` in order.

    Blocks are joined with ``separator``; a new message starts when the next
    block would not fit. A block longer than ``limit`` is split
    (:func:`split_text`) into numbered parts ``(k/n)``, one message each,
    the marker included in the limit. Every block index appears in one
    message, or in every part of its split.
    """
    out: list[Packed] = []
    size = 0
    sep = utf8_len(separator)
    for i, block in enumerate(blocks):
        n = utf8_len(block)
        if n > limit:
            parts = split_text(block, limit - PART_MARK_BYTES)
            out += [Packed(f"({k}/{len(parts)})\n{text}", [i], k, len(parts))
                    for k, text in enumerate(parts, 1)]
            size = limit  # nothing joins a part
        elif out and size + sep + n <= limit:
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

    def take(self, n: int = 1) -> bool:
        """Count ``n`` messages and return True, or return False (counting none) when they
        would pass the limit."""
        return self.take_or_wait(n) == 0.0

    def take_or_wait(self, n: int = 1) -> float:
        """Count ``n`` messages and return 0.0, or return the seconds (> 0) until they fit,
        counting none. ``n`` larger than ``per_minute`` never fits: the wait is 60 s."""
        if self.per_minute <= 0:
            return 0.0
        with self._lock:
            now = self.clock()
            while self._sent and now - self._sent[0] >= 60:
                self._sent.popleft()
            over = len(self._sent) + n - self.per_minute
            if over > 0:
                if over > len(self._sent):
                    return 60.0
                return max(self._sent[over - 1] + 60 - now, 1e-3)
            self._sent.extend([now] * n)
            return 0.0


def judge_code(response: httpx.Response, field: str, retryable: frozenset[int],
               robot: str) -> DeliveryResult:
    """Judge a robot answer: success only for HTTP 2xx AND ``body[field] == 0``.

    ``retryable`` lists the codes worth retrying (rate limits, busy); any
    other non-zero code is a configuration error. An answer without the
    field is a failure (docs/FIELD_CASES.md F13: HTTP 200 is not success).
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


@dataclass
class Message:
    """One robot delivery: the request body of each part (posted in order) and the
    indexes of the alerts it carries."""

    bodies: list[bytes]
    indexes: list[int]


class PackedRobot:
    """Base of the robot channels (DingTalk, WeCom, Feishu): alerts packed into messages.

    A subclass sets ``kind``, ``label``, ``code_field``, ``retryable_codes``
    and implements ``body(text, title) -> dict`` (one message's JSON); it may
    override ``target()`` (the URL of one POST, e.g. signed). Common
    options: the robot's ``url``, its security ``keyword`` (put into every
    message and part that lacks it, F13), ``extra`` head lines (mentions),
    ``max_bytes`` of markdown per message, a local ``rate_per_minute``
    limit (0 = none), ``timeout`` seconds, ``lang``, ``allow_internal``.
    """

    kind = "robot"
    label = "robot"
    code_field = "errcode"
    retryable_codes: frozenset[int] = frozenset()
    idempotent = False
    announces_sends = True

    def __init__(self, name: str, url: str, *, keyword: str | None, max_bytes: int,
                 rate_per_minute: int, timeout: float, lang: str, allow_internal: bool,
                 extra: str = "") -> None:
        self.name = name
        self.url = url
        self.keyword = keyword
        self.extra = extra
        self.max_bytes = max_bytes
        self.limit = RateLimit(rate_per_minute)
        self.client = http_client(timeout)
        self.lang = lang
        self.allow_internal = allow_internal

    def body(self, text: str, title: str) -> dict[str, Any]:
        """Return the JSON document of one message with markdown ``text`` and ``title``."""
        raise NotImplementedError

    def target(self) -> str:
        """Return the URL of one POST (the robot's URL; DingTalk adds its signature)."""
        return self.url

    def head_bytes(self) -> int:
        """Return the bytes the keyword and extra lines may add in front of a message."""
        return utf8_len(with_head("", self.keyword, self.extra))

    def messages(self, alerts: list[Alert]) -> list[Message]:
        """Return the deliveries of ``alerts``: packed messages, and the numbered parts of an
        alert too long for one message grouped into one delivery."""
        blocks = [render_markdown(a, self.lang) for a in alerts]
        out: list[Message] = []
        for p in pack(blocks, self.max_bytes - self.head_bytes()):
            title = alerts[p.indexes[0]].title
            if len(p.indexes) > 1:
                title = f"{title} (+{len(p.indexes) - 1})"
            elif p.parts > 1:
                title = f"{title} ({p.part}/{p.parts})"
            if self.keyword and self.keyword not in title:
                title = f"{self.keyword} {title}"
            body = encode_json(self.body(with_head(p.text, self.keyword, self.extra), title))
            if p.part > 1:
                out[-1].bodies.append(body)
            else:
                out.append(Message([body], p.indexes))
        return out

    def judge(self, response: httpx.Response) -> DeliveryResult:
        """Return the result of one robot answer (see judge_code)."""
        return judge_code(response, self.code_field, self.retryable_codes, self.label)

    def admit(self, n: int) -> DeliveryResult | None:
        """Return a deferred result (DeliveryResult.deferred: wait until the limit allows
        them) when ``n`` more messages would pass the local rate limit, else None (and
        count them)."""
        wait = self.limit.take_or_wait(n)
        if wait == 0.0:
            return None
        return DeliveryResult.deferred(
            wait, f"local rate limit of {self.limit.per_minute} messages/minute reached; "
                  f"deferred {wait:.1f} s")

    def send(self, alerts: list[Alert], tracker: SendTracker | None = None) -> list[DeliveryResult]:
        """Send ``alerts`` packed into messages; return one result per alert."""
        if not alerts:
            return []
        messages = self.messages(alerts)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        requests = [([(self.target(), body) for body in m.bodies], headers, m.indexes)
                    for m in messages]
        results = post_requests(self.url, requests, self.judge, allow_internal=self.allow_internal,
                                client=self.client, tracker=tracker, admit=self.admit)
        return spread([m.indexes for m in messages], results, len(alerts))
