"""Tables of the alerting part (migration branch ``alerting``, 0005_alerting.py).

- ``delivery_claims``: one row per delivery that a dispatcher holds or that
  waits (backoff, quiet hours). A dispatcher owns a delivery while
  ``owner`` is set and ``lease_until`` is in the future; the primary key
  makes the claim exclusive on both backends.
- ``delivery_attempts``: every send attempt, written BEFORE the send
  (``finished_at`` NULL while in flight) and completed after it; an attempt
  left unfinished by a dead dispatcher is the trace of an interrupted send.
- ``alert_groups``: per rule and story (event id or item key) what was sent
  last (count, level, time), for the re-alert policy.
- ``alert_windows``: per rule and window start, alerts sent and held by the
  storm limiter.
- ``alert_acks``: acknowledgement and escalation state of an alert.
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.dialects import postgresql, sqlite

from yuqing.store.tables import UTCDateTime, metadata

delivery_claims = Table(
    "delivery_claims",
    metadata,
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
    Column("channel", String, primary_key=True),
    Column("owner", String),
    Column("lease_until", UTCDateTime),
    Column("next_at", UTCDateTime, nullable=False),
    Index("ix_delivery_claims_next_at", "next_at"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("channel", String, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("owner", String, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("outcome", String),
    Column("error", Text),
    Index("ix_delivery_attempts_alert", "alert_id", "channel"),
    sqlite_autoincrement=True,
)

alert_groups = Table(
    "alert_groups",
    metadata,
    Column("rule", String, primary_key=True),
    Column("group_key", String, primary_key=True),
    Column("count", Integer, nullable=False),
    Column("sent_count", Integer, nullable=False),
    Column("sent_level", String, nullable=False),
    Column("sent_at", UTCDateTime, nullable=False),
    Column("updates", Integer, nullable=False),
)

alert_windows = Table(
    "alert_windows",
    metadata,
    Column("rule", String, primary_key=True),
    Column("window_start", UTCDateTime, primary_key=True),
    Column("sent", Integer, nullable=False),
    Column("held", Integer, nullable=False),
)

alert_acks = Table(
    "alert_acks",
    metadata,
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
    Column("step", Integer, nullable=False),
    Column("due_at", UTCDateTime),
    Column("acked_at", UTCDateTime),
    Column("acked_by", String),
    Index("ix_alert_acks_due_at", "due_at"),
)


def dialect_insert(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """Return the dialect's INSERT (which has on_conflict_* methods) for ``table``."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
