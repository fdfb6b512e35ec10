"""RSS/Atom feeds: fetch over HTTP (sources/http.py, conditional GET) and parse (feedparser).

Feeds in the wild are often broken (docs/FIELD_CASES.md F2): a character reference
beyond Unicode (``&#1114112;``) makes feedparser 6.0 raise ``ValueError``
and lose the whole feed; an HTML entity such as ``&ldquo;`` without a DTD
makes the XML parser give up. So before parsing we

1. decode the bytes ourselves: BOM, then the declared charset (XML
   declaration or HTTP header), then UTF-8, then GB18030 — all strict — and
   only then UTF-8 (the BOM's encoding after a BOM) with replacement, which
   is named in the problems (a declared charset that fails is a "bad
   encoding"; either makes the fetch ``degraded``);
2. repair the text outside CDATA: drop character references that are not
   XML characters, turn HTML named entities into numeric references, escape
   a stray ``&``;
3. hand feedparser UTF-8 bytes with the declaration rewritten to UTF-8.

Any repair, or feedparser's ``bozo`` flag with entries still parsed, marks
the fetch ``degraded``; no entries and no feed version means ``failed``.

Entry conversion: guid <- ``entry.id`` and ``id`` stays None: a feed's
guid is only a hint of identity (docs/FIELD_CASES.md F3: the same articles come back
under new guids), so the normaliser keys feed items by canonical URL and
falls back to the guid (pipeline/urls.item_key); url <- link; text <-
content, else summary, else the title (headline-only feeds); HTML is kept
(the normaliser strips it); published_at <- the RAW date string
(``published``, else ``updated``) — never feedparser's ``*_parsed``, which
invents month and day for Chinese formats (F1); dates are parsed by the
normaliser with the source's time zone. An entry with neither guid/id nor
link (RSS 2.0 requires only a title or a description) gets a guid derived from
the feed, its title, its raw date and its content (:func:`derived_guid`, as
feed readers do), flagged ``derived_guid``: the same entry polled again has the
same key, and nothing is lost (docs/FIELD_CASES.md F20.10).
"""

from __future__ import annotations

import hashlib
import html.entities
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

import feedparser  # type: ignore[import-untyped]

from yuqing.config import SourceConfig
from yuqing.domain import BadInput, RawItem
from yuqing.sources.base import (
    HTTP_OPTIONS,
    ConfiguredSource,
    FetchResult,
    FetchState,
    FetchStatus,
    check_options,
    http_url,
    require_option,
    utc_now,
)
from yuqing.sources.decode import bom_encoding, first_strict
from yuqing.sources.http import content_charset
from yuqing.sources.polling import FetchError, Page, PollEnv

_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_XML_DECL_TEXT = re.compile(r"^(\s*<\?xml[^>]*?encoding\s*=\s*[\"'])([A-Za-z0-9._-]+)([\"'])")
_REF = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);|&")
_CDATA = re.compile(r"(<!\[CDATA\[.*?\]\]>)", re.DOTALL)
_XML_ENTITIES = frozenset(("amp", "lt", "gt", "quot", "apos"))


@dataclass
class ParsedFeed:
    """Items and problems from one feed document (see :func:`parse_feed`)."""

    items: list[RawItem]
    status: FetchStatus
    problems: list[str] = field(default_factory=list)
    rejected: list[BadInput] = field(default_factory=list)

    @property
    def error(self) -> str | None:
        """All problems joined in one message, or None."""
        return "; ".join(self.problems) or None


def decode_feed(data: bytes, http_charset: str | None = None) -> tuple[str, list[str]]:
    """Return (text, problems): ``data`` decoded by the order in the module doc."""
    bom = bom_encoding(data)
    if bom is not None:
        strict = first_strict(data, [bom])
        if strict is not None:
            return strict[0], []
        return data.decode(bom, errors="replace"), [
            f"not {bom} after its byte-order mark: undecodable bytes replaced"]
    declared = _XML_DECL.match(data)
    candidates = [c for c in (declared and declared.group(1).decode("ascii"), http_charset) if c]
    decoded = first_strict(data, [*candidates, "utf-8", "gb18030"])
    if decoded is None:
        return data.decode("utf-8", errors="replace"), ["undecodable bytes replaced"]
    text, enc = decoded
    problems = [] if not candidates or enc == candidates[0] else [
        f"declared charset {candidates[0]} does not fit the bytes; decoded as {enc}"
    ]
    return text, problems


def _repair_ref(match: re.Match[str], counts: dict[str, int]) -> str:
    ref = match.group(1)
    if ref is None:  # a bare '&'
        counts["stray &"] = counts.get("stray &", 0) + 1
        return "&amp;"
    if ref[0] == "#":
        point = int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:])
        if point in (0x9, 0xA, 0xD) or 0x20 <= point <= 0xD7FF or 0xE000 <= point <= 0xFFFD or (
            0x10000 <= point <= 0x10FFFF
        ):
            return match.group(0)
        counts["invalid character reference"] = counts.get("invalid character reference", 0) + 1
        return ""
    if ref in _XML_ENTITIES:
        return match.group(0)
    code = html.entities.name2codepoint.get(ref)
    counts["HTML entity"] = counts.get("HTML entity", 0) + 1
    return f"&#{code};" if code is not None else f"&amp;{ref};"


