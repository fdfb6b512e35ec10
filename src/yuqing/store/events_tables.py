"""Tables of the events part of the schema (issue 4): one row per event.

An item's event is ``items.event_id`` (already in the items table); this
module adds the event rows themselves, on the shared ``metadata`` so that
Alembic (migration branch ``events``) and the schema test see them.
``terms`` keeps the event's centroid (top terms and weights) and ``state``
the counters the clustering stage needs to resume after a restart.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String, Table, Text

from yuqing.store.tables import UTCDateTime, json_type, metadata, ordered_json_type

events = Table(
    "events",
    metadata,
    Column("id", String, primary_key=True),
    Column("title", Text, nullable=False),
    Column("rep_key", String, nullable=False),
    Column("origin_key", String, nullable=False),
    Column("first_at", UTCDateTime, nullable=False),
    Column("last_at", UTCDateTime, nullable=False),
    Column("size", Integer, nullable=False),
    Column("heat", Float, nullable=False),
    Column("level", String, nullable=False),
    Column("keywords", json_type(), nullable=False),
    # ordered: another process reloads them exactly as written (migration 0012_scaleout)
    Column("terms", ordered_json_type(), nullable=False),
    Column("state", ordered_json_type(), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_events_last_at", "last_at"),
    Index("ix_events_heat", "heat"),
)
