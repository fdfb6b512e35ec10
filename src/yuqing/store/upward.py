"""Queries of the reports sent upward (table in store/upward_tables.py): ``store.upward``."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import Connection, or_, select, true, update

from yuqing.store.alerting_tables import dialect_insert
from yuqing.store.repository import Repository
from yuqing.store.upward_tables import upward_reports

#: the columns a caller gives to :meth:`UpwardRepository.record` (all but ``id``, ``alert_id``)
COLUMNS = tuple(c.name for c in upward_reports.columns if c.name not in ("id", "alert_id"))


def record(conn: Connection, row: Mapping[str, Any]) -> int | None:
    """Insert ``row``; return its id, or None when (kind, from_unit, to_unit, ref) is stored."""
    stmt = (dialect_insert(conn, upward_reports).values(**row)
            .on_conflict_do_nothing(index_elements=["kind", "from_unit", "to_unit", "ref"])
            .returning(upward_reports.c.id))
    found = conn.scalar(stmt)
    return None if found is None else int(found)


def involving(units: Collection[str] | None) -> Any:
    """Return the condition keeping reports sent from or to one of ``units`` (None: all)."""
    if units is None:
        return true()
    names = sorted(units)
    return or_(upward_reports.c.to_unit.in_(names), upward_reports.c.from_unit.in_(names))


class UpwardRepository(Repository):
    """Reports sent upward (cases/upward.py): ``store.upward``."""

    def record(self, row: Mapping[str, Any]) -> int | None:
        """Store one report (``row`` has every name of COLUMNS); return its id, or None when
        the same report (kind, from_unit, to_unit, ref) is stored. Raises ValueError naming
        the missing or unknown columns."""
        if set(row) != set(COLUMNS):
            raise ValueError(f"upward report row: missing {sorted(set(COLUMNS) - set(row))}, "
                             f"unknown {sorted(set(row) - set(COLUMNS))}")
        with self._write() as conn:
            return record(conn, row)

    def set_alert(self, report_id: int, alert_id: int | None) -> None:
        """Note the outbox alert that carries report ``report_id``."""
        with self._write() as conn:
            conn.execute(update(upward_reports).where(upward_reports.c.id == report_id)
                         .values(alert_id=alert_id))

    def exists(self, kind: str, from_unit: str, ref: str) -> bool:
        """Return True when ``from_unit`` sent its ``kind`` report ``ref`` to anyone."""
        r = upward_reports.c
        with self._read() as conn:
            return conn.scalar(select(r.id).where(r.kind == kind, r.from_unit == from_unit,
                                                  r.ref == ref).limit(1)) is not None

    def find(self, units: Collection[str] | None = None, *, kind: str | None = None,
             case_ids: Collection[int] | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Return up to ``limit`` reports, newest first, sent from or to one of ``units``
        (None: all), of ``kind`` and about ``case_ids`` when given; each a dict of every
        column (``created_at`` aware UTC)."""
        r = upward_reports.c
        stmt = select(upward_reports).where(involving(units))
        if kind is not None:
            stmt = stmt.where(r.kind == kind)
        if case_ids is not None:
            stmt = stmt.where(r.case_id.in_(sorted(case_ids)))
        with self._read() as conn:
            rows = conn.execute(stmt.order_by(r.id.desc()).limit(limit))
            return [dict(row._mapping) for row in rows]
