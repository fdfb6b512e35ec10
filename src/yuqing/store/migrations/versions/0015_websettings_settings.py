"""The live settings edited on the web (issue 17): the settings_versions table.

Revision ID: 0015_websettings
Revises: 0001
Create Date: 2026-12-07

The table is described in store/settings_tables.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from yuqing.store.tables import UTCDateTime, json_type

revision = "0015_websettings"
down_revision = "0001"
branch_labels = ("websettings",)
depends_on = None


def upgrade() -> None:
    """Create the settings_versions table."""
    op.create_table(
        "settings_versions",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String, nullable=False),
        sa.Column("file_hash", sa.String),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("doc", json_type(), nullable=False),
    )


def downgrade() -> None:
    """Drop the settings_versions table."""
    op.drop_table("settings_versions")
