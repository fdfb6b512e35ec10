"""Events: one row per event of the online clustering stage (issue 4).

Revision ID: 0002_events
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yuqing.store.events_tables  # noqa: F401 - registers the table on the shared metadata
from yuqing.store.tables import UTCDateTime, json_type

revision = "0002_events"
down_revision = "0001"
branch_labels = ("events",)
depends_on = None


def upgrade() -> None:
    """Create the events table and its indexes."""
    op.create_table(
        "events",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("rep_key", sa.String, nullable=False),
        sa.Column("origin_key", sa.String, nullable=False),
        sa.Column("first_at", UTCDateTime, nullable=False),
        sa.Column("last_at", UTCDateTime, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("heat", sa.Float, nullable=False),
        sa.Column("level", sa.String, nullable=False),
        sa.Column("keywords", json_type(), nullable=False),
        sa.Column("terms", json_type(), nullable=False),
        sa.Column("state", json_type(), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_events_last_at", "events", ["last_at"])
    op.create_index("ix_events_heat", "events", ["heat"])


def downgrade() -> None:
    """Drop the events table."""
    op.drop_table("events")
