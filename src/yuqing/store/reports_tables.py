"""Tables of the briefings part of the schema (issue 8): reports and their evidence.

``reports`` has one row per generated report (kind, period, scheme, subject
event or case, title, a SHA-256 ``digest`` of its content). A scheduled
report also carries its ``schedule`` name: the unique (schedule,
period_start) pair makes the scheduler send a period once, across restarts.
``report_evidence`` lists every stored item a report quotes or counts on,
with the reference number shown in the report and the SHA-256 of the quoted
text, so a reader can check the quote against the store.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from yuqing.store.tables import UTCDateTime, metadata

reports = Table(
    "reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String, nullable=False),
    Column("period_start", UTCDateTime, nullable=False),
    Column("period_end", UTCDateTime, nullable=False),
    Column("scheme", String),
    Column("subject", String),
    Column("title", Text, nullable=False),
    Column("digest", String, nullable=False),
    Column("schedule", String),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("schedule", "period_start", name="uq_reports_schedule_period"),
    Index("ix_reports_kind_period", "kind", "period_start"),
    sqlite_autoincrement=True,
)

report_evidence = Table(
    "report_evidence",
    metadata,
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("ref", Integer, primary_key=True),
    Column("item_key", String, nullable=False),
    Column("role", String, nullable=False),
    Column("text_hash", String, nullable=False),
    Index("ix_report_evidence_item_key", "item_key"),
)
