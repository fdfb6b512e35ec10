"""Item <-> row mapping, the batched upsert, and the item filters.

The row keeps every ``Item`` field that docs/INTERFACES.md's item JSON needs plus
``match_text`` (dedup and search use it) and ``offsets`` (NULL when it is the
identity map, which is the common case). ``tokens``, ``origin``,
``rejected`` and ``is_update`` are per-run state and are not stored.

The ``extra`` column holds the item's free-form source fields and, under the
keys stages once wrote into ``Item.extra``, the typed fields stages share
(``EXTRA_FIELDS``); a stored row keeps the shape it had before they were typed.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Connection,
    Insert,
    Select,
    and_,
    bindparam,
    delete,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import RowMapping

from yuqing.domain import SENTIMENTS, Item, TermHit
from yuqing.store.feed import feed_statement, planner_stats_stale
from yuqing.store.pg_search import search_page
from yuqing.store.repository import Repository, one_of
from yuqing.store.scaleout import lock_shared_state, next_revs
from yuqing.store.search import bigram_text, query_condition
from yuqing.store.tables import item_schemes, items

IN_CHUNK = 900  # keys per IN (...) list; below SQLite's host-parameter limit
# Columns an upsert may replace with NULL-free new values; None keeps the stored value.
_KEEP_IF_NULL = (
    "id", "title", "url", "canonical_url", "author", "author_id", "parent_id", "root_id",
    "reposts", "comments", "likes", "duplicate_of", "sentiment", "sentiment_score",
    "handling_class", "event_id",
)
# Columns an upsert always replaces (the newest fetch and analysis win).
_REPLACE = (
    "text", "match_text", "offsets", "search_bigrams", "content_hash", "n_sensitive",
    "sensitive_terms", "schemes", "places", "flags", "extra", "updated_at", "rev",
)
# SQLite fast path: values converted here instead of by SQLAlchemy's type processors
# (they cost more than SQLite itself at 1,000 rows per transaction; see
# benchmarks/store_write.py).
_SQLITE_COLUMNS = tuple(c.name for c in items.columns)
_SQLITE_JSON = ("offsets", "sensitive_terms", "schemes", "places", "flags", "extra")
_SQLITE_TIMES = ("published_at", "fetched_at", "created_at", "updated_at")
_sqlite_tuple = operator.itemgetter(*_SQLITE_COLUMNS)
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class SaveResult:
    """What ``Store.save_items`` did: rows ``inserted`` (new keys) and ``updated`` (known keys
    whose source values changed: ``updated_keys``)."""

    inserted: int
    updated: int
    updated_keys: frozenset[str] = frozenset()


def item_to_row(item: Item, now: datetime) -> dict[str, Any]:
    """Return the ``items`` row of ``item`` (without ``seq``; ``rev`` None until written),
    stamped ``now`` as created/updated.

    Raises ValueError naming the item when a datetime of it is naive.
    """
    if item.published_at.tzinfo is None or item.fetched_at.tzinfo is None:
        raise ValueError(f"item {item.key!r} ({item.origin or 'no origin'}): naive datetime "
                         f"published_at={item.published_at!r} fetched_at={item.fetched_at!r}")
    n = len(item.match_text)
    offsets = item.offsets
    identity = len(offsets) == n and (n == 0 or offsets[-1] == n - 1) and offsets == list(range(n))
    return {
        "key": item.key, "id": item.id, "source": item.source, "media_type": item.media_type,
        "url": item.url, "canonical_url": item.canonical_url, "title": item.title,
        "text": item.text, "match_text": item.match_text,
        "offsets": None if identity else list(offsets),
        "search_bigrams": bigram_text(item.match_text),
        "published_at": item.published_at, "fetched_at": item.fetched_at,
        "author": item.author, "author_id": item.author_id, "parent_id": item.parent_id,
        "root_id": item.root_id, "reposts": item.reposts, "comments": item.comments,
        "likes": item.likes, "content_hash": item.content_hash, "duplicate_of": item.duplicate_of,
        "sentiment": item.sentiment, "sentiment_score": item.sentiment_score,
        "n_sensitive": len(item.sensitive_terms),
        "sensitive_terms": [_hit_to_json(h) for h in item.sensitive_terms],
        "schemes": list(item.schemes), "places": list(item.places),
        "handling_class": item.handling_class, "event_id": item.event_id,
        "flags": list(item.flags), "extra": _stored_extra(item),
        "created_at": now, "updated_at": now, "rev": None,
    }


#: stored ``extra`` key -> (Item field, test of the stored shape); a value of another shape
#: is a free-form source field and stays in ``extra``
EXTRA_FIELDS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "repost_chain": ("repost_chain", lambda v: isinstance(v, list)
                     and all(isinstance(n, str) for n in v)),
    "emotion": ("emotion", lambda v: v in SENTIMENTS),
    "places": ("place_detail", lambda v: isinstance(v, dict)
               and v.keys() == {"mentions", "ambiguous"}),
    "keywords": ("keywords", lambda v: isinstance(v, list) and all(
        isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) for p in v)),
    "handling": ("handling", lambda v: isinstance(v, dict)
                 and v.keys() == {"class", "label", "confidence", "cues", "scores"}),
    "spike": ("spike", lambda v: v is True),
    "incident": ("incident", lambda v: isinstance(v, dict)),
}


def _stored_extra(item: Item) -> dict[str, Any]:
    """Return the ``extra`` column of ``item``: its free-form fields, then each typed stage
    field that is set (a non-empty chain, a true spike, anything else not None) under its
    key of EXTRA_FIELDS, in the order the default stages set them (so the JSON is as before
    these fields were typed)."""
    if not (item.repost_chain or item.spike or item.emotion is not None
            or item.place_detail is not None
            or item.keywords is not None or item.handling is not None
            or item.incident is not None):
        return item.extra
    extra = dict(item.extra)
    if item.repost_chain:
        extra["repost_chain"] = list(item.repost_chain)
    if item.emotion is not None:
        extra["emotion"] = item.emotion
    if item.place_detail is not None:
        extra["places"] = item.place_detail
    if item.keywords is not None:
        extra["keywords"] = [[w, v] for w, v in item.keywords]
    if item.handling is not None:
        extra["handling"] = item.handling
    if item.spike:
        extra["spike"] = True
    if item.incident is not None:
        extra["incident"] = item.incident
    return extra


def _typed_extra(stored: dict[str, Any]) -> dict[str, Any]:
    """Return the Item keyword arguments of a stored ``extra``: each typed stage field found
    under its key with its shape (EXTRA_FIELDS), and ``extra``, the rest."""
    extra = dict(stored)
    fields: dict[str, Any] = {"extra": extra}
    for key, (name, has_shape) in EXTRA_FIELDS.items():
        if key in extra and has_shape(extra[key]):
            fields[name] = extra.pop(key)
    if "keywords" in fields:
        fields["keywords"] = [(w, v) for w, v in fields["keywords"]]
    return fields


def _hit_to_json(hit: TermHit) -> dict[str, Any]:
    """Return a stored term hit: the docs/INTERFACES.md shape plus its weight."""
    return {"term": hit.term, "category": hit.category, "start": hit.start, "end": hit.end,
            "weight": hit.weight}


def row_to_item(row: RowMapping) -> Item:
    """Return the ``Item`` stored in an ``items`` row (``tokens`` empty, ``offsets`` restored)."""
    match_text = row["match_text"]
    offsets = row["offsets"]
    return Item(
        key=row["key"], source=row["source"], text=row["text"], match_text=match_text,
        offsets=list(range(len(match_text))) if offsets is None else list(offsets),
        published_at=row["published_at"], fetched_at=row["fetched_at"], id=row["id"],
        title=row["title"], media_type=row["media_type"], url=row["url"],
        canonical_url=row["canonical_url"], author=row["author"], author_id=row["author_id"],
        parent_id=row["parent_id"], root_id=row["root_id"], reposts=row["reposts"],
        comments=row["comments"], likes=row["likes"], content_hash=row["content_hash"],
        duplicate_of=row["duplicate_of"], sentiment=row["sentiment"],
        sentiment_score=row["sentiment_score"],
        sensitive_terms=[TermHit(**h) for h in row["sensitive_terms"]],
        schemes=list(row["schemes"]), places=list(row["places"]),
        handling_class=row["handling_class"], event_id=row["event_id"],
        flags=list(row["flags"]), **_typed_extra(row["extra"]),
    )


def item_to_json(item: Item, tz: str | None = None) -> dict[str, Any]:
    """Return the item JSON of docs/INTERFACES.md ("JSON shapes that scripts read": an item).

    Keys: the exchange fields (id, text, title, source, media_type, url,
    author, author_id, published_at, parent_id, reposts, comments, likes)
    plus sentiment, sentiment_score, sensitive_terms ([{term, category,
    start, end}], offsets into ``text``), schemes, duplicate_of, event_id,
    handling_class, places; and ``key`` (the identity, for /api/items/{key})
    and ``flags`` (e.g. ``date_unparsed``, ``text_truncated``). ``published_at``
    is ISO 8601 with offset, in UTC or in the IANA zone ``tz`` when given.
    """
    published = item.published_at.astimezone(UTC if tz is None else ZoneInfo(tz))
    return {
        "id": item.id, "text": item.text, "title": item.title, "source": item.source,
        "media_type": item.media_type, "url": item.url, "author": item.author,
        "author_id": item.author_id, "published_at": published.isoformat(),
        "parent_id": item.parent_id, "reposts": item.reposts, "comments": item.comments,
        "likes": item.likes, "sentiment": item.sentiment, "sentiment_score": item.sentiment_score,
        "sensitive_terms": [h.as_dict() for h in item.sensitive_terms],
        "schemes": list(item.schemes), "duplicate_of": item.duplicate_of,
        "event_id": item.event_id, "handling_class": item.handling_class,
        "places": list(item.places), "key": item.key, "flags": list(item.flags),
    }


def existing_keys(conn: Connection, keys: Iterable[str]) -> set[str]:
    """Return the subset of ``keys`` already stored (queried in chunks of IN_CHUNK)."""
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for i in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[i : i + IN_CHUNK]
        found.update(conn.scalars(select(items.c.key).where(
            one_of(items.c.key, chunk, conn.dialect.name))))
    return found


def _pg_upsert() -> Insert:
    """Return INSERT ... ON CONFLICT (key) DO UPDATE for PostgreSQL (see _KEEP_IF_NULL,
    _REPLACE)."""
    stmt = postgresql.insert(items)
    new = stmt.excluded
    values: dict[str, Any] = {c: func.coalesce(new[c], items.c[c]) for c in _KEEP_IF_NULL}
    values.update({c: new[c] for c in _REPLACE})
    return stmt.on_conflict_do_update(index_elements=[items.c.key], set_=values)


def _sqlite_upsert_sql() -> str:
    """Return the SQLite twin of _pg_upsert as qmark SQL over _SQLITE_COLUMNS."""
    names = [f'"{name}"' for name in _SQLITE_COLUMNS]
    keep = [f'"{c}" = coalesce(excluded."{c}", items."{c}")' for c in _KEEP_IF_NULL]
    replace = [f'"{c}" = excluded."{c}"' for c in _REPLACE]
    return (f"INSERT INTO items ({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) "
            f"ON CONFLICT (\"key\") DO UPDATE SET {', '.join(keep + replace)}")


_SQLITE_UPSERT = _sqlite_upsert_sql()
_SQLITE_FTS_INSERT = "INSERT INTO items_fts(rowid, search_bigrams) VALUES (?, ?)"


def _sqlite_params(row: dict[str, Any]) -> tuple[Any, ...]:
    """Return ``row`` as the parameter tuple of _SQLITE_UPSERT (JSON and UTC times as text).

    Times use SQLAlchemy's SQLite DateTime text format, so UTCDateTime reads them back.
    """
    encode = _JSON.encode
    for name in _SQLITE_JSON:
        if row[name] is not None:
            row[name] = encode(row[name])
    for name in _SQLITE_TIMES:
        row[name] = row[name].astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    return _sqlite_tuple(row)  # type: ignore[no-any-return]


def _write_rows(conn: Connection, rows: list[dict[str, Any]], known: set[str]) -> None:
    """Upsert prepared item rows: raw executemany on SQLite, SQLAlchemy elsewhere.

    Every row gets the next ``rev`` (the caller holds the shared-state lock). On
    SQLite the rows whose key is not in ``known`` (new rows) are also added to
    ``items_fts`` here; a trigger re-indexes updated rows.
    """
    rev = next_revs(conn, len(rows))
    for i, row in enumerate(rows):
        row["rev"] = rev + i
    if conn.dialect.name == "postgresql":
        conn.execute(_pg_upsert(), rows)
        return
    base = conn.scalar(select(func.coalesce(func.max(items.c.seq), 0))) or 0
    for i, row in enumerate(rows, start=1):
        row["seq"] = base + i
    fts = [(row["seq"], row["search_bigrams"]) for row in rows if row["key"] not in known]
    conn.exec_driver_sql(_SQLITE_UPSERT, [_sqlite_params(row) for row in rows])
    if fts:
        conn.exec_driver_sql(_SQLITE_FTS_INSERT, fts)


def save_items(conn: Connection, batch: Sequence[Item], now: datetime) -> SaveResult:
    """Upsert ``batch`` by key inside the caller's transaction; return what changed.

    A known key is an update only when a value its source gave changed
    (SOURCE_COLUMNS: text, title, counts ...); one whose upsert would change no
    stored value at all (an unchanged feed polled again) is not written
    (docs/FIELD_CASES.md F20.9); one whose analysis alone changed is written, not
    counted. A key repeated inside the batch is written once (the last one wins), an
    update when its later copy changes a source value.
    Takes the shared-state lock (store/scaleout.py) for the rest of the transaction:
    new ``rev`` values are max(rev) + i, and on SQLite (where the write lock is that
    lock) new ``seq`` values max(seq) + i.
    """
    rows: dict[str, dict[str, Any]] = {}
    repeated: set[str] = set()  # keys whose later copy in the batch changes a source value
    for item in batch:
        row = item_to_row(item, now)
        earlier = rows.get(item.key)
        if earlier is not None and source_changed(row, earlier):
            repeated.add(item.key)
        rows[item.key] = row
    if not rows:
        return SaveResult(0, 0)
    latest = {item.key: item for item in batch}
    lock_shared_state(conn)
    known = existing_keys(conn, latest)
    same, changed = compare_stored(conn, [rows[k] for k in known])
    same -= repeated
    changed |= repeated
    written = [row for key, row in rows.items() if key not in same]
    if written:
        _write_rows(conn, written, known)
    if known - same:
        conn.execute(delete(item_schemes).where(item_schemes.c.item_key == bindparam("k")),
                     [{"k": k} for k in known - same])
    pairs = [{"item_key": it.key, "scheme": s} for it in latest.values() if it.key not in same
             for s in dict.fromkeys(it.schemes)]
    if pairs:  # another writer (PostgreSQL) may have saved the same new item meanwhile
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        conn.execute(dialect.insert(item_schemes).on_conflict_do_nothing(), pairs)
    return SaveResult(inserted=len(latest) - len(known), updated=len(changed),
                      updated_keys=frozenset(changed))


#: the columns an upsert may change (_KEEP_IF_NULL, _REPLACE), less the derived and the stamp
_COMPARED = tuple(c for c in (*_KEEP_IF_NULL, *_REPLACE) if c not in ("search_bigrams",
                                                                      "updated_at"))
#: the columns whose values come from the source: a change in one is an update; so is a
#: change in the source's part of ``extra`` (:func:`source_changed`: e.g. a hot-list
#: topic's rank and heat), not in the stages' part (EXTRA_FIELDS)
SOURCE_COLUMNS = ("id", "title", "url", "canonical_url", "author", "author_id", "parent_id",
                  "reposts", "comments", "likes", "text")


def _source_extra(value: Any) -> Any:
    """Return the source's part of a stored ``extra`` (the stages' typed fields left out)."""
    if not isinstance(value, dict):
        return value
    return {k: v for k, v in value.items() if k not in EXTRA_FIELDS}


def source_changed(row: Mapping[str, Any], old: Mapping[str, Any]) -> bool:
    """True when a value the source gave differs between the item rows ``row`` and
    ``old``: a SOURCE_COLUMNS value or the source's part of ``extra``."""
    return (any(row[c] != old[c] for c in SOURCE_COLUMNS)
            or _source_extra(row["extra"]) != _source_extra(old["extra"]))


