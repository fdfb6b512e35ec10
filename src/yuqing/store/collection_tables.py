"""The tables of what sources remember (migration branch ``collection``, 0012_collection.py).

``source_seen``: one row per key (a canonical article URL, a topic key) a source
has seen, with when it was first seen. The key is identified by ``key_hash``
(SHA-1 hex of the key, 40 characters), so a long URL never meets PostgreSQL's
limit on index entries; ``key`` keeps the key itself.

``hotlist_snapshots``: one row per topic of every hot-list snapshot: the
source, when the snapshot was taken, the topic's key, rank (1-based), title,
heat (the platform's figure, NULL when it gives none) and URL.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String, Table, Text

from yuqing.store.tables import UTCDateTime, metadata

source_seen = Table(
    "source_seen",
    metadata,
    Column("source", String, primary_key=True),
    Column("key_hash", String(40), primary_key=True),
    Column("key", Text, nullable=False),
    Column("first_seen", UTCDateTime, nullable=False),
)

hotlist_snapshots = Table(
    "hotlist_snapshots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String, nullable=False),
    Column("taken_at", UTCDateTime, nullable=False),
    Column("key", Text, nullable=False),
    Column("rank", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("heat", Float),
    Column("url", Text),
    Index("ix_hotlist_snapshots_source_taken", "source", "taken_at"),
    Index("ix_hotlist_snapshots_source_key", "source", "key", "taken_at"),
    sqlite_autoincrement=True,
)

TABLES = (source_seen, hotlist_snapshots)
