"""``kind = "search"``: keyword search feeds, asked the monitoring schemes' words.

This is how "the whole web" reaches an office without a vendor: a search engine's
or an RSSHub keyword route's feed, asked once per query. Options:

- ``url`` (required): a template with ``{query}``, replaced by the URL-encoded
  query (``https://rsshub.example.cn/baidu/search/{query}``,
  ``https://news.example.cn/rss?q={query}``);
- ``max_queries`` (default 30): queries asked per poll; when the schemes give more,
  the next poll goes on where this one stopped (the ``cursor``), so every query is
  asked in turn;
- ``headers``: a table of request headers.

Queries, per scheme (env.schemes; a scheme whose ``sources`` leave this source out
is skipped): its ``search_queries`` when set; else every region word × subject
word (``"青山县 食物中毒"``); else its subject words, or its region words. A query
two schemes share is asked once.

An answer is read as RSS/Atom with sources/rss.py's ``parse_feed`` (its repairs
and messages), or as a JSON Feed (jsonfeed.org 1.x: RSSHub's ``?format=json``)
when it starts with ``{``, its items handed to rss.py's ``entry_to_raw``. An HTML
answer (a captcha, a login wall, a route that changed) is an error naming the
URL, never items. Results are de-duplicated across queries and polls by canonical
URL (the guid when there is no link) through ``env.memory`` (seen keys), so each
result is handed on once; ``extra`` says which ``search_query`` and
``search_scheme`` found it first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote

from yuqing.config import SchemeConfig, SourceConfig
from yuqing.domain import BadInput, RawItem
from yuqing.pipeline.urls import canonical_url
from yuqing.sources.answers import html_page
from yuqing.sources.base import (
    HTTP_OPTIONS,
    ConfiguredSource,
    FetchResult,
    FetchState,
    FetchStatus,
    check_options,
    http_url,
    rejected_summary,
    require_option,
)
from yuqing.sources.hotlist.source import headers_option
from yuqing.sources.http import content_charset
from yuqing.sources.polling import FetchError, PollEnv
from yuqing.sources.rss import ParsedFeed, entry_to_raw, parse_feed

DEFAULT_MAX_QUERIES = 30
PLACEHOLDER = "{query}"


def scheme_queries(schemes: Sequence[SchemeConfig], source: str) -> list[tuple[str, str]]:
    """Return ``(query, scheme name)`` pairs for ``source``, each query once, in scheme
    order (the rules of the module doc); spaces inside a query are collapsed."""
    out: dict[str, str] = {}
    for scheme in schemes:
        if scheme.sources and source not in scheme.sources:
            continue
        if scheme.search_queries:
            queries = scheme.search_queries
        elif scheme.region_words and scheme.subject_words:
            queries = [f"{r} {s}" for r in scheme.region_words for s in scheme.subject_words]
        else:
            queries = scheme.subject_words or scheme.region_words
        for query in queries:
            if text := " ".join(query.split()):
                out.setdefault(text, scheme.name)
    return list(out.items())


def json_feed(data: bytes, *, source: str, tz: str, media_type: str, origin: str,
              fetched_at: datetime) -> ParsedFeed:
    """Read a JSON Feed (jsonfeed.org 1.x) into RawItems, as parse_feed reads RSS.

    Item fields map onto the feedparser names rss.entry_to_raw reads: ``id`` -> id,
    ``url`` (else ``external_url``) -> link, ``content_html``/``content_text`` ->
    content, ``summary``, ``title``, ``date_published``/``date_modified``, the first
    author's ``name`` (1.1 ``authors``, 1.0 ``author``). Not JSON, no ``version`` of
    jsonfeed.org or no ``items`` list: status failed; a bad item is one rejection.
    """
    try:
        doc = json.loads(data)
    except ValueError as exc:
        return ParsedFeed([], "failed", [f"{origin}: not a JSON Feed ({exc})"])
    version = doc.get("version") if isinstance(doc, dict) else None
    if not (isinstance(version, str) and version.startswith("https://jsonfeed.org/version/")
            and isinstance(doc.get("items"), list)):
        return ParsedFeed([], "failed", [f"{origin}: not a JSON Feed (version of "
                                         "jsonfeed.org and items expected)"])
    out = ParsedFeed([], "ok")
    for n, item in enumerate(doc["items"], start=1):
        where = f"{origin}#{n}"
        try:
            if not isinstance(item, dict):
                raise BadInput(f"{where}: item is not an object")
            out.items.append(entry_to_raw(_as_entry(item), source=source, tz=tz,
                                          media_type=media_type, origin=where,
                                          fetched_at=fetched_at))
        except BadInput as exc:
            out.rejected.append(exc)
    out.status = "degraded" if out.rejected else "ok"
    return out


def _as_entry(item: Mapping[str, Any]) -> dict[str, Any]:
    """The feedparser-named fields of one JSON Feed item (see json_feed)."""
    authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
    first = authors[0] if authors and isinstance(authors[0], dict) else {}
    body = item.get("content_html") or item.get("content_text")
    return {
        "id": item.get("id"), "link": item.get("url") or item.get("external_url"),
        "title": item.get("title"), "summary": item.get("summary"),
        "content": [{"value": body}] if body else None,
        "published": item.get("date_published"), "updated": item.get("date_modified"),
        "author": first.get("name"),
    }


def result_key(item: RawItem) -> str:
    """Return the key a search result is de-duplicated by: its canonical URL, else its
    guid (``guid:`` prefixed)."""
    if item.url:
        try:
            return canonical_url(item.url)
        except ValueError:
            pass
    return f"guid:{item.guid or item.url}"


class SearchSource(ConfiguredSource):
    """``kind = "search"``: a keyword search feed asked the schemes' queries (module doc)."""

    supports_conditional_get: ClassVar[bool] = False
    is_finite: ClassVar[bool] = False
    is_remote: ClassVar[bool] = True

    def __init__(self, config: SourceConfig) -> None:
        self._config = config
        where = f"source {config.name!r} (kind search)"
        check_options(config, HTTP_OPTIONS | {"url", "max_queries"})
        self.template = http_url(config, "url", require_option(config, "url"))
        if PLACEHOLDER not in self.template:
            raise BadInput(f"{where}: option 'url' must contain {PLACEHOLDER} "
                           f"(got {self.template!r})")
        limit = config.option("max_queries", DEFAULT_MAX_QUERIES)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise BadInput(f"{where}: option 'max_queries' must be a whole number >= 1, "
                           f"not {limit!r}")
        self.max_queries = limit
        self.headers = headers_option(config)

    def url_for(self, query: str) -> str:
        """Return the feed URL of ``query`` (the template with ``{query}`` URL-encoded)."""
        return self.template.replace(PLACEHOLDER, quote(query, safe=""))

    def due_queries(self, queries: list[tuple[str, str]],
                    cursor: str | None) -> tuple[list[tuple[str, str]], str]:
        """Return the queries to ask now (``max_queries`` from the offset ``cursor``,
        wrapping) and the cursor for the next poll."""
        if len(queries) <= self.max_queries:
            return queries, "0"
        start = int(cursor) % len(queries) if cursor and cursor.isdigit() else 0
        picked = [queries[(start + i) % len(queries)] for i in range(self.max_queries)]
        return picked, str((start + self.max_queries) % len(queries))

    async def poll(self, state: FetchState, env: PollEnv) -> FetchResult:
        """Ask the due queries, return the results not seen before; never raises for a
        failed request or a bad answer (named in the result's ``error``)."""
        queries = scheme_queries(env.schemes, self.name)
        if not queries:
            return FetchResult([], "failed", f"source {self.name!r} (kind search): no query "
                               "to ask (no scheme has search_queries, region or subject words)")
        asked, cursor = self.due_queries(queries, state.cursor)
        now = env.now().astimezone(UTC)
        found: dict[str, RawItem] = {}
        errors: list[str] = []
        rejected: list[BadInput] = []
        failed = 0
        for query, scheme in asked:
            parsed = await self._ask(env, query, now)
            failed += parsed.status == "failed"
            errors += parsed.problems
            rejected += parsed.rejected
            for item in parsed.items:
                item.extra.update(search_query=query, search_scheme=scheme)
                found.setdefault(result_key(item), item)
        new = env.memory.unseen(self.name, list(found))
        env.memory.mark_seen(self.name, new, now)
        items = [found[k] for k in new]
        status: FetchStatus = ("failed" if failed == len(asked) else
                  "degraded" if errors or rejected else "ok")
        return FetchResult(items, status, "; ".join(errors) or rejected_summary(rejected),
                           cursor=cursor, rejected=rejected)

    async def _ask(self, env: PollEnv, query: str, now: datetime) -> ParsedFeed:
        """GET and read one query's feed; a failure is a failed ParsedFeed naming the URL."""
        url = self.url_for(query)
        try:
            page = await env.http.get(url, headers=self.headers)
        except FetchError as exc:
            return ParsedFeed([], "failed", [str(exc)])
        cfg = self._config
        if page_html := html_page(page.body):
            return ParsedFeed([], "failed", [f"{url}: {page_html}, not a feed"])
        if page.body.lstrip()[:1] == b"{":
            return json_feed(page.body, source=cfg.name, tz=cfg.timezone,
                             media_type=cfg.media_type, origin=url, fetched_at=now)
        return parse_feed(page.body, source=cfg.name, tz=cfg.timezone,
                          media_type=cfg.media_type, origin=url, fetched_at=now,
                          http_charset=content_charset(page.headers))