def compare_stored(conn: Connection, rows: Sequence[dict[str, Any]]) -> tuple[set[str], set[str]]:
    """Return ``(same, changed)`` keys of the prepared ``rows`` (stored keys): ``same`` whose
    upsert would change no stored value (every _REPLACE column equal, every _KEEP_IF_NULL
    column equal or None), ``changed`` whose SOURCE_COLUMNS would change."""
    stored: dict[str, Any] = {}
    columns = [items.c.key, *(items.c[c] for c in _COMPARED)]
    keys = [row["key"] for row in rows]
    for i in range(0, len(keys), IN_CHUNK):
        found = conn.execute(select(*columns).where(items.c.key.in_(keys[i : i + IN_CHUNK])))
        stored.update({r.key: r._mapping for r in found})
    keep = set(_KEEP_IF_NULL)
    same: set[str] = set()
    changed: set[str] = set()
    for row in rows:
        old = stored.get(row["key"])
        if old is None:
            continue
        differ = {c for c in _COMPARED
                  if not (row[c] == old[c] or (c in keep and row[c] is None))}
        if not differ:
            same.add(row["key"])
        elif source_changed(row, old):
            changed.add(row["key"])
    return same, changed


def filter_items(
    stmt: Select[Any], dialect: str, scheme: str | None = None, sentiment: str | None = None,
    since: datetime | None = None, query: str | None = None, source: str | None = None,
) -> Select[Any]:
    """Return ``stmt`` with the item filters applied (all given filters must hold).

    ``query`` must be normalised like ``match_text`` (see store/search.py).
    Raises ValueError for a query with no searchable character.
    """
    conditions: list[ColumnElement[bool]] = []
    if scheme is not None:
        schemed = select(item_schemes.c.item_key).where(item_schemes.c.scheme == scheme)
        conditions.append(items.c.key.in_(schemed))
    if sentiment is not None:
        conditions.append(items.c.sentiment == sentiment)
    if since is not None:
        conditions.append(items.c.published_at >= since)
    if source is not None:
        conditions.append(items.c.source == source)
    if query:
        found = query_condition(query, dialect)
        if found is not None:
            conditions.append(found)
    return stmt.where(and_(*conditions)) if conditions else stmt


