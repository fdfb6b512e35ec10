"""Queries of the events part of the store (tables in store/events_tables.py).

Functions take a SQLAlchemy Connection from ``Store.read()`` / ``Store.write()``.
Datetimes in and out are aware UTC (``UTCDateTime``).
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql

from yuqing.domain import Event, Item
from yuqing.store.events_tables import events
from yuqing.store.items import row_to_item
from yuqing.store.repository import Repository, one_of
from yuqing.store.tables import item_schemes, items

_CHUNK = 500  # keys per IN (...) list


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    values = list(values)
    for i in range(0, len(values), _CHUNK):
        yield values[i : i + _CHUNK]


_COLUMNS = [c.name for c in events.columns]
_JSON_COLUMNS = frozenset({"keywords", "terms", "state"})
_TIME_COLUMNS = frozenset({"first_at", "last_at", "updated_at"})
_SQLITE_REPLACE = (f"INSERT OR REPLACE INTO events ({', '.join(_COLUMNS)}) "
                   f"VALUES ({', '.join('?' * len(_COLUMNS))})")
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _sqlite_value(name: str, value: Any) -> Any:
    """Return ``value`` of column ``name`` as SQLite stores it through the table's types
    (JSON as text; aware times as naive UTC text in SQLAlchemy's DateTime format)."""
    if name in _JSON_COLUMNS:
        return _JSON.encode(value)
    if name in _TIME_COLUMNS:
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    return value


def event_to_row(event: Event, now: datetime) -> dict[str, Any]:
    """Return the ``events`` table row of ``event``, updated at ``now``."""
    state = {"rep_score": event.rep_score, "negative": event.negative,
             "sensitive": event.sensitive, "tokens": event.tokens, "counts": event.counts,
             "first_by_media": event.first_by_media, "hours": event.hours}
    return {"id": event.id, "title": event.title, "rep_key": event.rep_key,
            "origin_key": event.origin_key, "first_at": event.first_at,
            "last_at": event.last_at, "size": event.size, "heat": event.heat,
            "level": event.level, "keywords": event.keywords, "terms": event.centroid,
            "state": state, "updated_at": now}


def _interned(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``mapping`` as a dict in its order, its keys interned: the open events a
    process loads then share one string per term, word and counted value (JSON decoding
    makes a copy per row)."""
    intern = sys.intern
    return {intern(str(k)): v for k, v in mapping.items()}


def event_from_row(row: Mapping[Any, Any]) -> Event:
    """Rebuild an event from its ``events`` row."""
    state = row["state"]
    centroid = {sys.intern(str(t)): float(w) for t, w in row["terms"].items()}
    event = Event(id=row["id"], first_at=row["first_at"], last_at=row["last_at"],
                  origin_key=row["origin_key"], rep_key=row["rep_key"], title=row["title"],
                  rep_score=state["rep_score"], size=row["size"], heat=row["heat"],
                  negative=state["negative"], sensitive=state["sensitive"], level=row["level"],
                  tokens=_interned(state["tokens"]),
                  counts={k: _interned(v) for k, v in _interned(state["counts"]).items()},
                  first_by_media=_interned(state["first_by_media"]),
                  hours={int(h): int(n) for h, n in state.get("hours", {}).items()},
                  keywords=list(row["keywords"]))
    event.set_centroid(centroid, math.sqrt(sum(w * w for w in centroid.values())) or 1.0)
    return event


def save_events(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Replace the rows of the events in ``rows`` (``event_to_row`` shape) in one go:
    one raw ``INSERT OR REPLACE`` executemany on SQLite (the per-batch hot path),
    ``INSERT … ON CONFLICT (id) DO UPDATE`` on PostgreSQL."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(_SQLITE_REPLACE, [tuple(_sqlite_value(c, r[c]) for c in _COLUMNS)
                                               for r in rows])
        return
    stmt = postgresql.insert(events)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[events.c.id],
        set_={c: stmt.excluded[c] for c in _COLUMNS if c != "id"}), rows)


def load_events(conn: Connection, ids: Iterable[str]) -> list[Event]:
    """Return the stored events with the given ids (unknown ids are skipped)."""
    found: list[Event] = []
    for chunk in _chunks(ids):
        rows = conn.execute(select(events).where(
            one_of(events.c.id, chunk, conn.dialect.name))).mappings()
        found.extend(event_from_row(r) for r in rows)
    return found


def load_open_events(conn: Connection, window: timedelta, limit: int = 50_000) -> list[Event]:
    """Return up to ``limit`` events whose last item is within ``window`` of the newest
    event's last item (the events still open for new items), newest first."""
    newest = conn.scalar(select(func.max(events.c.last_at)))
    if newest is None:
        return []
    stmt = (select(events).where(events.c.last_at >= newest - window)
            .order_by(events.c.last_at.desc()).limit(limit))
    return [event_from_row(r) for r in conn.execute(stmt).mappings()]


def recent_item_events(conn: Connection, limit: int
                       ) -> Iterator[tuple[str, str, str, str, str | None]]:
    """Yield ``(key, event_id, match_text, source, author)`` of the ``limit`` items stored
    last that have an event, oldest first."""
    stmt = (select(items.c.key, items.c.event_id, items.c.match_text, items.c.source,
                   items.c.author)
            .where(items.c.event_id.is_not(None)).order_by(items.c.seq.desc()).limit(limit))
    rows = conn.execute(stmt).all()
    for row in reversed(rows):
        yield row.key, row.event_id, row.match_text, row.source, row.author


def item_events(conn: Connection, keys: Iterable[str]) -> dict[str, str]:
    """Return ``{key: event_id}`` for the stored items among ``keys`` that have an event."""
    found: dict[str, str] = {}
    for chunk in _chunks(keys):
        stmt = select(items.c.key, items.c.event_id).where(
            one_of(items.c.key, chunk, conn.dialect.name), items.c.event_id.is_not(None))
        found.update({r.key: r.event_id for r in conn.execute(stmt)})
    return found


def event_row(conn: Connection, event_id: str) -> dict[str, Any] | None:
    """Return the stored row of ``event_id`` as a dict, or None."""
    row = conn.execute(select(events).where(events.c.id == event_id)).mappings().first()
    return dict(row) if row is not None else None


def list_event_rows(conn: Connection, since: datetime | None = None, min_size: int = 1,
                    order: str = "heat", limit: int = 50, *, until: datetime | None = None,
                    scheme: str | None = None, level: str | None = None,
                    sentiment: str | None = None, offset: int = 0) -> list[dict[str, Any]]:
    """Return event rows with at least ``min_size`` items, last active at or after
    ``since`` and first seen before ``until``, of level ``level``, holding an item of
    ``scheme`` and one of ``sentiment`` (each filter when given), ordered by ``heat``,
    ``last_at`` or ``size`` (descending), ``limit`` rows from ``offset``. Raises ValueError
    for another order."""
    if order not in ("heat", "last_at", "size"):
        raise ValueError(f"unknown event order {order!r}; use heat, last_at or size")
    stmt = select(events).where(events.c.size >= min_size)
    if since is not None:
        stmt = stmt.where(events.c.last_at >= since)
    if until is not None:
        stmt = stmt.where(events.c.first_at < until)
    if level is not None:
        stmt = stmt.where(events.c.level == level)
    if scheme is not None:
        schemed = (select(items.c.event_id).join(item_schemes,
                                                 item_schemes.c.item_key == items.c.key)
                   .where(item_schemes.c.scheme == scheme, items.c.event_id.is_not(None)))
        stmt = stmt.where(events.c.id.in_(schemed))
    if sentiment is not None:
        stmt = stmt.where(events.c.id.in_(select(items.c.event_id).where(
            items.c.sentiment == sentiment, items.c.event_id.is_not(None))))
    stmt = stmt.order_by(events.c[order].desc(), events.c.id).limit(limit).offset(offset)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def count_events(conn: Connection) -> int:
    """Return how many events are stored."""
    return int(conn.scalar(select(func.count()).select_from(events)) or 0)


def event_members(conn: Connection, event_id: str, limit: int = 20_000) -> list[Item]:
    """Return up to ``limit`` items of ``event_id``, earliest published first."""
    stmt = (select(items).where(items.c.event_id == event_id)
            .order_by(items.c.published_at, items.c.seq).limit(limit))
    return [row_to_item(r._mapping) for r in conn.execute(stmt)]


def event_times(conn: Connection, event_id: str) -> list[datetime]:
    """Return the publication times of every item of ``event_id``, in order."""
    stmt = (select(items.c.published_at).where(items.c.event_id == event_id)
            .order_by(items.c.published_at))
    return [r[0] for r in conn.execute(stmt)]


class EventsRepository(Repository):
    """Queries of events (open events, item links, event pages); the events stage's
    ``EventStatePort`` (pipeline/base.py)."""

    def open_events(self, window: timedelta) -> list[Event]:
        """Return the events still open for new items (:func:`load_open_events`)."""
        with self._read() as conn:
            return load_open_events(conn, window)

    def item_events(self, keys: Iterable[str]) -> dict[str, str]:
        """Return ``{key: event_id}`` for the stored items among ``keys`` that have one."""
        with self._read() as conn:
            return item_events(conn, keys)

    def load(self, ids: Iterable[str]) -> list[Event]:
        """Return the stored events with the given ids (unknown ids are skipped)."""
        with self._read() as conn:
            return load_events(conn, ids)

    def recent_links(self, limit: int) -> list[tuple[str, str, str, str, str | None]]:
        """Return ``(key, event_id, match_text, source, author)`` of the ``limit`` items
        stored last that have an event, oldest first."""
        with self._read() as conn:
            return list(recent_item_events(conn, limit))

    def save(self, changed: Sequence[Event]) -> None:
        """Store the ``changed`` events in one write transaction, each replacing its stored
        row (``updated_at``: now)."""
        if not changed:
            return
        now = datetime.now(UTC)
        rows = [event_to_row(e, now) for e in changed]
        with self._write() as conn:
            save_events(conn, rows)

    # ----- reads for the web and CLI -----

    def members(self, event_id: str, limit: int = 20_000) -> list[Item]:
        """Return up to ``limit`` items of event ``event_id``, earliest published first."""
        with self._read() as conn:
            return event_members(conn, event_id, limit)
