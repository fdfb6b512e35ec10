"""HTTP for the polled sources: one shared httpx.AsyncClient with the collection policy.

:class:`HttpFetcher` implements :class:`~yuqing.sources.polling.Http`:

- **one request at a time per host** (``host:port``), and after each request a
  pause of the host's ``delay`` (seconds, default 1) before the next one starts;
  a ``Crawl-delay`` in the host's robots.txt lengthens it (up to 30 s);
- **robots.txt honoured** for the product token ``yuqing`` (protego), cached per
  origin for 24 h (RFC 9309 §2.4). A robots.txt that is missing or refused (4xx)
  allows everything; one that is unreachable (5xx, network error) forbids
  everything, and is asked for again before the next request (RFC 9309 §2.3.1.3-4);
  a page it forbids raises ``FetchError(url, "robots.txt forbids ...")``;
- **redirects followed by hand**, at most 10, only to the same host or to a host
  the caller allows; a redirect elsewhere raises FetchError naming that host
  (robots.txt itself may redirect anywhere, as RFC 9309 §2.3.1.2 asks);
- **the body streamed and cut** at ``max_bytes`` (``Page.truncated``);
- **conditional GET**: ETag/Last-Modified sent when given; a 304 is a Page;
- **failures as FetchError**: a status >= 400 (``"HTTP 404"``), a timeout
  (``"timeout after 20 s"``: the host's ``timeout`` bounds the whole request,
  not the wait for the host's turn), a network error.

The delay and timeout of a host come from the sources that name it
(:meth:`HttpFetcher.configure_source`: options ``delay`` and ``timeout`` of a
source apply to the hosts of its ``url``). A fetcher must be used on one event
loop (its client's connections and its locks belong to that loop).
"""

from __future__ import annotations

import asyncio
import email.message
import logging
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
from protego import Protego

from yuqing.config import SourceConfig
from yuqing.sources.base import seconds_option
from yuqing.sources.polling import MAX_PAGE_BYTES, FetchError, Page

log = logging.getLogger(__name__)

USER_AGENT = "yuqing/0.1 (+https://github.com/; public-opinion monitor)"
#: the product token robots.txt groups are matched against
ROBOTS_AGENT = "yuqing"
DEFAULT_DELAY_S = 1.0
DEFAULT_TIMEOUT_S = 20.0
MAX_REDIRECTS = 10
MAX_CRAWL_DELAY_S = 30.0
#: how long a fetched robots.txt is trusted (RFC 9309 §2.4: at most 24 h)
ROBOTS_TTL_S = 24 * 3600.0
#: robots.txt bytes read (RFC 9309 §2.5: parse at least 500 KiB)
ROBOTS_MAX_BYTES = 500 * 1024
_REDIRECTS = frozenset((301, 302, 303, 307, 308))