def items_after(conn: Connection, seq: int, limit: int) -> tuple[int, list[Item]]:
    """Return ``(seq to continue from, items stored after seq)``, oldest first: the newest
    seq and no items when ``seq`` < 0 or nothing is newer, else the seq of the last item
    returned."""
    top = int(conn.scalar(select(func.max(items.c.seq))) or 0)
    if seq < 0 or top <= seq:
        return top, []
    rows = conn.execute(select(items).where(items.c.seq > seq).order_by(items.c.seq)
                        .limit(limit)).all()
    return int(rows[-1].seq), [row_to_item(r._mapping) for r in rows]


def related_items(conn: Connection, key: str, limit: int) -> list[Item]:
    """Return items that duplicate item ``key`` or, within its source, repost or reply to
    it (``parent_id`` or ``root_id`` is its id); newest first, ``key`` itself excluded."""
    source, _, ident = key.partition(":")
    cond = items.c.duplicate_of == key
    if ident:
        cond = cond | ((items.c.source == source)
                       & ((items.c.parent_id == ident) | (items.c.root_id == ident)))
    stmt = (select(items).where(cond, items.c.key != key)
            .order_by(items.c.published_at.desc()).limit(limit))
    return [row_to_item(r._mapping) for r in conn.execute(stmt)]


