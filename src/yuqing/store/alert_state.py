"""State of the alert policy: stories sent per rule, storm windows, acknowledgements.

Functions take a Connection inside a write transaction (``Store.write()``);
callers outside store/ use them as methods of ``store.alerts``
(:class:`AlertStateQueries`). Tables are in store/alerting_tables.py. Every upsert is
one statement, so two workers on PostgreSQL never lose a count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, func, select, update

from yuqing.store.alerting_tables import alert_acks, alert_groups, alert_windows, dialect_insert
from yuqing.store.items import IN_CHUNK
from yuqing.store.repository import Repository
from yuqing.store.tables import items


@dataclass(frozen=True)
class GroupState:
    """What was last sent about one story: its item ``count`` so far, the count and level
    at the last alert (``sent_count``, ``sent_level``), when (``sent_at``), ``updates`` sent."""

    count: int
    sent_count: int
    sent_level: str
    sent_at: datetime
    updates: int


def load_groups(conn: Connection, rule: str, group_keys: Iterable[str]) -> dict[str, GroupState]:
    """Return ``{group key: state}`` of the stories among ``group_keys`` alerted before under
    ``rule`` (one query per IN_CHUNK keys).

    The caller decides a whole batch's stories from it and writes them back with
    :func:`save_groups` in the same transaction, under the shared-state lock
    (runtime/scaleout.py), so no other decision runs in between.
    """
    g = alert_groups.c
    wanted = list(dict.fromkeys(group_keys))
    found: dict[str, GroupState] = {}
    for i in range(0, len(wanted), IN_CHUNK):
        rows = conn.execute(select(g.group_key, g.count, g.sent_count, g.sent_level, g.sent_at,
                                   g.updates)
                            .where(g.rule == rule, g.group_key.in_(wanted[i : i + IN_CHUNK])))
        for row in rows:
            m = row._mapping  # (row.count is the tuple method)
            found[m["group_key"]] = GroupState(
                count=m["count"], sent_count=m["sent_count"], sent_level=m["sent_level"],
                sent_at=m["sent_at"], updates=m["updates"])
    return found


def save_groups(conn: Connection, rule: str, states: dict[str, GroupState]) -> None:
    """Insert or replace the state of each story ``{group key: state}`` under ``rule`` (one
    executemany)."""
    if not states:
        return
    stmt = dialect_insert(conn, alert_groups)
    columns = ("count", "sent_count", "sent_level", "sent_at", "updates")
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[alert_groups.c.rule, alert_groups.c.group_key],
        set_={c: stmt.excluded[c] for c in columns}),
        [{"rule": rule, "group_key": key, "count": st.count, "sent_count": st.sent_count,
          "sent_level": st.sent_level, "sent_at": st.sent_at, "updates": st.updates}
         for key, st in states.items()])


def take_window_slots(conn: Connection, rule: str, window_start: datetime, cap: int,
                      n: int) -> list[int]:
    """Count ``n`` alerts of ``rule``, one after the other, in the window starting at
    ``window_start``; return for each 0 when it may be sent (fewer than ``cap`` sent before
    it), else the number of alerts held in this window including it (1 = the first held,
    which is when the summary goes out).

    Reads the window's row (created on first use; locked ``FOR UPDATE`` on PostgreSQL),
    counts in memory and writes it back: three statements at most, however many alerts.
    """
    w = alert_windows.c
    key = and_(w.rule == rule, w.window_start == window_start)
    read = select(w.sent, w.held).where(key)
    if conn.dialect.name == "postgresql":
        read = read.with_for_update()
    row = conn.execute(read).first()
    if row is None:
        conn.execute(dialect_insert(conn, alert_windows)
                     .values(rule=rule, window_start=window_start, sent=0, held=0)
                     .on_conflict_do_nothing())
        row = conn.execute(read).one()
    sent, held = int(row.sent), int(row.held)
    out = []
    for _ in range(n):
        if sent < cap:
            sent += 1
            out.append(0)
        else:
            held += 1
            out.append(held)
    conn.execute(update(alert_windows).where(key).values(sent=sent, held=held))
    return out


def start_escalation(conn: Connection, alert_id: int, due_at: datetime) -> None:
    """Arm the escalation of ``alert_id``: step 0 is due at ``due_at`` unless acknowledged."""
    conn.execute(dialect_insert(conn, alert_acks).values(alert_id=alert_id, step=0, due_at=due_at)
                 .on_conflict_do_nothing())


def acknowledge(conn: Connection, alert_id: int, by: str, now: datetime) -> bool:
    """Mark ``alert_id`` acknowledged by ``by``; False when it was already acknowledged.

    Stops its escalation. An alert without escalation gets a row too.
    """
    a = alert_acks.c
    conn.execute(dialect_insert(conn, alert_acks).values(alert_id=alert_id, step=0, due_at=None)
                 .on_conflict_do_nothing())
    return bool(conn.execute(update(alert_acks).where(a.alert_id == alert_id, a.acked_at.is_(None))
                             .values(acked_at=now, acked_by=by, due_at=None)).rowcount)


def ack_state(conn: Connection, alert_id: int) -> tuple[datetime | None, str | None]:
    """Return ``(acked_at, acked_by)`` of ``alert_id`` ((None, None) when not acknowledged)."""
    a = alert_acks.c
    row = conn.execute(select(a.acked_at, a.acked_by).where(a.alert_id == alert_id)).first()
    return (None, None) if row is None else (row.acked_at, row.acked_by)


def due_escalations(conn: Connection, now: datetime, limit: int = 100) -> list[tuple[int, int]]:
    """Return ``(alert_id, step)`` of unacknowledged alerts whose next step is due; locks them
    (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) so only one dispatcher escalates each."""
    a = alert_acks.c
    stmt = (select(a.alert_id, a.step).where(a.acked_at.is_(None), a.due_at <= now)
            .order_by(a.due_at).limit(limit))
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return [(r.alert_id, r.step) for r in conn.execute(stmt)]


def advance_escalation(conn: Connection, alert_id: int, step: int,
                       next_due: datetime | None) -> None:
    """Record that step ``step`` of ``alert_id`` was queued; the next is due at ``next_due``."""
    conn.execute(update(alert_acks).where(alert_acks.c.alert_id == alert_id)
                 .values(step=step + 1, due_at=next_due))


def postpone_escalation(conn: Connection, alert_id: int, due: datetime) -> None:
    """Make the next step of ``alert_id`` due at ``due`` (quiet hours hold it)."""
    conn.execute(update(alert_acks).where(alert_acks.c.alert_id == alert_id,
                                          alert_acks.c.acked_at.is_(None)).values(due_at=due))


def event_sizes(conn: Connection, event_ids: Iterable[str]) -> dict[str, int]:
    """Return ``{event id: stored items}`` for ``event_ids`` (one grouped query; re-seen items
    count once; an event without stored items is absent)."""
    wanted = sorted(set(event_ids))
    if not wanted:
        return {}
    rows = conn.execute(select(items.c.event_id, func.count()).where(items.c.event_id.in_(wanted))
                        .group_by(items.c.event_id))
    return {str(event_id): int(n) for event_id, n in rows}


def event_facts(conn: Connection, event_ids: set[str]) -> dict[str, tuple[int, str]]:
    """Return ``{event id: (size, level)}`` of the stored events among ``event_ids``
    (the events stage saves them before alerting; see store/events_tables.py)."""
    from yuqing.store.events_tables import events

    if not event_ids:
        return {}
    rows = conn.execute(select(events.c.id, events.c.size, events.c.level)
                        .where(events.c.id.in_(sorted(event_ids))))
    return {r.id: (int(r.size), str(r.level)) for r in rows}


class AlertStateQueries(Repository):
    """The queries above as repository methods (inherited by store.alerts.AlertsRepository):
    escalation steps and the policy's story state, storm windows and event facts."""

    def start_escalation(self, alert_id: int, due_at: datetime) -> None:
        """Arm the escalation of ``alert_id``: step 0 is due at ``due_at`` unless acknowledged."""
        with self._write() as conn:
            start_escalation(conn, alert_id, due_at)

    def due_escalations(self, now: datetime, limit: int = 100) -> list[tuple[int, int]]:
        """Return ``(alert_id, step)`` of the due escalation steps, locked (``FOR UPDATE SKIP
        LOCKED`` on PostgreSQL) so that only one dispatcher escalates each."""
        with self._write() as conn:
            return due_escalations(conn, now, limit)

    def advance_escalation(self, alert_id: int, step: int, next_due: datetime | None) -> None:
        """Record that step ``step`` of ``alert_id`` was queued; the next is due at ``next_due``."""
        with self._write() as conn:
            advance_escalation(conn, alert_id, step, next_due)

    def postpone_escalation(self, alert_id: int, due: datetime) -> None:
        """Make the next escalation step of ``alert_id`` due at ``due`` (quiet hours)."""
        with self._write() as conn:
            postpone_escalation(conn, alert_id, due)

    def load_groups(self, rule: str, group_keys: Iterable[str]) -> dict[str, GroupState]:
        """Return ``{group key: state}`` of the stories among ``group_keys`` alerted before
        under ``rule`` (see :func:`load_groups`)."""
        with self._read() as conn:
            return load_groups(conn, rule, group_keys)

    def save_groups(self, rule: str, states: dict[str, GroupState]) -> None:
        """Insert or replace the state of each story ``{group key: state}`` under ``rule``."""
        with self._write() as conn:
            save_groups(conn, rule, states)

    def take_window_slots(self, rule: str, window_start: datetime, cap: int,
                          n: int) -> list[int]:
        """Count ``n`` alerts of ``rule`` in the storm window at ``window_start``: for each, 0
        when it may be sent, else the alerts held in the window so far (see
        :func:`take_window_slots`)."""
        with self._write() as conn:
            return take_window_slots(conn, rule, window_start, cap, n)

    def event_sizes(self, event_ids: Iterable[str]) -> dict[str, int]:
        """Return ``{event id: stored items}`` of ``event_ids`` (absent: no stored item)."""
        with self._read() as conn:
            return event_sizes(conn, event_ids)

    def event_facts(self, event_ids: set[str]) -> dict[str, tuple[int, str]]:
        """Return ``{event id: (size, level)}`` of the stored events among ``event_ids``."""
        with self._read() as conn:
            return event_facts(conn, event_ids)