@dataclass
class _Host:
    """Turn-taking of one ``host:port``: the lock, when the next request may start, and
    the configured delay and timeout (None: the fetcher's defaults)."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    ready_at: float = 0.0
    delay: float | None = None
    timeout: float | None = None
    crawl_delay: float = 0.0


@dataclass
class _Robots:
    """One origin's robots.txt: ``rules`` (None allows everything), ``error`` (the reason
    when it is unreachable: everything forbidden), valid until ``expires`` (time.monotonic)."""

    rules: Protego | None
    expires: float
    error: str | None = None


@dataclass
class _Answer:
    url: httpx.URL
    status: int
    headers: dict[str, str]
    body: bytes = b""
    truncated: bool = False


def _host_key(url: httpx.URL) -> str:
    port = url.port or (443 if url.scheme == "https" else 80)
    return f"{url.host}:{port}"


def content_charset(headers: Mapping[str, str]) -> str | None:
    """Return the ``charset`` parameter of a Content-Type header (lower-case names, as in
    ``Page.headers``), or None when there is none."""
    content_type = headers.get("content-type")
    if not content_type:
        return None
    message = email.message.Message()
    message["content-type"] = content_type
    charset = message.get_content_charset()
    return str(charset) if charset else None


def source_urls(config: SourceConfig) -> list[str]:
    """Return the URLs a source's ``url`` option names (a string or a list of strings;
    a ``{query}`` template as it is)."""
    value = config.option("url")
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str) and v.strip()]


class HttpFetcher:
    """The :class:`~yuqing.sources.polling.Http` of the poller (module doc: the policy).

    ``delay`` and ``timeout`` (seconds) are the defaults of hosts no source configures;
    ``client`` may be injected (it is then not closed by :meth:`aclose`); otherwise one
    is made on the first request.
    """

    def __init__(
        self, *, delay: float = DEFAULT_DELAY_S, timeout: float = DEFAULT_TIMEOUT_S,
        client: httpx.AsyncClient | None = None, user_agent: str = USER_AGENT,
    ) -> None:
        self.delay = delay
        self.timeout = timeout
        self._own_client = client is None
        self._client = client
        self._user_agent = user_agent
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, _Robots] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}

    def configure(self, url: str, *, delay: float | None = None,
                  timeout: float | None = None) -> None:
        """Set the delay and timeout (seconds) of the host of ``url``; when several
        sources name one host, the longest of each wins."""
        try:
            host = self._host(httpx.URL(url))
        except httpx.InvalidURL:
            return  # the source reports its bad URL when it polls
        if delay is not None:
            host.delay = max(delay, host.delay or 0.0)
        if timeout is not None:
            host.timeout = max(timeout, host.timeout or 0.0)

    def configure_source(self, config: SourceConfig, urls: list[str] | None = None) -> None:
        """Apply the options ``delay`` and ``timeout`` of ``config`` to the hosts of
        ``urls`` (default: its ``url`` option); raises BadInput naming the source for a
        value that is not a number of seconds (``delay`` >= 0, ``timeout`` > 0)."""
        delay = seconds_option(config, "delay", zero_ok=True)
        timeout = seconds_option(config, "timeout", zero_ok=False)
        if delay is None and timeout is None:
            return
        for url in source_urls(config) if urls is None else urls:
            self.configure(url.replace("{query}", "q"), delay=delay, timeout=timeout)

    async def aclose(self) -> None:
        """Close the client (unless it was injected)."""
        if self._own_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    async def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None,
        allow_hosts: frozenset[str] = frozenset(), headers: Mapping[str, str] | None = None,
        max_bytes: int = MAX_PAGE_BYTES,
    ) -> Page:
        """GET ``url`` with the policy of the module doc; raises FetchError naming the URL."""
        send = {"User-Agent": self._user_agent, **dict(headers or {})}
        if etag:
            send["If-None-Match"] = etag
        if last_modified:
            send["If-Modified-Since"] = last_modified
        start = self._parse(url)
        allowed = {start.host, *(h.lower() for h in allow_hosts)}
        answer = await self._follow(start, send, max_bytes, allowed_hosts=allowed)
        if answer.status >= 400 or (300 <= answer.status < 400 and answer.status != 304):
            raise FetchError(str(answer.url), f"HTTP {answer.status}")
        if answer.status == 304:
            return Page(str(answer.url), 304, b"", answer.headers,
                        etag=answer.headers.get("etag", etag),
                        last_modified=answer.headers.get("last-modified", last_modified))
        return Page(str(answer.url), answer.status, answer.body, answer.headers,
                    truncated=answer.truncated, etag=answer.headers.get("etag"),
                    last_modified=answer.headers.get("last-modified"))

    @staticmethod
    def _parse(url: str) -> httpx.URL:
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise FetchError(url, f"not a valid URL ({exc})") from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise FetchError(url, "not an http(s) URL")
        return parsed

    async def _follow(self, url: httpx.URL, headers: dict[str, str], max_bytes: int, *,
                      allowed_hosts: set[str] | None, robots: bool = True) -> _Answer:
        """Request ``url``, following redirects to ``allowed_hosts`` (None: any host);
        check robots.txt before each request when ``robots``. Returns the last answer,
        whatever its status; raises FetchError for a redirect that is not allowed."""
        for _ in range(MAX_REDIRECTS + 1):
            if robots:
                await self._check_robots(url)
            answer = await self._request(url, headers, max_bytes)
            location = answer.headers.get("location")
            if answer.status not in _REDIRECTS or not location:
                return answer
            target = self._parse(str(url.join(location)))
            if allowed_hosts is not None and target.host not in allowed_hosts:
                raise FetchError(str(url), f"redirect to other host {target.host} "
                                           f"({target}) not allowed")
            url = target
        raise FetchError(str(url), f"more than {MAX_REDIRECTS} redirects")

    def _host(self, url: httpx.URL) -> _Host:
        return self._hosts.setdefault(_host_key(url), _Host())

    @asynccontextmanager
    async def _turn(self, url: httpx.URL) -> AsyncIterator[_Host]:
        """Wait for the host's turn (its lock, then its delay after the previous request),
        yield it, and set when the next request may start."""
        host = self._host(url)
        async with host.lock:
            wait = host.ready_at - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                yield host
            finally:
                delay = self.delay if host.delay is None else host.delay
                host.ready_at = time.monotonic() + max(delay, host.crawl_delay)

    async def _request(self, url: httpx.URL, headers: dict[str, str],
                       max_bytes: int) -> _Answer:
        """One GET in the host's turn; the body is read for 2xx answers only, up to
        ``max_bytes``. Raises FetchError for a timeout or a network error."""
        async with self._turn(url) as host:
            timeout = self.timeout if host.timeout is None else host.timeout
            try:
                async with asyncio.timeout(timeout):
                    return await self._stream(url, headers, max_bytes, timeout)
            except (TimeoutError, httpx.TimeoutException):
                raise FetchError(str(url), f"timeout after {timeout:g} s") from None
            except httpx.HTTPError as exc:
                raise FetchError(str(url), f"{type(exc).__name__}: {exc}") from None

    async def _stream(self, url: httpx.URL, headers: dict[str, str], max_bytes: int,
                      timeout: float) -> _Answer:
        if self._client is None:  # made on first use, so an unused fetcher holds nothing
            self._client = httpx.AsyncClient(follow_redirects=False)
        async with self._client.stream("GET", url, headers=headers, timeout=timeout) as resp:
            answer = _Answer(url, resp.status_code,
                             {k.lower(): v for k, v in resp.headers.items()})
            if not 200 <= resp.status_code < 300:
                return answer
            body = bytearray()
            async for chunk in resp.aiter_bytes():
                room = max_bytes - len(body)
                if len(chunk) > room:
                    body += chunk[:room]
                    answer.truncated = True
                    break
                body += chunk
            answer.body = bytes(body)
            return answer

    async def _check_robots(self, url: httpx.URL) -> None:
        """Raise FetchError when the origin's robots.txt forbids ``url`` or is unreachable."""
        robots = await self._robots_of(url)
        if robots.error is not None:
            raise FetchError(str(url), robots.error)
        if robots.rules is not None and not robots.rules.can_fetch(str(url), ROBOTS_AGENT):
            raise FetchError(str(url), f"robots.txt forbids fetching {url.raw_path.decode()}")

    async def _robots_of(self, url: httpx.URL) -> _Robots:
        """Return the origin's robots.txt, fetched (in the host's turn) when not cached."""
        origin = f"{url.scheme}://{_host_key(url)}"
        lock = self._robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            cached = self._robots.get(origin)
            if cached is not None and cached.expires > time.monotonic():
                return cached
            robots = await self._fetch_robots(url.copy_with(path="/robots.txt", query=None,
                                                            fragment=None))
            if robots.error is None:  # an unreachable robots.txt is asked for again next time
                self._robots[origin] = robots
            if robots.rules is not None:
                delay = robots.rules.crawl_delay(ROBOTS_AGENT)
                if delay:
                    self._host(url).crawl_delay = min(float(delay), MAX_CRAWL_DELAY_S)
            return robots

    async def _fetch_robots(self, robots_url: httpx.URL) -> _Robots:
        headers = {"User-Agent": self._user_agent}
        now = time.monotonic()
        try:
            answer = await self._follow(robots_url, headers, ROBOTS_MAX_BYTES,
                                        allowed_hosts=None, robots=False)
        except FetchError as exc:  # the site itself is unreachable: say so plainly
            return _Robots(None, now, error=f"{exc.reason} (reading robots.txt)")
        if 400 <= answer.status < 500:
            return _Robots(None, now + ROBOTS_TTL_S)  # missing or refused: all allowed
        if answer.status >= 300:
            log.warning("robots.txt %s unreachable: HTTP %s", robots_url, answer.status)
            return _Robots(None, now, error=f"robots.txt unreachable (HTTP {answer.status}): "
                                            "nothing is fetched from the site until it answers")
        try:
            rules = Protego.parse(answer.body.decode("utf-8", errors="replace"))
        except Exception as exc:  # noqa: BLE001 - an unparsable robots.txt sets no rules
            log.warning("robots.txt of %s unreadable, ignored: %r", robots_url, exc)
            rules = None
        return _Robots(rules, now + ROBOTS_TTL_S)
