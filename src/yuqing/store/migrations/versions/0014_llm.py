"""Language-model event summaries (issue 18): the event_summaries table.

Revision ID: 0014_llm
Revises: 0001
Create Date: 2026-12-07

The table is described in store/summaries_tables.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from yuqing.store.tables import UTCDateTime, json_type

revision = "0014_llm"
down_revision = "0001"
branch_labels = ("llm",)
depends_on = None


def upgrade() -> None:
    """Create the event_summaries table."""
    op.create_table(
        "event_summaries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String, nullable=False),
        sa.Column("event_size", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("model", sa.String, nullable=False),
        sa.Column("prompt", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("sentences", json_type(), nullable=False),
        sa.Column("dropped", sa.Integer, nullable=False),
        sa.Column("cited", json_type(), nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_event_summaries_event", "event_summaries", ["event_id", "id"])


def downgrade() -> None:
    """Drop the event_summaries table."""
    op.drop_table("event_summaries")
