"""A designated website without a feed (kind ``"site"``): list pages in, articles out.

One poll:

1. **List pages**: every ``url`` is fetched through ``env.http`` (robots.txt,
   one request at a time per host with the source's ``delay``, redirects only
   to the same host or ``allow_hosts``, the 5 MB cap), conditionally: the
   validators of each list page are kept in the source's cursor. When every
   list page answers 304 and no link was left over, the poll is
   ``not_modified``. A list page that fails, does not decode, or is a login
   wall, a captcha or an error page served with status 200
   (site_links.list_page_problem) gives no links and is named in the health
   error; when all fail the poll is ``failed``, never items.
2. **Links**: site_links.article_links finds the article links; those
   ``env.memory`` has not seen (by canonical URL) are new; at most
   ``max_new_per_poll`` of them are fetched (the rest wait for the next poll,
   so an endless calendar of links costs at most that many requests a poll).
   With two list pages or more, the links found on every one of them are page
   furniture: they are marked seen, never fetched.
3. **Articles**: each new article is fetched once, decoded (sources/decode.py)
   and extracted (sources/site_extract.py) into a RawItem: ``url`` the link,
   ``title``, ``text``, ``author`` (来源), ``published_at`` the raw date string
   (read in the source's zone by the normaliser), ``extra`` ``date_from``
   (where the date came from: meta, page, list, url, none) and ``list_page``;
   the flag ``truncated`` when the page was cut at the size cap.

**Seen, and when.** An article is marked seen when it is permanently bad
(HTTP 4xx, forbidden by robots.txt, a redirect to another host, undecodable,
no article text: each reported in ``rejected``, and fetched again never) or
when the poll AFTER the one that fetched it starts: the keys of the items a
poll returns travel in the cursor, which the runner saves only after storing
the items, so a crash between fetching and storing fetches them again (the
store keys them by canonical URL: an update, never a second row) rather
than losing them. A transient failure (5xx, timeout, network error, a
``content_selector`` that matches nothing) is reported and retried at the
next poll.

**Back-fill.** The first poll of a new site (no cursor yet), and the polls
after it while links it listed are still waiting under the cap, mark the
items published more than ``backfill_alert_hours`` (default 24) before the
poll, or undated, with the flag ``backfill`` (domain.BACKFILL): stored and
analysed, never alerted (alerts/rules.py). So adding a county site does not
page the duty officer about last year's notices.

Options (``[[sources]] kind = "site"``): ``url`` (a list page or a list of
them, required), ``link_pattern`` (regex on article URLs), ``link_selector``
and ``content_selector`` (CSS), ``max_new_per_poll`` (default 20), ``charset``
(forces the encoding of every page), ``delay`` and ``timeout`` (seconds, per
host: sources/http.py), ``allow_hosts`` (hosts articles and redirects may go
to), ``backfill_alert_hours``, ``render`` (true: list and article pages are
rendered by headless Chromium, started for the poll and closed after it:
sources/site_render.py), ``headers`` (extra
request headers), ``poll_timeout`` (sources/poll.py). An unknown option, a bad
regex or selector, an unknown charset raise BadInput naming the source and the
option (``yuqing check``).
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from cssselect import GenericTranslator, SelectorError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from yuqing.config import SourceConfig
from yuqing.domain import BACKFILL, BadInput, RawItem
from yuqing.pipeline.dates import parse_published
from yuqing.sources.base import ConfiguredSource, FetchResult, FetchState, unknown_option
from yuqing.sources.decode import Undecodable, codec_name, decode_html
from yuqing.sources.http import content_charset
from yuqing.sources.polling import FetchError, Page, PollEnv
from yuqing.sources.site_extract import SelectorMissed, extract_article
from yuqing.sources.site_links import Link, article_links, list_page_problem
from yuqing.sources.site_render import Renderer, RenderUnavailable

DEFAULT_MAX_NEW = 20
DEFAULT_BACKFILL_HOURS = 24.0
#: FetchError reasons that asking again will not change: the article is marked seen
_PERMANENT = re.compile(r"^(?:HTTP 4\d\d|robots\.txt|redirect to other host|not a valid URL|"
                        r"not an http)")


class SiteOptions(BaseModel):
    """The options of a ``site`` source (module doc), validated; ``delay``, ``timeout``
    and ``poll_timeout`` are checked where they are used (sources/http.py, poll.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: list[str] = Field(min_length=1)
    link_pattern: re.Pattern[str] | None = None
    link_selector: str | None = None
    content_selector: str | None = None
    max_new_per_poll: int = Field(DEFAULT_MAX_NEW, gt=0)
    charset: str | None = None
    allow_hosts: frozenset[str] = frozenset()
    backfill_alert_hours: float = Field(DEFAULT_BACKFILL_HOURS, ge=0)
    render: bool = False
    headers: dict[str, str] = Field(default_factory=dict)
    delay: Any = None
    timeout: Any = None
    poll_timeout: Any = None

    @field_validator("url", mode="before")
    @classmethod
    def _urls(cls, value: Any) -> Any:
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list):
            return value
        for v in values:
            if not (isinstance(v, str) and re.match(r"^https?://[^/\s]+", v.strip())):
                raise ValueError(f"{v!r} is not an http(s) URL")
        return [v.strip() for v in values]

    @field_validator("link_pattern", mode="before")
    @classmethod
    def _pattern(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return re.compile(value)
        except re.error as exc:
            raise ValueError(f"{value!r} is not a regular expression ({exc})") from None

    @field_validator("link_selector", "content_selector")
    @classmethod
    def _selector(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                GenericTranslator().css_to_xpath(value)
            except SelectorError as exc:
                raise ValueError(f"{value!r} is not a CSS selector ({exc})") from None
        return value

    @field_validator("charset")
    @classmethod
    def _charset(cls, value: str | None) -> str | None:
        if value is not None and codec_name(value) is None:
            raise ValueError(f"{value!r} is not a known charset")
        return value


def parse_site_options(config: SourceConfig) -> SiteOptions:
    """Return the validated options of ``config``; raises BadInput naming the source and
    the first bad, missing or unknown option."""
    try:
        return SiteOptions.model_validate(dict(config.model_extra or {}))
    except ValidationError as exc:
        error = exc.errors()[0]
        key = str(error["loc"][0]) if error["loc"] else "?"
        where = f"source {config.name!r} (kind {config.kind}): option {key!r}"
        if error["type"] == "missing":
            raise BadInput(f"{where} is required") from None
        if error["type"] == "extra_forbidden":
            raise unknown_option(config, key, SiteOptions.model_fields) from None
        message = str(error["msg"]).removeprefix("Value error, ")
        raise BadInput(f"{where}: {message}") from None


@dataclass
class _Cursor:
    """What a site source keeps between polls (JSON in FetchState.cursor): the
    ``validators`` (etag, last_modified) of each list page, the ``pending`` keys of the
    items the last poll returned (marked seen by the next one), ``backfill``, True
    until the links the first poll found have all been fetched, and ``backlog``, True
    when new links were left for the next poll (the list pages are then fetched
    without validators: an unchanged page still holds them)."""

    validators: dict[str, dict[str, str | None]] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)
    backfill: bool = True
    backlog: bool = False

    @classmethod
    def load(cls, text: str | None) -> _Cursor | None:
        """The cursor saved as ``text``; None for a new source."""
        if not text:
            return None
        try:
            data = json.loads(text)
            return cls(dict(data["validators"]), list(data["pending"]), bool(data["backfill"]),
                       bool(data["backlog"]))
        except (ValueError, KeyError, TypeError):
            return None

    def dump(self) -> str:
        """This cursor as JSON."""
        return json.dumps({"validators": self.validators, "pending": self.pending,
                           "backfill": self.backfill, "backlog": self.backlog},
                          ensure_ascii=False, sort_keys=True)


@dataclass
class _Listed:
    """The list pages of one poll: ``pages`` read (URL, HTML), ``problems`` (messages),
    ``unchanged`` (how many answered 304)."""

    pages: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unchanged: int = 0


@dataclass(frozen=True)
class _Fetched:
    """One article fetched: the ``item``, or the ``problem`` and whether it is
    ``permanent`` (the link is then marked seen)."""

    link: Link
    item: RawItem | None = None
    problem: BadInput | None = None
    permanent: bool = False


def _reason(exc: Exception) -> str:
    """The message of ``exc`` without the URL it starts with."""
    return str(exc).split(": ", 1)[-1]


class SiteSource(ConfiguredSource):
    """A website watched through its list pages (kind ``"site"``; module doc). Raises
    BadInput naming the source and the option for a bad option."""

    supports_conditional_get: ClassVar[bool] = True
    is_finite: ClassVar[bool] = False
    is_remote: ClassVar[bool] = True

    def __init__(self, config: SourceConfig) -> None:
        self._config = config
        self.options = parse_site_options(config)

    async def poll(self, state: FetchState, env: PollEnv) -> FetchResult:
        """One poll (module doc); never raises for a bad page or a failed request."""
        renderer = Renderer() if self.options.render else None
        try:
            return await self._poll(state, env, renderer)
        except BadInput as exc:  # Chromium or Playwright missing, a selector lxml refuses
            return FetchResult([], "failed", f"source {self.name!r}: {exc}")
        finally:
            if renderer is not None:
                await renderer.aclose()

    async def _poll(self, state: FetchState, env: PollEnv,
                    renderer: Renderer | None) -> FetchResult:
        opts = self.options
        now = env.now()
        previous = _Cursor.load(state.cursor) or _Cursor()
        validators = {u: v for u, v in previous.validators.items() if u in opts.url}
        cursor = _Cursor(validators, [], previous.backfill, previous.backlog)
        if previous.pending:
            env.memory.mark_seen(self.name, previous.pending, now)
        listed = await self._list_pages(env, cursor, renderer,
                                        force=cursor.backfill or cursor.backlog)
        if not listed.pages:
            if listed.problems and not listed.unchanged:
                return FetchResult([], "failed", "; ".join(listed.problems))
            return FetchResult([], "not_modified", "; ".join(listed.problems) or None)
        scan = article_links(listed.pages, allow_hosts=opts.allow_hosts,
                             link_pattern=opts.link_pattern, link_selector=opts.link_selector)
        if not scan.links:
            return FetchResult([], "failed", "; ".join(listed.problems + [
                f"{url}: {list_page_problem(html, 0) or 'no article links found'}"
                for url, html in listed.pages]))
        if scan.furniture:
            env.memory.mark_seen(self.name, sorted(scan.furniture), now)
        fresh = set(env.memory.unseen(self.name, [link.key for link in scan.links]))
        new = [link for link in scan.links if link.key in fresh]
        take = new[:opts.max_new_per_poll]
        fetched = await asyncio.gather(*(self._article(link, env, now, renderer, cursor.backfill)
                                         for link in take))
        env.memory.mark_seen(self.name, [f.link.key for f in fetched if f.permanent], now)
        items = [f.item for f in fetched if f.item is not None]
        rejected = [f.problem for f in fetched if f.problem is not None]
        cursor.pending = [f.link.key for f in fetched if f.item is not None]
        cursor.backlog = len(new) > len(take)
        cursor.backfill = cursor.backfill and cursor.backlog
        problems = listed.problems + [str(r) for r in rejected[:1]]
        if len(new) > len(take):
            problems.append(f"{len(new) - len(take)} more new links wait for the next poll "
                            f"(max_new_per_poll = {opts.max_new_per_poll})")
        return FetchResult(items, "degraded" if listed.problems or rejected else "ok",
                           "; ".join(problems) or None, cursor=cursor.dump(), rejected=rejected)

    async def _get(self, env: PollEnv, url: str, renderer: Renderer | None,
                   validators: dict[str, str | None] | None = None) -> tuple[Page, str | None]:
        """GET ``url`` through env.http; return the page and its HTML (None for a 304),
        rendered when the source renders. Raises FetchError, Undecodable or BadInput."""
        v = validators or {}
        page = await env.http.get(url, etag=v.get("etag"), last_modified=v.get("last_modified"),
                                  allow_hosts=self.options.allow_hosts,
                                  headers=self.options.headers or None)
        if page.not_modified:
            return page, None
        html = decode_html(page.body, page.url, http_charset=content_charset(page.headers),
                           truncated=page.truncated, forced=self.options.charset).text
        if renderer is not None:
            html = await renderer.render(page.url, html)
        return page, html

    async def _list_pages(self, env: PollEnv, cursor: _Cursor, renderer: Renderer | None, *,
                          force: bool) -> _Listed:
        """Fetch every list page (conditionally unless ``force``); keep the validators."""
        out = _Listed()
        for url in self.options.url:
            try:
                page, html = await self._get(env, url, renderer,
                                             None if force else cursor.validators.get(url))
            except (FetchError, Undecodable) as exc:
                out.problems.append(str(exc))
                continue
            if html is None:
                out.unchanged += 1
                continue
            problem = list_page_problem(html, links_found=None)
            if problem is not None:
                out.problems.append(f"{url}: {problem}")
                continue
            cursor.validators[url] = {"etag": page.etag, "last_modified": page.last_modified}
            out.pages.append((page.url, html))
        return out

    async def _article(self, link: Link, env: PollEnv, now: datetime, renderer: Renderer | None,
                       backfill: bool) -> _Fetched:
        """Fetch and extract one article (module doc: what is permanent)."""
        try:
            page, html = await self._get(env, link.url, renderer)
            article = extract_article(html or "", page.url, list_date=link.list_date,
                                      content_selector=self.options.content_selector)
        except FetchError as exc:
            return _Fetched(link, problem=BadInput(f"{link.url}: {exc.reason}"),
                            permanent=bool(_PERMANENT.match(exc.reason)))
        except RenderUnavailable:
            raise
        except SelectorMissed as exc:
            return _Fetched(link, problem=BadInput(f"{link.url}: {_reason(exc)}"))
        except BadInput as exc:  # undecodable, no article text
            return _Fetched(link, problem=BadInput(f"{link.url}: {_reason(exc)}"), permanent=True)
        cfg = self._config
        flags = ["truncated"] if page.truncated else []
        if backfill and self._old(article.published, now):
            flags.append(BACKFILL)
        return _Fetched(link, RawItem(
            source=cfg.name, text=article.text, fetched_at=now, title=article.title,
            media_type=cfg.media_type, url=link.url, author=article.author,
            published_at=article.published, tz=cfg.timezone, origin=link.url, flags=flags,
            extra={"date_from": article.date_from},
        ))

    def _old(self, published: str | None, now: datetime) -> bool:
        """True when ``published`` is missing, unreadable or older than
        backfill_alert_hours before ``now``."""
        when, flags = parse_published(published, tz=self._config.timezone, fetched_at=now)
        return bool(flags) or when < now - timedelta(hours=self.options.backfill_alert_hours)
