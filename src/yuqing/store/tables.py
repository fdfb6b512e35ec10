"""SQLAlchemy table definitions of the Yuqing store (the schema Alembic migrates to).

Ids and keys are strings. Datetimes are stored as aware UTC: ``timestamptz``
on PostgreSQL, a UTC text value on SQLite that :class:`UTCDateTime` turns back
into an aware UTC ``datetime``. JSON columns are ``JSONB`` on PostgreSQL and
JSON text on SQLite. The SQLite full-text table ``items_fts`` and the
PostgreSQL GIN index on ``search_bigrams`` live in the migrations only
(they are backend-specific DDL); see store/search.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """A datetime column that accepts only aware datetimes and returns aware UTC.

    Binding a naive datetime raises ValueError (we never guess a zone in the
    store; normalisation assigns zones). SQLite keeps the UTC wall time as
    text, so string order is time order and ``since`` filters stay indexable.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return ``value`` converted to UTC (naive UTC on SQLite); raise ValueError if naive."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: the store needs aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return the stored value as an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def json_type() -> TypeEngine[Any]:
    """Return the JSON column type: JSONB on PostgreSQL, JSON text elsewhere; None is SQL NULL."""
    return JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


def ordered_json_type() -> TypeEngine[Any]:
    """Return a JSON column type that gives objects back with their keys in the order
    written: ``json`` (text) on PostgreSQL too, where ``jsonb`` sorts them. For state that
    another process reloads and must see as its writer held it (an event's centroid:
    ties between equal weights are kept in insertion order; docs/SCALEOUT.md)."""
    return JSON(none_as_null=True)


metadata = MetaData()

items = Table(
    "items",
    metadata,
    Column("key", String, primary_key=True),
    # seq: integer alias used as the rowid of the SQLite FTS table (a table with a
    # text primary key has no stable rowid: VACUUM may renumber it). PostgreSQL
    # fills it from an identity; on SQLite the single writer assigns max(seq) + i.
    Column("seq", BigInteger, Identity(), nullable=False, unique=True),
    Column("id", String),
    Column("source", String, nullable=False),
    Column("media_type", String, nullable=False),
    Column("url", Text),
    Column("canonical_url", Text),
    Column("title", Text),
    Column("text", Text, nullable=False),
    Column("match_text", Text, nullable=False),
    Column("offsets", json_type()),  # NULL when offsets[i] == i for every i
    Column("search_bigrams", Text, nullable=False),
    Column("published_at", UTCDateTime, nullable=False),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("author", Text),
    Column("author_id", String),
    Column("parent_id", String),
    Column("root_id", String),
    Column("reposts", Integer),
    Column("comments", Integer),
    Column("likes", Integer),
    Column("content_hash", String, nullable=False),
    Column("duplicate_of", String),
    Column("sentiment", String),
    Column("sentiment_score", Float),
    Column("n_sensitive", Integer, nullable=False),
    Column("sensitive_terms", json_type(), nullable=False),
    Column("schemes", json_type(), nullable=False),
    Column("places", json_type(), nullable=False),
    Column("handling_class", Integer),
    Column("event_id", String),
    Column("flags", json_type(), nullable=False),
    Column("extra", json_type(), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # rev: the write order of every insert AND update (max(rev) + i, assigned under the
    # shared-state lock, store/scaleout.py), so another process catches up with the rows
    # written after the last one it saw; NULL on rows written before migration 0012
    Column("rev", BigInteger),
    Index("ix_items_published_at", "published_at"),
    Index("ix_items_source_published", "source", "published_at"),  # 0012_collection
    Index("ix_items_content_hash", "content_hash"),
    Index("ix_items_canonical_url", "canonical_url"),
    Index("ix_items_duplicate_of", "duplicate_of"),
    Index("ix_items_parent_id", "parent_id"),
    Index("ix_items_sentiment", "sentiment"),
    Index("ix_items_event_id", "event_id"),
    Index("ix_items_rev", "rev"),
)

item_schemes = Table(
    "item_schemes",
    metadata,
    Column("item_key", String, ForeignKey("items.key", ondelete="CASCADE"), primary_key=True),
    Column("scheme", String, primary_key=True),
    Index("ix_item_schemes_scheme", "scheme"),
)

rejections = Table(
    "rejections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("source", String),
    Column("origin", Text),
    Column("reason", String, nullable=False),
    Column("detail", Text),
    Index("ix_rejections_reason", "reason"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule", String, nullable=False),
    Column("dedup_key", String, nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("level", String, nullable=False),
    Column("item_keys", json_type(), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("dedup_key", name="uq_alerts_dedup_key"),
    sqlite_autoincrement=True,
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
    Column("channel", String, primary_key=True),
    Column("status", String, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("updated_at", UTCDateTime, nullable=False),
    # parts 1..parts_sent of a message split by size were accepted (a retry sends the
    # rest); added by migration 0011_delivery_parts
    Column("parts_sent", Integer, nullable=False, default=0, server_default="0"),
    CheckConstraint("status IN ('sent', 'failed', 'pending')", name="ck_deliveries_status"),
    Index("ix_deliveries_status", "status"),
)

source_state = Table(
    "source_state",
    metadata,
    Column("name", String, primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("cursor", Text),
    Column("health", json_type(), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
