"""The history of generated reports (issue 17): who made each report, in which format, for
which unit, and the file itself (report_files).

Revision ID: 0015_reports_history
Revises: 0008_reports
Create Date: 2026-12-10

The columns and table are described in store/reports_tables.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_reports_history"
down_revision = "0008_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add created_by, format, unit and size to reports; create report_files."""
    for name, kind in (("created_by", sa.String), ("format", sa.String), ("unit", sa.String),
                       ("size", sa.Integer)):
        op.add_column("reports", sa.Column(name, kind))
    op.create_table(
        "report_files",
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    """Drop report_files and the added columns."""
    op.drop_table("report_files")
    with op.batch_alter_table("reports") as batch:
        for name in ("size", "unit", "format", "created_by"):
            batch.drop_column(name)
