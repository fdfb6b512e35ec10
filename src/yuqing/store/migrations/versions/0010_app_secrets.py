"""Secrets shared by every process of a store (acknowledgement-link key), issue 5.

Revision ID: 0010_app_secrets
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

from yuqing.store import secrets_tables

revision = "0010_app_secrets"
down_revision = "0001"
branch_labels = ("app_secrets",)
depends_on = None


def upgrade() -> None:
    """Create the app_secrets table (from store/secrets_tables.py at this revision)."""
    bind = op.get_bind()
    for table in secrets_tables.TABLES:
        table.create(bind)


def downgrade() -> None:
    """Drop the app_secrets table."""
    bind = op.get_bind()
    for table in reversed(secrets_tables.TABLES):
        table.drop(bind)
