"""Queries of case handling (tables in store/cases_tables.py), and their repositories.

The module functions take a Connection and return plain dicts (column name
-> value, datetimes aware UTC). ``CasesRepository`` (``store.cases``) runs
them on its own connections and returns domain objects (``Case``,
``Deadline`` ...) where there is one; petitions are in store/petitions.py.
The audit log has an append function and readers only.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, true, update
from sqlalchemy.dialects import postgresql, sqlite

from yuqing.domain import (
    Assist,
    Attachment,
    Case,
    CaseLink,
    CaseLogEntry,
    Deadline,
)
from yuqing.store.cases_tables import (
    case_assists,
    case_attachments,
    case_deadlines,
    case_links,
    case_log,
    cases,
)
from yuqing.store.items import IN_CHUNK
from yuqing.store.repository import Repository, storable_id
from yuqing.store.tables import alerts, items

Row = dict[str, Any]


def rows_of(conn: Connection, stmt: Any) -> list[Row]:
    """Return the result rows of ``stmt`` as dicts (also used by store/petitions.py)."""
    return [dict(r) for r in conn.execute(stmt).mappings()]


def _insert_ignore(conn: Connection, table: Table, values: Mapping[str, Any]) -> bool:
    """Insert ``values`` unless the primary key exists; return True when inserted."""
    module = postgresql if conn.dialect.name == "postgresql" else sqlite
    key = next(iter(table.primary_key.columns))
    stmt = module.insert(table).values(**values).on_conflict_do_nothing().returning(key)
    return conn.execute(stmt).first() is not None


# ----- cases -----------------------------------------------------------------------------

def insert_case(conn: Connection, values: Mapping[str, Any]) -> int:
    """Insert a case row; return its id."""
    return int(conn.scalar(insert(cases).values(**values).returning(cases.c.id)))


def get_case(conn: Connection, case_id: int) -> Row | None:
    """Return the case row ``case_id`` or None."""
    found = rows_of(conn, select(cases).where(cases.c.id == case_id))
    return found[0] if found else None


def update_case(conn: Connection, case_id: int, values: Mapping[str, Any]) -> None:
    """Set ``values`` on case ``case_id``."""
    conn.execute(update(cases).where(cases.c.id == case_id).values(**values))


def owned_by(units: Collection[str] | None) -> Any:
    """Return the condition keeping cases owned by one of ``units`` (every case for None).

    The unit scope of a viewer (web/access.py): lists, statistics and reports read
    through it show a unit nothing of another unit's cases."""
    return true() if units is None else cases.c.owner_unit.in_(sorted(units))


def case_ids_of(units: Collection[str] | None) -> Any:
    """Return a subquery of the ids of the cases ``owned_by(units)``."""
    return select(cases.c.id).where(owned_by(units))


def list_cases(conn: Connection, *, state: str | None = None, unit: str | None = None,
               limit: int = 100, offset: int = 0,
               units: Collection[str] | None = None) -> list[Row]:
    """Return cases, newest first, filtered by ``state``, owning ``unit`` and ``units``."""
    stmt = (select(cases).where(owned_by(units)).order_by(cases.c.id.desc())
            .limit(limit).offset(offset))
    if state:
        stmt = stmt.where(cases.c.state == state)
    if unit:
        stmt = stmt.where(cases.c.owner_unit == unit)
    return rows_of(conn, stmt)


# ----- audit log (append-only) -----------------------------------------------------------

def append_log(conn: Connection, entry: Mapping[str, Any]) -> int:
    """Append one audit entry (case_id, at, actor, role, action, from_state,
    to_state, note, data); return its id. There is no update or delete."""
    return int(conn.scalar(insert(case_log).values(**entry).returning(case_log.c.id)))


def read_log(conn: Connection, case_id: int) -> list[Row]:
    """Return the audit log of ``case_id`` in the order written."""
    return rows_of(conn, select(case_log).where(case_log.c.case_id == case_id)
                 .order_by(case_log.c.id))


def logged_actions(conn: Connection, case_id: int) -> set[str]:
    """Return the distinct action names in the log of ``case_id``."""
    stmt = select(case_log.c.action).where(case_log.c.case_id == case_id).distinct()
    return set(conn.scalars(stmt))


