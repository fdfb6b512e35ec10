"""Alerting: delivery claims and attempts, alert groups, storm windows, acknowledgements.

Revision ID: 0005_alerting
Revises: 0001
Create Date: 2026-11-30

The tables are created from their definitions in store/alerting_tables.py as
they were when this revision was written; a later change to them needs a new
revision on the ``alerting`` branch.
"""

from __future__ import annotations

from alembic import op

from yuqing.store.alerting_tables import (
    alert_acks,
    alert_groups,
    alert_windows,
    delivery_attempts,
    delivery_claims,
)

revision = "0005_alerting"
down_revision = "0001"
branch_labels = ("alerting",)
depends_on = None

TABLES = (delivery_claims, delivery_attempts, alert_groups, alert_windows, alert_acks)


def upgrade() -> None:
    """Create the alerting tables and their indexes."""
    bind = op.get_bind()
    for table in TABLES:
        table.create(bind)


def downgrade() -> None:
    """Drop the alerting tables."""
    bind = op.get_bind()
    for table in reversed(TABLES):
        table.drop(bind)
