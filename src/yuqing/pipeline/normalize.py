"""The normalise stage: RawItem -> Item, or a typed rejection.

``Item.text`` is the PLAIN text (HTML removed, see textnorm.html_to_text);
``match_text``/``offsets`` come from textnorm and index that plain text.
Identity: ``key`` from urls.item_key; a Weibo item without an id takes the
mid of its status URL. Ids are strings end to end; an id a spreadsheet
turned into a float (``7.31234567890123E+18``, ``4.49E+15``, or written out
again as ``7312345678901230000``: exchange.is_lossy_id) has lost digits that
cannot be recovered, so it is no identity: the item is kept, flagged
``lossy_id``, without an id (the value as written stays in
``extra["lossy_id"]``), and keyed by its URL or else by its text
(``source:text:<content_hash>``, so the same row sent again is one item;
docs/FIELD_CASES.md F20.2).

Rejection reasons (RejectedItem.reason): ``empty_text``, ``no_identity``,
``bad_url``. Flags added to ``Item.flags``: the date flags of
pipeline.dates, ``bad_timezone`` (source zone unknown, Asia/Shanghai used),
``lossy_id``, ``lossy_parent_id`` (parent dropped), ``bad_count`` (a count left
empty).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from yuqing.domain import MEDIA_TYPES, Item, RawItem, RejectedItem
from yuqing.exchange import clean_string, is_lossy_id, parse_count
from yuqing.pipeline.dates import parse_published
from yuqing.pipeline.textnorm import TextNormalizer, html_to_text
from yuqing.pipeline.urls import canonical_url, item_key, looks_like_url
from yuqing.pipeline.weibo_ids import mid_from_url, parent_mid_from_url

DEFAULT_TZ = "Asia/Shanghai"
#: longest text kept (characters; a long news article is ~10k). Longer ones are cut and
#: flagged ``text_truncated``, so one pathological item cannot stall the pipeline.
MAX_TEXT_CHARS = 100_000


def content_hash(match_text: str) -> str:
    """Return the 32-hex-digit BLAKE2b-128 digest of ``match_text`` (UTF-8)."""
    return hashlib.blake2b(match_text.encode("utf-8"), digest_size=16).hexdigest()


def _clean_id(value: object) -> str | None:
    """Return an id as a stripped string, None when empty."""
    if value is None:
        return None
    text = clean_string(str(value)).strip()
    return text or None


class Normalizer:
    """Turns RawItems into Items; build once (it holds the OpenCC converter).

    ``text_normalizer`` defaults to a new :class:`TextNormalizer` (tw2s).
    """

    name = "normalize"

    def __init__(self, text_normalizer: TextNormalizer | None = None) -> None:
        self._text = text_normalizer if text_normalizer is not None else TextNormalizer()

    def to_items(self, raws: Iterable[RawItem]) -> tuple[list[Item], list[RejectedItem]]:
        """Return ``(items, rejections)`` for a batch; one bad item never stops the batch."""
        items: list[Item] = []
        rejected: list[RejectedItem] = []
        for raw in raws:
            try:
                items.append(self.to_item(raw))
            except RejectedItem as err:
                rejected.append(err)
        return items, rejected

    def to_item(self, raw: RawItem) -> Item:
        """Return the normalised Item of ``raw``.

        Raises RejectedItem(reason, detail) -- the detail names ``raw.origin``
        (or the URL/id when the source gave no origin) and the problem.
        """
        origin = raw.origin or raw.url or f"{raw.source}:{raw.id}"
        item_id = _clean_id(raw.id)
        url = _clean_id(raw.url)
        flags = list(raw.flags)
        extra = _clean_extra(raw.extra)
        if is_lossy_id(raw.id) or is_lossy_id(item_id):
            if "lossy_id" not in flags:
                flags.append("lossy_id")
            extra = {**(extra if isinstance(extra, dict) else {}), "lossy_id": item_id}
            item_id = None
        url_mid = mid_from_url(url) if url else None
        if item_id is None and url_mid is not None:
            item_id = url_mid
        text = html_to_text(raw.text or "")
        if len(text) > MAX_TEXT_CHARS:
            text = text[:MAX_TEXT_CHARS]
            flags.append("text_truncated")
        match_text, offsets = self._text.normalize(text)
        if not match_text:
            raise RejectedItem(
                "empty_text", f"{origin}: text is empty after removing markup and blanks"
            )
        digest = content_hash(match_text)
        key, canon = self._identity(raw, item_id, url, origin, digest if "lossy_id" in flags
                                    and item_id is None else None)
        published_at, date_flags = self._published(raw, flags)
        if raw.media_type and raw.media_type not in MEDIA_TYPES:
            flags.append("unknown_media_type")
        item = Item(
            key=key,
            source=raw.source,
            text=text,
            match_text=match_text,
            offsets=offsets,
            published_at=published_at,
            fetched_at=_aware(raw.fetched_at),
            id=item_id,
            title=(html_to_text(raw.title).strip() or None) if raw.title else None,
            media_type=raw.media_type if raw.media_type in MEDIA_TYPES else "other",
            url=url,
            canonical_url=canon,
            author=_clean_id(raw.author),
            author_id=_clean_id(raw.author_id),
            parent_id=self._parent(raw, item_id, url, flags),
            content_hash=digest,
            flags=flags + date_flags,
            origin=origin,
            extra=extra,
        )
        self._counts(raw, item)
        return item

    @staticmethod
    def _identity(
        raw: RawItem, item_id: str | None, url: str | None, origin: str, digest: str | None
    ) -> tuple[str, str | None]:
        """Return ``(key, canonical_url)``; raise RejectedItem("no_identity"/"bad_url").

        ``digest`` (the content hash) keys an item whose id was lost and that has no
        url or guid.
        """
        guid = _clean_id(raw.guid)
        if item_id is None and url is None and guid is None:
            if digest is not None:
                return f"{raw.source}:text:{digest}", None
            raise RejectedItem("no_identity", f"{origin}: item has neither id nor url (nor guid)")
        link = url or (guid if guid and looks_like_url(guid) else None)
        try:
            canon = canonical_url(link) if link else None
            return item_key(raw.source, item_id, url, guid), canon
        except ValueError as err:
            if item_id is None:
                raise RejectedItem("bad_url", f"{origin}: {err}") from err
            return item_key(raw.source, item_id, None, None), None

    @staticmethod
    def _parent(raw: RawItem, item_id: str | None, url: str | None, flags: list[str]) -> str | None:
        """Return raw.parent_id, else the status whose Weibo comment/repost page the URL is.

        A parent id that lost digits (exchange.is_lossy_id) is dropped, flagged
        ``lossy_parent_id``.
        """
        parent = _clean_id(raw.parent_id)
        if is_lossy_id(raw.parent_id) or is_lossy_id(parent):
            flags.append("lossy_parent_id")
            return None
        if parent is None and url:
            thread = parent_mid_from_url(url)
            if thread is not None and thread != item_id:
                parent = thread
        return parent

    @staticmethod
    def _published(raw: RawItem, flags: list[str]) -> tuple[datetime, list[str]]:
        """Return (published_at, date flags); an unknown source zone falls back to Asia/Shanghai."""
        fetched = _aware(raw.fetched_at)
        try:
            return parse_published(raw.published_at, tz=raw.tz or DEFAULT_TZ, fetched_at=fetched)
        except (ZoneInfoNotFoundError, ValueError):
            flags.append("bad_timezone")
            return parse_published(raw.published_at, tz=DEFAULT_TZ, fetched_at=fetched)

    @staticmethod
    def _counts(raw: RawItem, item: Item) -> None:
        """Copy reposts/comments/likes onto ``item``; a non-number count gets flag bad_count."""
        for field in ("reposts", "comments", "likes"):
            value, ok = parse_count(getattr(raw, field))
            setattr(item, field, value)
            if not ok and "bad_count" not in item.flags:
                item.flags.append("bad_count")


#: flags that mean a value the source gave was changed or dropped, with what to tell the
#: sender (``{raw}`` is the RawItem); other flags (date_missing, date_approx ...) are routine
CHANGE_NOTES = {
    "date_unparsed": "published_at {raw.published_at!r} could not be read; "
    "the time received is used",
    "date_field_unread": "no published_at field, and a field named like a date (published, "
    "date, 发布时间 …) is not read; the time received is used: rename it published_at or "
    "map it (--mapping published_at=NAME)",
    "date_future": "published_at {raw.published_at!r} lies in the future; "
    "the time received is used",
    "bad_timezone": "time zone {raw.tz!r} is unknown; Asia/Shanghai is used",
    "text_truncated": f"text is longer than {MAX_TEXT_CHARS:,} characters; the rest is cut",
    "bad_count": "a reposts/comments/likes value is not a whole number; it is left empty",
    "lossy_parent_id": "parent_id {raw.parent_id!r} looks like a number rounded to a float; "
    "dropped",
    "lossy_id": "id {raw.id!r} went through a number (a spreadsheet or a JSON number with a "
    "fraction or exponent) and may have lost digits; send ids as text",
    "unknown_media_type": "media_type {raw.media_type!r} is not one of "
    + ", ".join(MEDIA_TYPES)
    + "; 'other' is used",
}


def change_notes(raw: RawItem, item: Item) -> list[tuple[str, str]]:
    """Return ``(flag, message)`` for each flag of ``item`` in CHANGE_NOTES, the message
    naming the value ``raw`` gave (not yet prefixed with the input's origin)."""
    return [(f, CHANGE_NOTES[f].format(raw=raw)) for f in item.flags if f in CHANGE_NOTES]


def _clean_extra(value: Any) -> Any:
    """Return ``value`` (extra fields) with every string cleaned (exchange.clean_string)."""
    if isinstance(value, str):
        return clean_string(value)
    if isinstance(value, dict):
        return {clean_string(str(k)): _clean_extra(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_extra(v) for v in value]
    return value


def _aware(value: datetime) -> datetime:
    """Return ``value`` as aware UTC (a naive value is taken as UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