def all_moves(conn: Connection, units: Collection[str] | None = None) -> list[Row]:
    """Return every state move (case_id, at, from_state, to_state) of the cases of
    ``units`` (None: all), oldest first."""
    stmt = (select(case_log.c.case_id, case_log.c.at, case_log.c.from_state,
                   case_log.c.to_state)
            .where(case_log.c.action.in_(("open", "move")))
            .order_by(case_log.c.id))
    if units is not None:
        stmt = stmt.where(case_log.c.case_id.in_(case_ids_of(units)))
    return rows_of(conn, stmt)


# ----- attachments -----------------------------------------------------------------------

def add_attachment(conn: Connection, values: Mapping[str, Any]) -> tuple[int, bool]:
    """Store an attachment unless the case already has one with its hash;
    return ``(id, inserted)``."""
    same = select(case_attachments.c.id).where(
        case_attachments.c.case_id == values["case_id"],
        case_attachments.c.sha256 == values["sha256"])
    existing = conn.scalar(same)
    if existing is not None:
        return int(existing), False
    new_id = conn.scalar(insert(case_attachments).values(**values)
                         .returning(case_attachments.c.id))
    return int(new_id), True


def list_attachments(conn: Connection, case_id: int) -> list[Row]:
    """Return the attachments of ``case_id`` without their content."""
    cols = [c for c in case_attachments.c if c.name != "content"]
    return rows_of(conn, select(*cols).where(case_attachments.c.case_id == case_id)
                 .order_by(case_attachments.c.id))


# ----- deadlines -------------------------------------------------------------------------

