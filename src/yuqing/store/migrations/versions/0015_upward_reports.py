"""Reporting upward (issue 17): the upward_reports table.

Revision ID: 0015_upward
Revises: 0001
Create Date: 2026-12-07

The table is described in store/upward_tables.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from yuqing.store.tables import UTCDateTime, json_type

revision = "0015_upward"
down_revision = "0001"
branch_labels = ("upward",)
depends_on = None


def upgrade() -> None:
    """Create the upward_reports table."""
    op.create_table(
        "upward_reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("from_unit", sa.String, nullable=False),
        sa.Column("to_unit", sa.String, nullable=False),
        sa.Column("ref", sa.String, nullable=False),
        sa.Column("case_id", sa.Integer),
        sa.Column("zero", sa.Boolean, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("data", json_type(), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("alert_id", sa.Integer),
        sa.UniqueConstraint("kind", "from_unit", "to_unit", "ref", name="uq_upward_reports"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_upward_reports_to", "upward_reports", ["to_unit", "id"])
    op.create_index("ix_upward_reports_from", "upward_reports", ["from_unit", "id"])


def downgrade() -> None:
    """Drop the upward_reports table."""
    op.drop_table("upward_reports")
