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

from sqlalchemy import ColumnElement, Connection, Table, case, func, insert, or_, select, true

from yuqing.domain import Item
from yuqing.store import events as events_db
from yuqing.store.analytics import AnalyticsReads, Scope, as_int, scope_condition
from yuqing.store.reports_tables import report_evidence, report_files, reports
from yuqing.store.repository import storable_id
from yuqing.store.tables import item_schemes, items

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


def record_report(conn: Connection, row: Mapping[str, Any], evidence: Sequence[Mapping[str, Any]],
                  content: bytes | None = None) -> int | None:
    """Insert a report row, its evidence rows and its file ``content`` (when given); return
    the report id.

    ``row`` has the columns of ``reports`` (without ``id``); each evidence
    mapping has ``ref``, ``item_key``, ``role``, ``text_hash``. Returns None,
    writing nothing, when ``row["schedule"]`` already has a report for
    ``row["period_start"]`` (a scheduled period is sent once).
    """
    if row.get("schedule") and scheduled_exists(conn, row["schedule"], row["period_start"]):
        return None
    values = dict(row)
    if content is not None:
        values["size"] = len(content)
    key = conn.execute(insert(reports).values(**values)).inserted_primary_key
    report_id = as_int(key[0] if key else None)
    if evidence:
        conn.execute(insert(report_evidence), [{**e, "report_id": report_id} for e in evidence])
    if content is not None:
        conn.execute(insert(report_files).values(report_id=report_id, content=content))
    return report_id


def scheduled_exists(conn: Connection, schedule: str, period_start: datetime) -> bool:
    """True when schedule ``schedule`` already made its report for ``period_start``."""
    stmt = select(reports.c.id).where(reports.c.schedule == schedule,
                                      reports.c.period_start == period_start)
    return conn.execute(stmt).first() is not None


def _unit_condition(units: Collection[str] | None) -> ColumnElement[bool]:
    """Return the condition keeping the reports a reader of ``units`` may see: every report
    (None), else those made for one of ``units``."""
    return true() if units is None else reports.c.unit.in_(sorted(units))


def list_reports(conn: Connection, limit: int = 100, units: Collection[str] | None = None,
                 kind: str | None = None) -> list[dict[str, Any]]:
    """Return the newest ``limit`` stored reports of ``units`` (see ``_unit_condition``),
    of ``kind`` when given, as dicts of their columns, newest first."""
    stmt = select(reports).where(_unit_condition(units))
    if kind is not None:
        stmt = stmt.where(reports.c.kind == kind)
    return [dict(r._mapping) for r in conn.execute(stmt.order_by(reports.c.id.desc()).limit(limit))]


def report_file(conn: Connection, report_id: int,
                units: Collection[str] | None = None) -> tuple[dict[str, Any], bytes] | None:
    """Return ``(report row, file bytes)`` of stored report ``report_id`` when a reader of
    ``units`` may see it and its file was kept; else None."""
    stmt = (select(reports, report_files.c.content)
            .join(report_files, report_files.c.report_id == reports.c.id)
            .where(reports.c.id == report_id, _unit_condition(units)))
    row = conn.execute(stmt).first()
    if row is None:
        return None
    doc = dict(row._mapping)
    return doc, bytes(doc.pop("content"))


def evidence_of(conn: Connection, report_id: int) -> list[dict[str, Any]]:
    """Return the evidence rows of ``report_id`` (ref, item_key, role, text_hash), by ref."""
    stmt = (select(report_evidence.c.ref, report_evidence.c.item_key, report_evidence.c.role,
                   report_evidence.c.text_hash)
            .where(report_evidence.c.report_id == report_id).order_by(report_evidence.c.ref))
    return [dict(r._mapping) for r in conn.execute(stmt)]


def _incident(conn: Connection) -> ColumnElement[bool]:
    """Return the condition: the item's ``extra`` holds an incident (pipeline/incidents.py
    stores ``{"category", ...}`` under ``incident``; store/items.py EXTRA_FIELDS)."""
    if conn.dialect.name == "postgresql":
        return func.jsonb_typeof(items.c.extra.op("->")("incident")) == "object"
    return func.json_type(items.c.extra, "$.incident") == "object"


