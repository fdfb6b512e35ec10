"""Queries of the briefings part: stored reports, their evidence, and the event and case
figures a report shows.

Functions take a Connection; ``ReportsRepository`` (``store.reports``) runs them,
with the item aggregates of store/analytics.py and the event reads briefings
and the event pages need. The events and cases tables belong to other parts
of the schema: when their modules are not installed the functions here return
empty results, so a report without events or cases still renders.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, true

from yuqing.domain import Item
from yuqing.store import events as events_db
from yuqing.store.analytics import AnalyticsReads, Scope, as_int, scope_condition
from yuqing.store.reports_tables import report_evidence, reports
from yuqing.store.repository import storable_id
from yuqing.store.tables import items

#: case states that still need work (cases.workflow); used when that module is absent
_TERMINAL = ("closed", "rejected", "merged")


def _optional_table(module: str, name: str) -> Table | None:
    """Return table ``name`` of ``yuqing.store.<module>``, or None when that part is absent."""
    try:
        mod = __import__(f"yuqing.store.{module}", fromlist=[name])
    except ImportError:
        return None
    table = getattr(mod, name, None)
    return table if isinstance(table, Table) else None


def record_report(conn: Connection, row: Mapping[str, Any],
                  evidence: Sequence[Mapping[str, Any]]) -> int | None:
    """Insert a report row and its evidence rows; return the report id.

    ``row`` has the columns of ``reports`` (without ``id``); each evidence
    mapping has ``ref``, ``item_key``, ``role``, ``text_hash``. Returns None,
    writing nothing, when ``row["schedule"]`` already has a report for
    ``row["period_start"]`` (a scheduled period is sent once).
    """
    if row.get("schedule") and scheduled_exists(conn, row["schedule"], row["period_start"]):
        return None
    key = conn.execute(insert(reports).values(**row)).inserted_primary_key
    report_id = as_int(key[0] if key else None)
    if evidence:
        conn.execute(insert(report_evidence), [{**e, "report_id": report_id} for e in evidence])
    return report_id


def scheduled_exists(conn: Connection, schedule: str, period_start: datetime) -> bool:
    """True when schedule ``schedule`` already made its report for ``period_start``."""
    stmt = select(reports.c.id).where(reports.c.schedule == schedule,
                                      reports.c.period_start == period_start)
    return conn.execute(stmt).first() is not None


def list_reports(conn: Connection, limit: int = 100) -> list[dict[str, Any]]:
    """Return the newest ``limit`` stored reports as dicts of their columns, newest first."""
    stmt = select(reports).order_by(reports.c.id.desc()).limit(limit)
    return [dict(r._mapping) for r in conn.execute(stmt)]


def evidence_of(conn: Connection, report_id: int) -> list[dict[str, Any]]:
    """Return the evidence rows of ``report_id`` (ref, item_key, role, text_hash), by ref."""
    stmt = (select(report_evidence.c.ref, report_evidence.c.item_key, report_evidence.c.role,
                   report_evidence.c.text_hash)
            .where(report_evidence.c.report_id == report_id).order_by(report_evidence.c.ref))
    return [dict(r._mapping) for r in conn.execute(stmt)]


def event_counts(conn: Connection, scope: Scope, limit: int) -> list[tuple[str, int]]:
    """Return ``(event_id, items in scope)`` for the ``limit`` events with most items in scope."""
    n = func.count().label("n")
    stmt = (select(items.c.event_id, n).where(scope_condition(scope), items.c.event_id.is_not(None))
            .group_by(items.c.event_id).order_by(n.desc(), items.c.event_id).limit(limit))
    return [(str(e), as_int(c)) for e, c in conn.execute(stmt)]


def event_rows(conn: Connection, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Return ``{id: event row}`` for the stored events among ``ids`` ({} without events)."""
    events = _optional_table("events_tables", "events")
    wanted = list(ids)
    if events is None or not wanted:
        return {}
    stmt = select(events).where(events.c.id.in_(wanted))
    return {r.id: dict(r._mapping) for r in conn.execute(stmt)}