def insert_deadlines(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert deadline rows (case_id, policy, met_by, start, due, provisional)."""
    if rows:
        conn.execute(insert(case_deadlines), [dict(r) for r in rows])


def case_deadline_rows(conn: Connection, case_id: int) -> list[Row]:
    """Return the deadlines of ``case_id``, earliest due first."""
    return rows_of(conn, select(case_deadlines).where(case_deadlines.c.case_id == case_id)
                 .order_by(case_deadlines.c.due))


def meet_deadlines(conn: Connection, case_id: int, states: Iterable[str], at: datetime) -> None:
    """Mark the unmet deadlines of ``case_id`` met by one of ``states`` as met at ``at``."""
    conn.execute(update(case_deadlines).where(
        case_deadlines.c.case_id == case_id, case_deadlines.c.met_at.is_(None),
        case_deadlines.c.met_by.in_(list(states))).values(met_at=at))


def open_deadlines(conn: Connection, open_states: Sequence[str],
                   units: Collection[str] | None = None) -> list[Row]:
    """Return unmet deadlines of cases in ``open_states`` (owned by ``units``, None: all),
    with the case's title and owner."""
    stmt = (select(case_deadlines, cases.c.title, cases.c.owner_unit)
            .join(cases, cases.c.id == case_deadlines.c.case_id)
            .where(case_deadlines.c.met_at.is_(None), cases.c.state.in_(list(open_states)),
                   owned_by(units))
            .order_by(case_deadlines.c.due))
    return rows_of(conn, stmt)


def linked_cases(conn: Connection, kind: str, refs: Collection[str],
                 units: Collection[str] | None = None) -> list[Row]:
    """Return the cases (owned by ``units``, None: all) linked to ``refs`` of ``kind``
    (``case_links``: alert ids, event ids ...): ``{"ref", "case_id", "title", "state",
    "owner_unit", "due", "policy"}``, ``due``/``policy`` those of the case's soonest unmet
    deadline (None when it has none); a ref linked to several cases gives several rows."""
    if not refs:
        return []
    soonest = (select(case_deadlines.c.case_id, func.min(case_deadlines.c.due).label("due"))
               .where(case_deadlines.c.met_at.is_(None))
               .group_by(case_deadlines.c.case_id).subquery())
    stmt = (select(case_links.c.ref, cases.c.id.label("case_id"), cases.c.title, cases.c.state,
                   cases.c.owner_unit, soonest.c.due)
            .join(cases, cases.c.id == case_links.c.case_id)
            .outerjoin(soonest, soonest.c.case_id == cases.c.id)
            .where(case_links.c.kind == kind, case_links.c.ref.in_(list(refs)), owned_by(units))
            .order_by(case_links.c.ref, cases.c.id))
    rows = rows_of(conn, stmt)
    policies = {(r["case_id"], r["due"]): r["policy"] for r in rows_of(conn, select(
        case_deadlines.c.case_id, case_deadlines.c.due, case_deadlines.c.policy).where(
        case_deadlines.c.case_id.in_([r["case_id"] for r in rows]),
        case_deadlines.c.met_at.is_(None)))}
    return [{**r, "policy": policies.get((r["case_id"], r["due"]))} for r in rows]


def set_deadline(conn: Connection, case_id: int, policy: str, values: Mapping[str, Any]) -> None:
    """Set ``values`` on the deadline ``policy`` of ``case_id``."""
    conn.execute(update(case_deadlines).where(
        case_deadlines.c.case_id == case_id, case_deadlines.c.policy == policy).values(**values))


def provisional_deadlines(conn: Connection) -> list[Row]:
    """Return every deadline still marked provisional."""
    return rows_of(conn, select(case_deadlines).where(case_deadlines.c.provisional.is_(True)))


def all_deadlines(conn: Connection, units: Collection[str] | None = None) -> list[Row]:
    """Return every deadline row of the cases of ``units`` (None: all; for statistics)."""
    stmt = select(case_deadlines)
    if units is not None:
        stmt = stmt.where(case_deadlines.c.case_id.in_(case_ids_of(units)))
    return rows_of(conn, stmt)


# ----- assists and links -----------------------------------------------------------------

def add_assist(conn: Connection, values: Mapping[str, Any]) -> bool:
    """Record an assisting unit; return False when it already assists."""
    return _insert_ignore(conn, case_assists, values)


def list_assists(conn: Connection, case_id: int) -> list[Row]:
    """Return the units asked to assist ``case_id``."""
    return rows_of(conn, select(case_assists).where(case_assists.c.case_id == case_id))


def add_link(conn: Connection, values: Mapping[str, Any]) -> bool:
    """Link a case to an item, case, alert, event or petition; False when already linked."""
    return _insert_ignore(conn, case_links, values)


def linked_items(conn: Connection, keys: Collection[str]) -> set[str]:
    """Return those of ``keys`` that some case links (``case_links`` kind ``item``)."""
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for i in range(0, len(wanted), IN_CHUNK):
        found.update(conn.scalars(select(case_links.c.ref).where(
            case_links.c.kind == "item", case_links.c.ref.in_(wanted[i:i + IN_CHUNK]))))
    return found


def list_links(conn: Connection, case_id: int) -> list[Row]:
    """Return the links of ``case_id``."""
    return rows_of(conn, select(case_links).where(case_links.c.case_id == case_id)
                 .order_by(case_links.c.kind, case_links.c.ref))


# ----- statistics ------------------------------------------------------------------------

def count_cases_by(conn: Connection, column: str,
                   units: Collection[str] | None = None) -> dict[str, int]:
    """Return ``{value: number of cases}`` of ``units`` (None: all) by the column ``column``."""
    col = cases.c[column]
    stmt = select(col, func.count()).where(owned_by(units)).group_by(col)
    return {str(row[0]): int(row[1]) for row in conn.execute(stmt)}


def cases_opened_between(conn: Connection, start: datetime, end: datetime,
                         units: Collection[str] | None = None) -> list[Row]:
    """Return cases of ``units`` (None: all) opened in [start, end), oldest first."""
    return rows_of(conn, select(cases).where(cases.c.opened_at >= start, cases.c.opened_at < end,
                                             owned_by(units))
                 .order_by(cases.c.id))


# ----- what a case is opened from --------------------------------------------------------

def get_alert_row(conn: Connection, alert_id: int) -> Row | None:
    """Return the stored alert ``alert_id`` (rule, title, body, level, item_keys, created_at)."""
    found = rows_of(conn, select(alerts).where(alerts.c.id == alert_id))
    return found[0] if found else None


def event_items(conn: Connection, event_id: str, limit: int = 1000) -> list[Row]:
    """Return (key, text, published_at, handling_class) of the items of an event, oldest first."""
    stmt = (select(items.c.key, items.c.text, items.c.published_at, items.c.handling_class)
            .where(items.c.event_id == event_id).order_by(items.c.published_at).limit(limit))
    return rows_of(conn, stmt)


def follow_merges(conn: Connection, case_id: int) -> int:
    """Return the case ``case_id`` was (transitively) merged into, or itself (also when
    it does not exist); a merge cycle stops at the last case not seen before."""
    seen = {case_id}
    row = get_case(conn, case_id)
    while row is not None and row["merged_into"] is not None and row["merged_into"] not in seen:
        seen.add(row["merged_into"])
        row = get_case(conn, row["merged_into"])
    return int(row["id"]) if row is not None else case_id


def _deadline(row: Mapping[str, Any]) -> Deadline:
    """Return the Deadline of a ``case_deadlines`` row (extra joined columns ignored)."""
    return Deadline(row["case_id"], row["policy"], row["met_by"], row["start"], row["due"],
                    bool(row["provisional"]), row["met_at"], row["reminded_at"],
                    row["escalated_at"])


class CasesRepository(Repository):
    """Queries of cases (workflow, log, deadlines, attachments, links): ``store.cases``.

    Writes that must commit together (a move and its log entry) run on
    ``with store.transaction() as tx: tx.cases...``.
    """

    # ----- cases and their log ---------------------------------------------------------

    def insert(self, values: Mapping[str, Any]) -> int:
        """Insert a case (the columns of ``cases`` but ``id``); return its id."""
        with self._write() as conn:
            return insert_case(conn, values)

    def get(self, case_id: int) -> Case | None:
        """Return case ``case_id``, or None."""
        if not storable_id(case_id):
            return None
        with self._read() as conn:
            row = get_case(conn, case_id)
        return None if row is None else Case(**row)

    def update(self, case_id: int, values: Mapping[str, Any]) -> None:
        """Set ``values`` (column -> value) on case ``case_id``."""
        with self._write() as conn:
            update_case(conn, case_id, values)

    def find(self, *, state: str | None = None, unit: str | None = None, limit: int = 100,
             offset: int = 0, units: Collection[str] | None = None) -> list[Case]:
        """Return cases, newest first, in ``state`` and owned by ``unit`` when given, and
        by one of ``units`` (a viewer's scope) unless None."""
        with self._read() as conn:
            rows = list_cases(conn, state=state, unit=unit, limit=limit, offset=offset,
                              units=units)
        return [Case(**r) for r in rows]

    def opened_between(self, start: datetime, end: datetime,
                       units: Collection[str] | None = None) -> list[Case]:
        """Return the cases of ``units`` (None: all) opened in ``[start, end)``, oldest first."""
        with self._read() as conn:
            return [Case(**r) for r in cases_opened_between(conn, start, end, units)]

    def follow_merges(self, case_id: int) -> int:
        """Return the case ``case_id`` was (transitively) merged into, or itself."""
        with self._read() as conn:
            return follow_merges(conn, case_id)

    def append_log(self, entry: Mapping[str, Any]) -> int:
        """Append one audit entry (case_id, at, actor, role, action, from_state, to_state,
        note, data); return its id."""
        with self._write() as conn:
            return append_log(conn, entry)

    def log(self, case_id: int) -> list[CaseLogEntry]:
        """Return the audit log of ``case_id`` in the order written."""
        with self._read() as conn:
            return [CaseLogEntry(**r) for r in read_log(conn, case_id)]

    def logged_actions(self, case_id: int) -> set[str]:
        """Return the distinct action names in the log of ``case_id``."""
        with self._read() as conn:
            return logged_actions(conn, case_id)

    def moves(self, units: Collection[str] | None = None) -> list[dict[str, Any]]:
        """Return every state move ``{"case_id", "at", "from_state", "to_state"}`` (opening
        included) of the cases of ``units`` (None: all), oldest first."""
        with self._read() as conn:
            return all_moves(conn, units)

    def count_by(self, column: str, units: Collection[str] | None = None) -> dict[str, int]:
        """Return ``{value: number of cases}`` of ``units`` (None: all) by the cases column
        ``column`` (None as "None")."""
        with self._read() as conn:
            return count_cases_by(conn, column, units)

    # ----- attachments, assists, links -------------------------------------------------

    def add_attachment(self, values: Mapping[str, Any]) -> tuple[int, bool]:
        """Keep an attachment unless the case has one with its hash; return ``(id, new)``."""
        with self._write() as conn:
            return add_attachment(conn, values)

    def attachments(self, case_id: int) -> list[Attachment]:
        """Return the attachments of ``case_id`` (without content), oldest first."""
        with self._read() as conn:
            return [Attachment(**r) for r in list_attachments(conn, case_id)]

    def add_assist(self, values: Mapping[str, Any]) -> bool:
        """Record an assisting unit; return False when it already assists."""
        with self._write() as conn:
            return add_assist(conn, values)

    def assists(self, case_id: int) -> list[Assist]:
        """Return the units asked to assist ``case_id``."""
        with self._read() as conn:
            return [Assist(**r) for r in list_assists(conn, case_id)]

    def add_link(self, values: Mapping[str, Any]) -> bool:
        """Link a case (case_id, kind, ref, score, created_at); False when already linked."""
        with self._write() as conn:
            return add_link(conn, values)

    def linked_items(self, keys: Collection[str]) -> set[str]:
        """Return those of the item ``keys`` that a case links (material of a case)."""
        with self._read() as conn:
            return linked_items(conn, keys)

    def links(self, case_id: int) -> list[CaseLink]:
        """Return the links of ``case_id`` by kind and ref."""
        with self._read() as conn:
            return [CaseLink(**r) for r in list_links(conn, case_id)]

    # ----- deadlines -------------------------------------------------------------------

    def insert_deadlines(self, rows: Sequence[Deadline]) -> None:
        """Store the deadlines of a new case."""
        with self._write() as conn:
            insert_deadlines(conn, [{"case_id": d.case_id, "policy": d.policy,
                                     "met_by": d.met_by, "start": d.start, "due": d.due,
                                     "provisional": d.provisional} for d in rows])

    def deadlines(self, case_id: int | None = None,
                  units: Collection[str] | None = None) -> list[Deadline]:
        """Return the deadlines of ``case_id`` earliest due first, or every deadline (of the
        cases of ``units`` unless None)."""
        with self._read() as conn:
            rows = (all_deadlines(conn, units) if case_id is None
                    else case_deadline_rows(conn, case_id))
        return [_deadline(r) for r in rows]

    def provisional_deadlines(self) -> list[Deadline]:
        """Return every deadline still marked provisional."""
        with self._read() as conn:
            return [_deadline(r) for r in provisional_deadlines(conn)]

    def view_scope(self, case_id: int) -> tuple[str, set[str]] | None:
        """Return ``(owner unit, assisting units)`` of case ``case_id`` (who may see it),
        or None when there is no such case."""
        if not storable_id(case_id):
            return None
        with self._read() as conn:
            row = get_case(conn, case_id)
            if row is None:
                return None
            return row["owner_unit"], {a["unit"] for a in list_assists(conn, case_id)}

    def open_deadlines(self, open_states: Sequence[str],
                       units: Collection[str] | None = None) -> list[dict[str, Any]]:
        """Return the unmet deadlines of cases in ``open_states`` (owned by ``units`` unless
        None), earliest due first: the ``case_deadlines`` columns plus the case's ``title``
        and ``owner_unit``."""
        with self._read() as conn:
            return open_deadlines(conn, open_states, units)

    def linked(self, kind: str, refs: Collection[str],
               units: Collection[str] | None = None) -> list[dict[str, Any]]:
        """Return the cases of ``units`` (None: all) linked to ``refs`` of ``kind``, with
        their state and soonest unmet deadline (:func:`linked_cases`)."""
        with self._read() as conn:
            return linked_cases(conn, kind, refs, units)

    def meet_deadlines(self, case_id: int, states: Iterable[str], at: datetime) -> None:
        """Mark the unmet deadlines of ``case_id`` met by one of ``states`` as met at ``at``."""
        with self._write() as conn:
            meet_deadlines(conn, case_id, states, at)

    def set_deadline(self, case_id: int, policy: str, values: Mapping[str, Any]) -> None:
        """Set ``values`` (due, provisional, reminded_at ...) on one deadline of a case."""
        with self._write() as conn:
            set_deadline(conn, case_id, policy, values)

    # ----- what a case is opened from --------------------------------------------------

    def alert_source(self, alert_id: int) -> dict[str, Any] | None:
        """Return the stored alert ``alert_id`` as a dict of its columns, or None."""
        with self._read() as conn:
            return get_alert_row(conn, alert_id)

    def event_items(self, event_id: str, limit: int = 1000) -> list[dict[str, Any]]:
        """Return ``{"key", "text", "published_at", "handling_class"}`` of the items of
        event ``event_id``, oldest first."""
        with self._read() as conn:
            return event_items(conn, event_id, limit)
