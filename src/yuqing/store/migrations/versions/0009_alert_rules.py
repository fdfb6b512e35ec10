"""Alert rules in the store, editable on the web (issue 5).

Revision ID: 0009_alert_rules
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

from yuqing.store import alert_rules_tables

revision = "0009_alert_rules"
down_revision = "0001"
branch_labels = ("alert_rules",)
depends_on = None


def upgrade() -> None:
    """Create the alert_rules table (from store/alert_rules_tables.py at this revision)."""
    bind = op.get_bind()
    for table in alert_rules_tables.TABLES:
        table.create(bind)


def downgrade() -> None:
    """Drop the alert_rules table."""
    bind = op.get_bind()
    for table in reversed(alert_rules_tables.TABLES):
        table.drop(bind)