def event_case_states(conn: Connection, ids: Iterable[str]) -> dict[str, str]:
    """Return ``{event_id: state of its newest case}`` for cases opened from those events."""
    cases = _optional_table("cases_tables", "cases")
    wanted = list(ids)
    if cases is None or not wanted:
        return {}
    stmt = (select(cases.c.origin_ref, cases.c.state)
            .where(cases.c.origin == "event", cases.c.origin_ref.in_(wanted))
            .order_by(cases.c.opened_at))
    return {str(ref): str(state) for ref, state in conn.execute(stmt)}


def case_progress(conn: Connection, since: datetime, until: datetime,
                  units: Collection[str] | None = None) -> dict[str, Any]:
    """Return the handling figures of ``[since, until)`` of the cases of ``units`` (None:
    every case).

    Shape: ``{"available": bool, "opened": n, "closed": n, "open_now": n,
    "by_state": {state: n} (cases opened in the period), "overdue":
    [{"id", "title", "state", "policy", "due"}] (deadlines due before
    ``until`` and not met, of cases still open)}``; ``available`` is False
    (and the rest zero) when the cases part is not installed.
    """
    cases = _optional_table("cases_tables", "cases")
    deadlines = _optional_table("cases_tables", "case_deadlines")
    empty: dict[str, Any] = {"available": False, "opened": 0, "closed": 0, "open_now": 0,
                             "by_state": {}, "overdue": []}
    if cases is None or deadlines is None:
        return empty
    mine = true() if units is None else cases.c.owner_unit.in_(sorted(units))
    in_period = (cases.c.opened_at >= since) & (cases.c.opened_at < until) & mine
    by_state = {str(s): as_int(n) for s, n in conn.execute(
        select(cases.c.state, func.count()).where(in_period).group_by(cases.c.state))}
    closed = conn.scalar(select(func.count()).select_from(cases).where(
        cases.c.closed_at >= since, cases.c.closed_at < until, mine)) or 0
    open_now = conn.scalar(select(func.count()).select_from(cases).where(
        cases.c.state.not_in(_TERMINAL), cases.c.opened_at < until, mine)) or 0
    overdue_stmt = (select(cases.c.id, cases.c.title, cases.c.state, deadlines.c.policy,
                           deadlines.c.due)
                    .join(deadlines, deadlines.c.case_id == cases.c.id)
                    .where(deadlines.c.met_at.is_(None), deadlines.c.due < until,
                           cases.c.state.not_in(_TERMINAL), mine)
                    .order_by(deadlines.c.due).limit(50))
    overdue = [dict(r._mapping) for r in conn.execute(overdue_stmt)]
    return {"available": True, "opened": sum(by_state.values()), "closed": int(closed),
            "open_now": int(open_now), "by_state": by_state, "overdue": overdue}