def repair_feed_text(text: str) -> tuple[str, list[str]]:
    """Return (repaired text, problems): bad char refs dropped, HTML entities made numeric.

    CDATA sections are left as they are (their content is literal text).
    """
    counts: dict[str, int] = {}
    parts = _CDATA.split(text)
    for i in range(0, len(parts), 2):  # even parts lie outside CDATA
        parts[i] = _REF.sub(lambda m: _repair_ref(m, counts), parts[i])
    repaired = "".join(parts)
    repaired = _XML_DECL_TEXT.sub(r"\g<1>utf-8\g<3>", repaired, count=1)
    return repaired, [f"repaired {what} x{n}" for what, n in counts.items()]


def parse_feed(
    data: bytes, *, source: str, tz: str, media_type: str, origin: str,
    fetched_at: datetime | None = None, http_charset: str | None = None,
) -> ParsedFeed:
    """Parse one RSS/Atom document into RawItems; never raises for bad content.

    ``origin`` names the feed (URL or file) in messages; entries are named
    ``origin#N`` (1-based). Returns a ParsedFeed with status ok, degraded or
    failed (not a feed).
    """
    fetched_at = fetched_at or utc_now()
    text, problems = decode_feed(data, http_charset)
    text, repairs = repair_feed_text(text)
    problems += repairs
    parsed = feedparser.parse(text.encode("utf-8"))
    entries = parsed.entries
    if not entries and not parsed.get("version"):  # empty bytes: no "version" key at all
        reason = parsed.get("bozo_exception") or "no RSS/Atom feed found"
        return ParsedFeed([], "failed", [f"{origin}: not a feed ({reason})", *problems])
    if parsed.bozo:
        problems.append(f"feed is not well-formed: {parsed.get('bozo_exception')}")
    out = ParsedFeed([], "ok", problems)
    for n, entry in enumerate(entries, start=1):
        try:
            out.items.append(entry_to_raw(
                entry, source=source, tz=tz, media_type=media_type,
                origin=f"{origin}#{n}", fetched_at=fetched_at, feed=origin,
            ))
        except BadInput as exc:
            out.rejected.append(exc)
    if out.problems or out.rejected:
        out.status = "degraded"
        out.problems = [f"{origin}: {p}" for p in out.problems]
    return out


def entry_to_raw(
    entry: Any, *, source: str, tz: str, media_type: str, origin: str, fetched_at: datetime,
    feed: str | None = None,
) -> RawItem:
    """Return the RawItem of one feedparser entry (mapping in the module doc).

    ``feed`` names the feed (its URL) for :func:`derived_guid`, default ``origin``.
    Raises BadInput naming ``origin`` when the entry has no text and no title.
    """
    title = entry.get("title") or None
    content = entry.get("content")
    text = (content[0].get("value") if content else None) or entry.get("summary") or title
    guid = entry.get("id") or None
    url = entry.get("link") or None
    published = entry.get("published") or entry.get("updated") or None
    if not text:
        raise BadInput(f"{origin}: entry has no content, summary or title")
    flags: list[str] = []
    if guid is None and url is None:
        guid = derived_guid(feed or origin, title, published, text)
        flags.append("derived_guid")
    return RawItem(
        source=source, text=text, fetched_at=fetched_at, guid=guid, title=title,
        media_type=media_type, url=url, author=entry.get("author") or None,
        published_at=published, tz=tz, origin=origin, flags=flags,
    )


def derived_guid(feed: str, title: str | None, published: str | None, text: str) -> str:
    """Return a stable guid for an entry without guid/id or link: ``derived:`` and the first
    32 hex digits of the SHA-256 of the feed, the title, the raw date and the content
    (NUL-separated), so one entry gets one key on every poll and two entries differing in
    any of these get two."""
    parts = (feed, title or "", published or "", text)
    digest = hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()
    return f"derived:{digest[:32]}"


class RssSource(ConfiguredSource):
    """An RSS/Atom feed polled over HTTP (kind ``"rss"``; a PollingSource).

    Options: ``url`` (required), ``headers`` (extra request headers); ``timeout``
    and ``delay`` (seconds) apply to the feed's host (sources/http.py). The
    request goes through ``env.http`` (conditional on the state's validators);
    a feed cut at the page size cap is parsed as far as it goes and marks the
    poll ``degraded``.
    """

    supports_conditional_get: ClassVar[bool] = True
    is_finite: ClassVar[bool] = False
    is_remote: ClassVar[bool] = True

    def __init__(self, config: SourceConfig) -> None:
        self._config = config
        check_options(config, HTTP_OPTIONS | {"url"})
        self.url = http_url(config, "url", require_option(config, "url"))
        self._headers = {str(k): str(v) for k, v in dict(config.option("headers", {}) or {})
                         .items()}

    async def poll(self, state: FetchState, env: PollEnv) -> FetchResult:
        """GET the feed (conditional on ``state``) and parse it; never raises."""
        try:
            page = await env.http.get(self.url, etag=state.etag,
                                      last_modified=state.last_modified, headers=self._headers)
        except FetchError as exc:
            return FetchResult([], "failed", str(exc))
        if page.not_modified:
            return FetchResult([], "not_modified", etag=state.etag,
                               last_modified=state.last_modified)
        return self._parse(page, env.now())

    def _parse(self, page: Page, fetched_at: datetime) -> FetchResult:
        cfg = self._config
        parsed = parse_feed(
            page.body, source=cfg.name, tz=cfg.timezone, media_type=cfg.media_type,
            origin=self.url, fetched_at=fetched_at, http_charset=content_charset(page.headers),
        )
        status, error = parsed.status, parsed.error
        if page.truncated and status != "failed":
            status = "degraded"
            error = "; ".join(filter(None, [f"{self.url}: feed cut at {len(page.body)} bytes",
                                            error]))
        return FetchResult(parsed.items, status, error, etag=page.etag,
                           last_modified=page.last_modified, rejected=parsed.rejected)
