"""What sources remember across restarts: seen keys and hot-list snapshots (issue 14).

Revision ID: 0012_collection
Revises: 0001
Create Date: 2026-12-07

The tables are described in store/collection_tables.py. The index of items by
source becomes one by (source, published_at), so the newest item of a source (its
freshness, sources/health.py) is one index lookup.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from yuqing.store.tables import UTCDateTime

revision = "0012_collection"
down_revision = "0001"
branch_labels = ("collection",)
depends_on = None


def upgrade() -> None:
    """Create the source_seen and hotlist_snapshots tables; index items by (source,
    published_at)."""
    op.create_table(
        "source_seen",
        sa.Column("source", sa.String, primary_key=True),
        sa.Column("key_hash", sa.String(40), primary_key=True),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("first_seen", UTCDateTime, nullable=False),
    )
    op.create_table(
        "hotlist_snapshots",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String, nullable=False),
        sa.Column("taken_at", UTCDateTime, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("heat", sa.Float),
        sa.Column("url", sa.Text),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_hotlist_snapshots_source_taken", "hotlist_snapshots",
                    ["source", "taken_at"])
    op.create_index("ix_hotlist_snapshots_source_key", "hotlist_snapshots",
                    ["source", "key", "taken_at"])
    op.create_index("ix_items_source_published", "items", ["source", "published_at"])
    op.drop_index("ix_items_source", table_name="items")


def downgrade() -> None:
    """Drop the two tables; index items by source alone again."""
    op.create_index("ix_items_source", "items", ["source"])
    op.drop_index("ix_items_source_published", table_name="items")
    op.drop_table("hotlist_snapshots")
    op.drop_table("source_seen")