def case_record(
    conn: Connection, case_id: int
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Return ``(case row or None, its audit log rows oldest first)``; (None, []) when the
    cases part is absent or the case does not exist."""
    cases = _optional_table("cases_tables", "cases")
    log = _optional_table("cases_tables", "case_log")
    if cases is None or log is None:
        return None, []
    row = conn.execute(select(cases).where(cases.c.id == case_id)).first()
    if row is None:
        return None, []
    entries = conn.execute(select(log).where(log.c.case_id == case_id).order_by(log.c.at, log.c.id))
    return dict(row._mapping), [dict(e._mapping) for e in entries]


def case_item_keys(conn: Connection, case_id: int) -> list[str]:
    """Return the item keys linked to case ``case_id`` (kind ``item`` links), [] when absent."""
    links = _optional_table("cases_tables", "case_links")
    if links is None:
        return []
    stmt = select(links.c.ref).where(links.c.case_id == case_id, links.c.kind == "item")
    return [str(r) for (r,) in conn.execute(stmt)]


def case_deadlines(conn: Connection, case_id: int) -> list[dict[str, Any]]:
    """Return the deadline rows (policy, due, met_at, provisional) of case ``case_id``, by due."""
    deadlines = _optional_table("cases_tables", "case_deadlines")
    if deadlines is None:
        return []
    stmt = (select(deadlines.c.policy, deadlines.c.due, deadlines.c.met_at,
                   deadlines.c.provisional)
            .where(deadlines.c.case_id == case_id).order_by(deadlines.c.due))
    return [dict(r._mapping) for r in conn.execute(stmt)]


class ReportsRepository(AnalyticsReads):
    """Queries of reports (generated briefings and their evidence), the event and case
    figures they show, and the item aggregates of analytics (``AnalyticsReads``)."""

    # ----- stored reports --------------------------------------------------------------

    def record(self, row: Mapping[str, Any],
               evidence: Sequence[Mapping[str, Any]]) -> int | None:
        """Store a report and its evidence; return its id, or None (nothing written) when
        its schedule already has a report for its period (see ``record_report``)."""
        with self._write() as conn:
            return record_report(conn, row, evidence)

    def scheduled_exists(self, schedule: str, period_start: datetime) -> bool:
        """True when schedule ``schedule`` already made its report for ``period_start``."""
        with self._read() as conn:
            return scheduled_exists(conn, schedule, period_start)

    def stored(self, limit: int = 100) -> list[dict[str, Any]]:
        """Return the newest ``limit`` stored reports (dicts of their columns), newest first."""
        with self._read() as conn:
            return list_reports(conn, limit)

    def evidence(self, report_id: int) -> list[dict[str, Any]]:
        """Return ``{"ref", "item_key", "role", "text_hash"}`` of ``report_id``, by ref."""
        if not storable_id(report_id):
            return []
        with self._read() as conn:
            return evidence_of(conn, report_id)

    # ----- events ----------------------------------------------------------------------

    def event_counts(self, scope: Scope, limit: int) -> list[tuple[str, int]]:
        """Return ``(event_id, items in scope)`` of the ``limit`` events with most items."""
        with self._read() as conn:
            return event_counts(conn, scope, limit)

    def event_rows(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Return ``{id: event row}`` of the stored events among ``ids``."""
        with self._read() as conn:
            return event_rows(conn, ids)

    def event_case_states(self, ids: Iterable[str]) -> dict[str, str]:
        """Return ``{event_id: state of its newest case}`` of cases opened from ``ids``."""
        with self._read() as conn:
            return event_case_states(conn, ids)

    def events(self, since: datetime | None = None, min_size: int = 1, order: str = "heat",
               limit: int = 50, **filters: Any) -> list[dict[str, Any]]:
        """Return event rows with at least ``min_size`` items, last active at or after
        ``since``, by ``heat``, ``last_at`` or ``size`` descending; ``filters`` are the
        keyword filters of store/events.py ``list_event_rows`` (``until``, ``scheme``,
        ``level``, ``sentiment``, ``offset``); raises ValueError for another order."""
        with self._read() as conn:
            return events_db.list_event_rows(conn, since, min_size, order, limit, **filters)

    def event(self, event_id: str) -> dict[str, Any] | None:
        """Return the stored row of event ``event_id`` as a dict, or None."""
        with self._read() as conn:
            return events_db.event_row(conn, event_id)

    def event_members(self, event_id: str) -> list[Item]:
        """Return the items of event ``event_id`` (up to 20,000), earliest published first."""
        with self._read() as conn:
            return events_db.event_members(conn, event_id)

    # ----- cases -----------------------------------------------------------------------

    def case_progress(self, since: datetime, until: datetime,
                      units: Collection[str] | None = None) -> dict[str, Any]:
        """Return the handling figures of ``[since, until)`` of the cases of ``units`` (None:
        every case; shape: ``case_progress``)."""
        with self._read() as conn:
            return case_progress(conn, since, until, units)

    def case_record(self, case_id: int) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """Return ``(case row or None, its audit log rows oldest first)``."""
        if not storable_id(case_id):
            return None, []
        with self._read() as conn:
            return case_record(conn, case_id)

    def case_deadlines(self, case_id: int) -> list[dict[str, Any]]:
        """Return ``{"policy", "due", "met_at", "provisional"}`` of case ``case_id``, by due."""
        with self._read() as conn:
            return case_deadlines(conn, case_id)

    def case_item_keys(self, case_id: int) -> list[str]:
        """Return the item keys linked to case ``case_id``."""
        with self._read() as conn:
            return case_item_keys(conn, case_id)