class ItemsRepository(Repository):
    """Queries of items (save, get, search, feed and analytics reads)."""

    def save(self, batch: Sequence[Item]) -> SaveResult:
        """Upsert ``batch`` by key in one write transaction (:func:`save_items`); return
        counts of inserted and updated rows. Raises ValueError for a naive datetime."""
        with self._write() as conn:
            return save_items(conn, batch, datetime.now(UTC))

    def existing_keys(self, keys: Iterable[str]) -> set[str]:
        """Return the subset of ``keys`` already stored."""
        with self._read() as conn:
            return existing_keys(conn, keys)

    # ----- reads for the web and CLI -----

    def feed(self, *, query: str | None = None, scheme: str | None = None,
             sentiment: str | None = None, since: datetime | None = None,
             source: str | None = None, media: str | None = None, sensitive: bool = False,
             level: str | None = None, limit: int = 50, offset: int = 0) -> list[Item]:
        """Return one page of the web feed: items matching every given filter, newest first.

        ``query`` is already normalised like ``match_text``; ``media`` a media type;
        ``sensitive`` keeps items with a sensitive-word hit; ``level`` items of an event
        of that level (store/feed.py feed_statement). Raises ValueError for a query with
        no searchable character.
        """
        with self._read() as conn:
            filtered = filter_items(select(items), conn.dialect.name, sentiment=sentiment,
                                    since=since, source=source)
            pg_query = query if conn.dialect.name == "postgresql" else None
            stmt = feed_statement(conn, filtered, query=None if pg_query else query,
                                  scheme=scheme, media=media, sensitive=sensitive, level=level)
            rows = (search_page(conn, stmt.order_by(None), pg_query, limit, offset) if pg_query
                    else conn.execute(stmt.limit(limit).offset(offset)))
            return [row_to_item(r._mapping) for r in rows]

    def refresh_planner_stats(self) -> bool:
        """On SQLite, run ANALYZE when the planner statistics are stale (store/feed.py
        planner_stats_stale); return whether it ran. It takes about 4 s at 1M items and
        holds the write lock meanwhile, so call it off the request path."""
        with self._read() as conn:
            if conn.dialect.name != "sqlite" or not planner_stats_stale(conn):
                return False
        with self._write() as conn:
            conn.exec_driver_sql("ANALYZE")
        return True

    def recent_fingerprints(self, limit: int) -> Iterator[tuple[str, str, str | None, str]]:
        """Yield ``(key, content_hash, canonical_url, match_text)`` of the ``limit`` items
        stored last (by insertion order, whatever their publication time).

        Oldest first, streamed in chunks of 1,000 rows; for seeding the dedup
        stage's memory at start-up, so a restart still sees what it stored.
        """
        last = select(items.c.seq).order_by(items.c.seq.desc()).limit(limit).subquery()
        stmt = (select(items.c.key, items.c.content_hash, items.c.canonical_url,
                       items.c.match_text)
                .where(items.c.seq.in_(select(last.c.seq))).order_by(items.c.seq))
        with self._read() as conn:
            for row in conn.execute(stmt.execution_options(yield_per=1000)):
                yield row.key, row.content_hash, row.canonical_url, row.match_text

    def items_after(self, seq: int, limit: int = 50) -> tuple[int, list[Item]]:
        """Return ``(seq to continue from, items stored after seq)`` for the live feed,
        oldest first (see :func:`items_after`); ``seq`` < 0 asks only for the newest seq."""
        with self._read() as conn:
            return items_after(conn, seq, limit)

    def related(self, key: str, limit: int = 50) -> list[Item]:
        """Return items that duplicate, repost or reply to item ``key``, newest first."""
        with self._read() as conn:
            return related_items(conn, key, limit)

    def newest_published(self, sources: Iterable[str]) -> dict[str, datetime]:
        """Return ``{source: newest published_at}`` (aware UTC) of the stored items of each
        of ``sources`` that has any (one index lookup per source)."""
        found: dict[str, datetime] = {}
        with self._read() as conn:
            for source in dict.fromkeys(sources):
                newest = conn.scalar(select(func.max(items.c.published_at))
                                     .where(items.c.source == source))
                if newest is not None:
                    found[source] = newest
        return found

    def published_range(self) -> tuple[datetime, datetime] | None:
        """Return the oldest and newest ``published_at`` of the stored items (aware UTC),
        or None when the store holds no item."""
        stmt = select(func.min(items.c.published_at), func.max(items.c.published_at))
        with self._read() as conn:
            first, last = conn.execute(stmt).one()
        return None if first is None or last is None else (first, last)
