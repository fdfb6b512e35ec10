"""Reports: generated briefings and the stored items they quote (issue 8).

Revision ID: 0008_reports
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yuqing.store.reports_tables  # noqa: F401 - registers the tables on the shared metadata
from yuqing.store.tables import UTCDateTime

revision = "0008_reports"
down_revision = "0001"
branch_labels = ("reports",)
depends_on = None


def upgrade() -> None:
    """Create the reports and report_evidence tables."""
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("period_start", UTCDateTime, nullable=False),
        sa.Column("period_end", UTCDateTime, nullable=False),
        sa.Column("scheme", sa.String),
        sa.Column("subject", sa.String),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("digest", sa.String, nullable=False),
        sa.Column("schedule", sa.String),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("schedule", "period_start", name="uq_reports_schedule_period"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_reports_kind_period", "reports", ["kind", "period_start"])
    op.create_table(
        "report_evidence",
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("ref", sa.Integer, primary_key=True),
        sa.Column("item_key", sa.String, nullable=False),
        sa.Column("role", sa.String, nullable=False),
        sa.Column("text_hash", sa.String, nullable=False),
    )
    op.create_index("ix_report_evidence_item_key", "report_evidence", ["item_key"])


def downgrade() -> None:
    """Drop the reports tables."""
    op.drop_table("report_evidence")
    op.drop_table("reports")
