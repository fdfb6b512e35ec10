"""Web accounts: units, users, sessions, API tokens, web audit log (issue 7).

Revision ID: 0007_accounts
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

from yuqing.store import accounts_tables

revision = "0007_accounts"
down_revision = "0001"
branch_labels = ("accounts",)
depends_on = None


def upgrade() -> None:
    """Create the account tables (from store/accounts_tables.py at this revision)."""
    bind = op.get_bind()
    for table in accounts_tables.TABLES:
        table.create(bind)


def downgrade() -> None:
    """Drop the account tables."""
    bind = op.get_bind()
    for table in reversed(accounts_tables.TABLES):
        table.drop(bind)
