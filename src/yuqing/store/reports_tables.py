"""Tables of the briefings part of the schema (issue 8): reports and their evidence.

``reports`` has one row per generated report (kind, period, scheme, subject
event or case, title, a SHA-256 ``digest`` of its content). A scheduled
report also carries its ``schedule`` name: the unique (schedule,
period_start) pair makes the scheduler send a period once, across restarts.
``created_by`` (the user who made it; None for a scheduled report), ``format`` (html,
pdf, docx, xlsx; None when no file was kept) and ``unit`` (the unit whose cases its
handling figures count; None: every unit) say who may download it again from the
history (web/access.py); ``report_files`` keeps the bytes given to the reader, so a
download from the history is the very file, not a remake on newer data.
``report_evidence`` lists every stored item a report quotes or counts on,
with the reference number shown in the report and the SHA-256 of the quoted
text, so a reader can check the quote against the store.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

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
    Column("created_by", String),
    Column("format", String),
    Column("unit", String),
    Column("size", Integer),
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

report_files = Table(
    "report_files",
    metadata,
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("content", LargeBinary, nullable=False),
)