def event_relevance(conn: Connection, scope: Scope, limit: int) -> list[dict[str, Any]]:
    """Return the ``limit`` most relevant events of ``scope``: ``[{"id", "items",
    "negative", "sensitive", "incident", "scheme"}]`` (counts of the event's items in
    scope that are negative, hold a sensitive term, report an incident, match a scheme).

    Only events with at least one negative, sensitive or incident item are returned: a
    large neutral event (a job advert, a trade fair) is no key event. Ranked by negative,
    then sensitive, then incident, then scheme-matched items, then size (items in scope),
    each descending; ties by id.
    """
    def count_of(condition: ColumnElement[bool]) -> Any:
        return func.sum(case((condition, 1), else_=0))

    schemed = items.c.key.in_(select(item_schemes.c.item_key))
    negative = count_of(items.c.sentiment == "negative").label("negative")
    sensitive = count_of(items.c.n_sensitive > 0).label("sensitive")
    incident = count_of(_incident(conn)).label("incident")
    scheme = count_of(schemed).label("scheme")
    n = func.count().label("items")
    stmt = (select(items.c.event_id, n, negative, sensitive, incident, scheme)
            .where(scope_condition(scope), items.c.event_id.is_not(None))
            .group_by(items.c.event_id)
            .having(negative + sensitive + incident > 0)
            .order_by(negative.desc(), sensitive.desc(), incident.desc(), scheme.desc(),
                      n.desc(), items.c.event_id)
            .limit(limit))
    names = ("items", "negative", "sensitive", "incident", "scheme")
    return [{"id": str(row[0]), **{k: as_int(v) for k, v in zip(names, row[1:], strict=True)}}
            for row in conn.execute(stmt)]


