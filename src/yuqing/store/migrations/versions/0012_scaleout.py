"""Scale-out: the write order of items, batch tickets and source leases (issue 15).

Revision ID: 0012_scaleout
Revises: 0002_events
Create Date: 2027-01-20

``items.rev`` (indexed) numbers every insert and update of an item, so a process
catches its in-memory de-duplication and event state up with what other processes
wrote since it last looked; rows written before this migration keep NULL (they are
older than any watermark). ``scaleout_counters`` starts the ticket counters at 1.
``events.terms`` and ``events.state`` become ``json`` on PostgreSQL: ``jsonb`` sorts
object keys, and a process reloading an event must see its centroid in the order its
writer held it (ties between equal weights keep that order).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

import yuqing.store.scaleout_tables  # noqa: F401 - registers the tables on the shared metadata
from yuqing.store.tables import UTCDateTime, json_type

revision = "0012_scaleout"
down_revision = "0002_events"
branch_labels = ("scaleout",)
depends_on = None


def upgrade() -> None:
    """Add items.rev and its index; create the counters, batch_done and source_leases;
    on PostgreSQL make events.terms and events.state ``json`` (key order kept)."""
    if op.get_bind().dialect.name == "postgresql":
        for column in ("terms", "state"):
            op.alter_column("events", column, type_=sa.JSON(), postgresql_using=f"{column}::json")
    op.add_column("items", sa.Column("rev", sa.BigInteger))
    op.create_index("ix_items_rev", "items", ["rev"])
    counters = op.create_table(
        "scaleout_counters",
        sa.Column("name", sa.String, primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(counters, [{"name": "ticket", "value": 1}, {"name": "commit", "value": 1},
                              {"name": "stalled", "value": 0}])
    op.create_table(
        "batch_done",
        sa.Column("ticket", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("done_at", UTCDateTime, nullable=False),
        sa.Column("outcome", json_type()),
    )
    op.create_table(
        "source_leases",
        sa.Column("name", sa.String, primary_key=True),
        sa.Column("holder", sa.String),
        sa.Column("lease_until", UTCDateTime),
        sa.Column("queued_until", UTCDateTime),
    )


def downgrade() -> None:
    """Drop what upgrade added (events.terms and events.state back to ``jsonb``)."""
    if op.get_bind().dialect.name == "postgresql":
        for column in ("terms", "state"):
            op.alter_column("events", column, type_=JSONB(),
                            postgresql_using=f"{column}::jsonb")
    op.drop_table("source_leases")
    op.drop_table("batch_done")
    op.drop_table("scaleout_counters")
    op.drop_index("ix_items_rev", "items")
    with op.batch_alter_table("items") as batch:
        batch.drop_column("rev")
