"""The table of reports sent upward (migration branch ``upward``, 0015_upward_reports.py).

``upward_reports`` keeps one row per report a unit sent to a unit above it
(cases/upward.py): ``kind`` ``case`` (a case reached ``reported``; ``ref`` the case
id) or ``daily`` (日报告, ``zero`` for a zero report 零报告; ``ref`` the day), from
``from_unit`` to ``to_unit`` ("" when the unit has no one above: the report is kept,
sent to no one), the message (``title``, ``body``), its ``data`` (the case or the
daily figures) and the outbox alert that carries it (``alert_id``). A report is
stored once: (kind, from_unit, to_unit, ref) is unique, so a restart or a second
worker never sends it twice.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text, UniqueConstraint

from yuqing.store.tables import UTCDateTime, json_type, metadata

upward_reports = Table(
    "upward_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String, nullable=False),
    Column("from_unit", String, nullable=False),
    Column("to_unit", String, nullable=False),
    Column("ref", String, nullable=False),
    Column("case_id", Integer),
    Column("zero", Boolean, nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("data", json_type(), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("alert_id", Integer),
    UniqueConstraint("kind", "from_unit", "to_unit", "ref", name="uq_upward_reports"),
    Index("ix_upward_reports_to", "to_unit", "id"),
    Index("ix_upward_reports_from", "from_unit", "id"),
    sqlite_autoincrement=True,
)
