"""Initial schema: items (+ full-text search), item_schemes, rejections, alerts, deliveries,
source_state.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from yuqing.store.tables import UTCDateTime, json_type

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# SQLite: FTS5 external-content index over items.search_bigrams, rowid = items.seq
# (the FTS5 manual, "External Content Tables"). Updates and deletes are synced by
# triggers; new rows are indexed by store/items.py in one executemany per batch,
# 2.3x faster than an AFTER INSERT trigger (measured: 25k vs 11k rows/s CPU).
SQLITE_FTS = (
    "CREATE VIRTUAL TABLE items_fts USING fts5(search_bigrams, content='items', "
    "content_rowid='seq', tokenize='unicode61', columnsize=0)",
    "CREATE TRIGGER items_fts_ad AFTER DELETE ON items BEGIN "
    "INSERT INTO items_fts(items_fts, rowid, search_bigrams) "
    "VALUES ('delete', old.seq, old.search_bigrams); END",
    "CREATE TRIGGER items_fts_au AFTER UPDATE OF search_bigrams ON items "
    "WHEN old.search_bigrams IS NOT new.search_bigrams BEGIN "
    "INSERT INTO items_fts(items_fts, rowid, search_bigrams) "
    "VALUES ('delete', old.seq, old.search_bigrams); "
    "INSERT INTO items_fts(rowid, search_bigrams) VALUES (new.seq, new.search_bigrams); END",
)
PG_SEARCH_INDEX = (
    "CREATE INDEX ix_items_search ON items USING gin (to_tsvector('simple', search_bigrams))"
)


def _items_columns() -> list[sa.Column[object]]:
    """Return the columns of the items table at this revision."""
    s, t, i = sa.String, sa.Text, sa.Integer
    nullable: dict[str, Any] = {
        "id": s, "url": t, "canonical_url": t, "title": t, "offsets": json_type(),
        "author": t, "author_id": s, "parent_id": s, "root_id": s, "reposts": i,
        "comments": i, "likes": i, "duplicate_of": s, "sentiment": s,
        "sentiment_score": sa.Float, "handling_class": i, "event_id": s,
    }
    required: dict[str, Any] = {
        "source": s, "media_type": s, "text": t, "match_text": t, "search_bigrams": t,
        "published_at": UTCDateTime, "fetched_at": UTCDateTime, "content_hash": s,
        "n_sensitive": i, "sensitive_terms": json_type(), "schemes": json_type(),
        "places": json_type(), "flags": json_type(), "extra": json_type(),
        "created_at": UTCDateTime, "updated_at": UTCDateTime,
    }
    return [
        sa.Column("key", s, primary_key=True),
        sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
        *(sa.Column(name, kind, nullable=True) for name, kind in nullable.items()),
        *(sa.Column(name, kind, nullable=False) for name, kind in required.items()),
    ]


def upgrade() -> None:
    """Create every table, index and the backend's full-text index."""
    op.create_table("items", *_items_columns())
    for column in ("published_at", "source", "content_hash", "canonical_url", "duplicate_of",
                   "parent_id", "sentiment", "event_id"):
        op.create_index(f"ix_items_{column}", "items", [column])
    op.create_table(
        "item_schemes",
        sa.Column("item_key", sa.String, sa.ForeignKey("items.key", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("scheme", sa.String, primary_key=True),
    )
    op.create_index("ix_item_schemes_scheme", "item_schemes", ["scheme"])
    op.create_table(
        "rejections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("source", sa.String),
        sa.Column("origin", sa.Text),
        sa.Column("reason", sa.String, nullable=False),
        sa.Column("detail", sa.Text),
    )
    op.create_index("ix_rejections_reason", "rejections", ["reason"])
    _create_outbox()
    op.create_table(
        "source_state",
        sa.Column("name", sa.String, primary_key=True),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("cursor", sa.Text),
        sa.Column("health", json_type(), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    statements = SQLITE_FTS if op.get_bind().dialect.name == "sqlite" else (PG_SEARCH_INDEX,)
    for statement in statements:
        op.execute(statement)


def _create_outbox() -> None:
    """Create the alerts and deliveries tables."""
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("rule", sa.String, nullable=False),
        sa.Column("dedup_key", sa.String, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("level", sa.String, nullable=False),
        sa.Column("item_keys", json_type(), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("dedup_key", name="uq_alerts_dedup_key"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "deliveries",
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("channel", sa.String, primary_key=True),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.CheckConstraint("status IN ('sent', 'failed', 'pending')", name="ck_deliveries_status"),
    )
    op.create_index("ix_deliveries_status", "deliveries", ["status"])


def downgrade() -> None:
    """Drop everything upgrade() created."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS items_fts")
    for name in ("deliveries", "alerts", "source_state", "rejections", "item_schemes", "items"):
        op.drop_table(name)