def event_rows(conn: Connection, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Return ``{id: event row}`` for the stored events among ``ids`` ({} without events)."""
    events = _optional_table("events_tables", "events")
    wanted = list(ids)
    if events is None or not wanted:
        return {}
    stmt = select(events).where(events.c.id.in_(wanted))
    return {r.id: dict(r._mapping) for r in conn.execute(stmt)}


def _mine(cases: Table, units: Collection[str] | None) -> ColumnElement[bool]:
    """Return the condition keeping the cases of ``units`` (None: every case)."""
    return true() if units is None else cases.c.owner_unit.in_(sorted(units))


def states_at(conn: Connection, case_ids: Collection[int], as_of: datetime) -> dict[int, str]:
    """Return ``{case id: its state at as_of}`` from the case log (the target of the last
    move at or before ``as_of``); a case without such an entry (opened later) is left out."""
    log = _optional_table("cases_tables", "case_log")
    if log is None or not case_ids:
        return {}
    stmt = (select(log.c.case_id, log.c.to_state)
            .where(log.c.case_id.in_(sorted(case_ids)), log.c.at <= as_of,
                   log.c.to_state.is_not(None))
            .order_by(log.c.at, log.c.id))
    return {int(case_id): str(state) for case_id, state in conn.execute(stmt)}


def event_cases(conn: Connection, ids: Iterable[str], as_of: datetime,
                units: Collection[str] | None = None) -> dict[str, dict[str, Any]]:
    """Return ``{event_id: {"case": id, "state": state at as_of, "cases": n}}`` for the
    cases of ``units`` (None: every unit) linked to those events, opened by ``as_of``.

    A case belongs to an event when it links the event (opened from it) or one of its
    items (opened from an item, or from an alert, which links the alert's items;
    cases/service.py). Of several cases the open one (at ``as_of``) opened last is shown,
    else the last opened; ``cases`` counts them all.
    """
    cases = _optional_table("cases_tables", "cases")
    links = _optional_table("cases_tables", "case_links")
    wanted = sorted(set(ids))
    if cases is None or links is None or not wanted:
        return {}
    by_event = (select(links.c.case_id, links.c.ref.label("event_id"))
                .where(links.c.kind == "event", links.c.ref.in_(wanted)))
    by_item = (select(links.c.case_id, items.c.event_id)
               .join(items, (links.c.kind == "item") & (links.c.ref == items.c.key))
               .where(items.c.event_id.in_(wanted)))
    linked = by_event.union(by_item).subquery()
    stmt = (select(linked.c.event_id, cases.c.id, cases.c.opened_at)
            .join(cases, cases.c.id == linked.c.case_id)
            .where(cases.c.opened_at <= as_of, _mine(cases, units))
            .order_by(cases.c.opened_at, cases.c.id))
    rows = [(str(e), int(c)) for e, c, _ in conn.execute(stmt)]
    states = states_at(conn, {c for _, c in rows}, as_of)
    out: dict[str, dict[str, Any]] = {}
    for event_id, case_id in rows:  # oldest first: a later case replaces an earlier one
        state = states.get(case_id)
        if state is None:
            continue
        seen = out.get(event_id)
        n = (seen["cases"] if seen else 0) + 1
        if seen is None or state not in _TERMINAL or seen["state"] in _TERMINAL:
            out[event_id] = {"case": case_id, "state": state, "cases": n}
        else:
            seen["cases"] = n
    return out


def case_progress(conn: Connection, since: datetime, as_of: datetime,
                  units: Collection[str] | None = None) -> dict[str, Any]:
    """Return the handling figures of ``[since, as_of)`` of the cases of ``units`` (None:
    every case), as the case store knew them at ``as_of``.

    Shape: ``{"available": bool, "opened": n (cases opened in the period), "closed": n
    (closed in it), "open_now": n (open at as_of), "by_state": {state at as_of: n} (of the
    cases opened in the period), "overdue": [{"id", "title", "state", "policy", "due"}]}``.
    A case is overdue when one of its deadlines was due before ``as_of`` and not met by
    then while the case was still open: one row per case, its earliest missed deadline
    (at most 50). ``available`` is False (and the rest zero) when the cases part is not
    installed.
    """
    cases = _optional_table("cases_tables", "cases")
    deadlines = _optional_table("cases_tables", "case_deadlines")
    empty: dict[str, Any] = {"available": False, "opened": 0, "closed": 0, "open_now": 0,
                             "by_state": {}, "overdue": []}
    if cases is None or deadlines is None:
        return empty
    mine = _mine(cases, units)
    still_open = or_(cases.c.closed_at.is_(None), cases.c.closed_at > as_of)
    opened = [int(c) for (c,) in conn.execute(select(cases.c.id).where(
        cases.c.opened_at >= since, cases.c.opened_at < as_of, mine))]
    by_state: dict[str, int] = {}
    for state in states_at(conn, opened, as_of).values():
        by_state[state] = by_state.get(state, 0) + 1
    closed = conn.scalar(select(func.count()).select_from(cases).where(
        cases.c.closed_at >= since, cases.c.closed_at < as_of, mine)) or 0
    open_now = conn.scalar(select(func.count()).select_from(cases).where(
        cases.c.opened_at < as_of, still_open, mine)) or 0
    missed = (select(cases.c.id, cases.c.title, deadlines.c.policy, deadlines.c.due)
              .join(deadlines, deadlines.c.case_id == cases.c.id)
              .where(deadlines.c.due < as_of,
                     or_(deadlines.c.met_at.is_(None), deadlines.c.met_at > as_of),
                     cases.c.opened_at < as_of, still_open, mine)
              .order_by(deadlines.c.due, cases.c.id))
    first: dict[int, dict[str, Any]] = {}
    for row in conn.execute(missed):
        first.setdefault(int(row.id), dict(row._mapping))
    overdue = list(first.values())[:50]
    states = states_at(conn, [c["id"] for c in overdue], as_of)
    for c in overdue:
        c["state"] = states.get(c["id"], "collected")
    return {"available": True, "opened": len(opened), "closed": int(closed),
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

    def record(self, row: Mapping[str, Any], evidence: Sequence[Mapping[str, Any]],
               content: bytes | None = None) -> int | None:
        """Store a report, its evidence and its file; return its id, or None (nothing
        written) when its schedule already has a report for its period (see
        ``record_report``)."""
        with self._write() as conn:
            return record_report(conn, row, evidence, content)

    def scheduled_exists(self, schedule: str, period_start: datetime) -> bool:
        """True when schedule ``schedule`` already made its report for ``period_start``."""
        with self._read() as conn:
            return scheduled_exists(conn, schedule, period_start)

    def stored(self, limit: int = 100, units: Collection[str] | None = None,
               kind: str | None = None) -> list[dict[str, Any]]:
        """Return the newest ``limit`` stored reports (dicts of their columns), newest first:
        those made for one of ``units`` (None: all), of ``kind`` when given."""
        with self._read() as conn:
            return list_reports(conn, limit, units, kind)

    def file(self, report_id: int,
             units: Collection[str] | None = None) -> tuple[dict[str, Any], bytes] | None:
        """Return ``(report row, file bytes)`` of a kept report a reader of ``units`` may
        see, else None (see ``report_file``)."""
        if not storable_id(report_id):
            return None
        with self._read() as conn:
            return report_file(conn, report_id, units)

    def evidence(self, report_id: int) -> list[dict[str, Any]]:
        """Return ``{"ref", "item_key", "role", "text_hash"}`` of ``report_id``, by ref."""
        if not storable_id(report_id):
            return []
        with self._read() as conn:
            return evidence_of(conn, report_id)

    # ----- events ----------------------------------------------------------------------

    def event_relevance(self, scope: Scope, limit: int) -> list[dict[str, Any]]:
        """Return the ``limit`` most relevant events of ``scope`` with their counts (see
        ``event_relevance``)."""
        with self._read() as conn:
            return event_relevance(conn, scope, limit)

    def event_rows(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Return ``{id: event row}`` of the stored events among ``ids``."""
        with self._read() as conn:
            return event_rows(conn, ids)

    def event_cases(self, ids: Iterable[str], as_of: datetime,
                    units: Collection[str] | None = None) -> dict[str, dict[str, Any]]:
        """Return ``{event_id: {"case", "state", "cases"}}``: the cases of ``units`` linked to
        those events, their state at ``as_of`` (see ``event_cases``)."""
        with self._read() as conn:
            return event_cases(conn, ids, as_of, units)

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

    def case_progress(self, since: datetime, as_of: datetime,
                      units: Collection[str] | None = None) -> dict[str, Any]:
        """Return the handling figures of ``[since, as_of)`` of the cases of ``units`` (None:
        every case), as known at ``as_of`` (shape: ``case_progress``)."""
        with self._read() as conn:
            return case_progress(conn, since, as_of, units)

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
