"""Deliveries remember the accepted parts of a split robot message (issue 5).

Revision ID: 0011_delivery_parts
Revises: 0005_alerting
Create Date: 2026-11-30

``deliveries.parts_sent``: parts ``1..parts_sent`` of a message split by size
(alerts/channels/robot.py) were accepted by the receiver, so a retry, by
this or another dispatcher, sends only the rest. Existing rows get 0.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_delivery_parts"
down_revision = "0005_alerting"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add deliveries.parts_sent (NOT NULL, default 0)."""
    op.add_column("deliveries", sa.Column("parts_sent", sa.Integer, nullable=False,
                                          server_default="0"))


def downgrade() -> None:
    """Drop deliveries.parts_sent (a table copy on SQLite)."""
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("parts_sent")
