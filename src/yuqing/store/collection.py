"""What sources remember across polls and restarts: seen keys and hot-list snapshots.

:class:`CollectionRepository` (``store.collection``) implements the
``SourceMemory`` port of sources/polling.py: ``unseen``/``mark_seen`` over
``source_seen``, ``save_snapshot``/``last_snapshot`` over ``hotlist_snapshots``
(store/collection_tables.py), plus :meth:`CollectionRepository.snapshot_series`,
one topic's place in every snapshot (its rank and heat over time).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import RowMapping

from yuqing.domain import HotlistEntry
from yuqing.store.collection_tables import hotlist_snapshots, source_seen
from yuqing.store.repository import Repository

#: keys per IN list / rows per INSERT
CHUNK = 500
#: how long hot-list snapshots are kept: a rank/heat series spans at most this long
#: (about 14,000 rows per list and day at a 5-minute interval)
SNAPSHOT_KEEP = timedelta(days=90)


def key_hash(key: str) -> str:
    """Return the ``source_seen.key_hash`` of ``key`` (SHA-1 hex of its UTF-8)."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def _entry(row: RowMapping) -> HotlistEntry:
    return HotlistEntry(key=row["key"], rank=row["rank"], title=row["title"], heat=row["heat"],
                        url=row["url"])


class CollectionRepository(Repository):
    """Seen keys and hot-list snapshots per source (the SourceMemory of the poller)."""

    def unseen(self, source: str, keys: Sequence[str]) -> list[str]:
        """Return the ``keys`` that ``source`` has not marked seen, in the given order,
        without repeats."""
        wanted = list(dict.fromkeys(keys))
        seen: set[str] = set()
        with self._read() as conn:
            for i in range(0, len(wanted), CHUNK):
                hashes = [key_hash(k) for k in wanted[i : i + CHUNK]]
                stmt = select(source_seen.c.key_hash).where(
                    source_seen.c.source == source, source_seen.c.key_hash.in_(hashes))
                seen.update(conn.scalars(stmt))
        return [k for k in wanted if key_hash(k) not in seen]

    def mark_seen(self, source: str, keys: Sequence[str], at: datetime) -> None:
        """Remember ``keys`` as seen by ``source``, first at ``at`` (aware); a key seen
        before keeps its first time."""
        rows = [{"source": source, "key_hash": key_hash(k), "key": k, "first_seen": at}
                for k in dict.fromkeys(keys)]
        if not rows:
            return
        with self._write() as conn:
            module: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
            for i in range(0, len(rows), CHUNK):
                conn.execute(module.insert(source_seen).values(rows[i : i + CHUNK])
                             .on_conflict_do_nothing())

    def save_snapshot(self, source: str, at: datetime, entries: Sequence[HotlistEntry]) -> None:
        """Store one hot-list snapshot of ``source`` taken at ``at`` (aware) and drop the
        source's snapshots older than SNAPSHOT_KEEP before ``at``; an empty snapshot
        stores and drops nothing (``last_snapshot`` then stays the previous one)."""
        rows = [{"source": source, "taken_at": at, "key": e.key, "rank": e.rank,
                 "title": e.title, "heat": e.heat, "url": e.url} for e in entries]
        if rows:
            t = hotlist_snapshots
            with self._write() as conn:
                conn.execute(delete(t).where(t.c.source == source,
                                             t.c.taken_at < at - SNAPSHOT_KEEP))
                conn.execute(insert(t), rows)

    def last_snapshot(self, source: str) -> list[HotlistEntry]:
        """Return the newest snapshot of ``source`` by rank (empty when it has none)."""
        t = hotlist_snapshots
        newest = select(func.max(t.c.taken_at)).where(t.c.source == source).scalar_subquery()
        stmt = (select(t).where(t.c.source == source, t.c.taken_at == newest)
                .order_by(t.c.rank, t.c.id))
        with self._read() as conn:
            return [_entry(r._mapping) for r in conn.execute(stmt)]

    def snapshot_series(self, source: str, key: str, *,
                        since: datetime | None = None) -> list[tuple[datetime, HotlistEntry]]:
        """Return ``(taken_at, entry)`` of every snapshot of ``source`` that lists the topic
        ``key`` (at or after ``since`` when given), oldest first: its rank and heat over
        time. Snapshots the topic is missing from are not listed."""
        t = hotlist_snapshots
        stmt = select(t).where(t.c.source == source, t.c.key == key)
        if since is not None:
            stmt = stmt.where(t.c.taken_at >= since)
        with self._read() as conn:
            rows = conn.execute(stmt.order_by(t.c.taken_at, t.c.id))
            return [(r._mapping["taken_at"], _entry(r._mapping)) for r in rows]
