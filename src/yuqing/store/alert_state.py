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


def load_group(conn: Connection, rule: str, group_key: str) -> GroupState | None:
    """Return the state of story ``group_key`` under ``rule``, or None when never alerted.

    Read story by story, not for a whole batch at once: on PostgreSQL a second
    worker alerting on the same batch waits at :func:`save_group` for the first
    one's transaction, and its next read then sees what the first one sent.
    """
    g = alert_groups.c
    row = conn.execute(select(g.count, g.sent_count, g.sent_level, g.sent_at, g.updates)
                       .where(g.rule == rule, g.group_key == group_key)).first()
    if row is None:
        return None
    m = row._mapping  # (row.count is the tuple method)
    return GroupState(count=m["count"], sent_count=m["sent_count"], sent_level=m["sent_level"],
                      sent_at=m["sent_at"], updates=m["updates"])


def save_group(conn: Connection, rule: str, group_key: str, state: GroupState) -> None:
    """Insert or replace the state of story ``group_key`` under ``rule``."""
    values = {"count": state.count, "sent_count": state.sent_count,
              "sent_level": state.sent_level, "sent_at": state.sent_at, "updates": state.updates}
    stmt = dialect_insert(conn, alert_groups).values(rule=rule, group_key=group_key, **values)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[alert_groups.c.rule, alert_groups.c.group_key], set_=values))


def take_window_slot(conn: Connection, rule: str, window_start: datetime, cap: int) -> int:
    """Count one alert of ``rule`` in the window starting at ``window_start``.

    Returns 0 when it may be sent (fewer than ``cap`` sent so far), else the
    number of alerts held in this window including this one (1 = the first
    held, which is when the summary goes out). One statement while the window
    has room; its row is created on first use.
    """
    w = alert_windows.c
    key = and_(w.rule == rule, w.window_start == window_start)
    take = update(alert_windows).where(key, w.sent < cap).values(sent=w.sent + 1)
    if conn.execute(take).rowcount:
        return 0
    stmt = dialect_insert(conn, alert_windows).values(rule=rule, window_start=window_start,
                                                      sent=0, held=0)
    conn.execute(stmt.on_conflict_do_nothing())
    if conn.execute(take).rowcount:
        return 0  # the window's first alert, or another worker created its row meanwhile
    conn.execute(update(alert_windows).where(key).values(held=w.held + 1))
    return int(conn.scalar(select(w.held).where(key)) or 0)


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

    def load_group(self, rule: str, group_key: str) -> GroupState | None:
        """Return what was sent about story ``group_key`` under ``rule``, or None."""
        with self._read() as conn:
            return load_group(conn, rule, group_key)

    def save_group(self, rule: str, group_key: str, state: GroupState) -> None:
        """Insert or replace the state of story ``group_key`` under ``rule`` (one statement)."""
        with self._write() as conn:
            save_group(conn, rule, group_key, state)

    def take_window_slot(self, rule: str, window_start: datetime, cap: int) -> int:
        """Count one alert of ``rule`` in the storm window at ``window_start``: 0 when it may
        be sent, else the alerts held in the window so far (see alerttake_window_slot)."""
        with self._write() as conn:
            return take_window_slot(conn, rule, window_start, cap)

    def event_sizes(self, event_ids: Iterable[str]) -> dict[str, int]:
        """Return ``{event id: stored items}`` of ``event_ids`` (absent: no stored item)."""
        with self._read() as conn:
            return event_sizes(conn, event_ids)

    def event_facts(self, event_ids: set[str]) -> dict[str, tuple[int, str]]:
        """Return ``{event id: (size, level)}`` of the stored events among ``event_ids``."""
        with self._read() as conn:
            return event_facts(conn, event_ids)
