"""Shared state of many processes on one database: the lock, the write order, tickets.

Several processes (``yuqing ingest`` twice, or Celery workers) keep the memory of the
shared pipeline stages (the de-duplicator's index, the events stage's open events)
in sync with one truth, the store (docs/SCALEOUT.md):

- **the shared-state lock**: a write transaction that calls :meth:`ScaleoutRepository.lock`
  is the only one deciding duplicates, events and alerts until it ends. On PostgreSQL
  it is ``pg_advisory_xact_lock(LOCK_CLASS, hashtext(current_schema()))`` (one lock
  per schema, released with the transaction, also when the connection drops); on
  SQLite the write transaction itself (``BEGIN IMMEDIATE``) already excludes every
  other writer of the file. Every write of items takes it (store/items.py), so
  ``items.rev`` is assigned in commit order.
- **the write order**: ``items.rev`` numbers every insert and update;
  :meth:`ScaleoutRepository.changes_after` returns what was written after a
  process's watermark.
- **tickets** order the batches a broker carries: a batch gets a ticket when it is
  enqueued and its shared step commits in ticket order (``scaleout_counters``
  ``commit``: the lowest ticket not committed nor given up), so N workers decide
  exactly as one process fed the same batches would. A running batch holds its
  ticket's session advisory lock (:meth:`ScaleoutRepository.hold_ticket`), so a
  waiting one can tell a batch in progress from one lost before it ran.
- **source leases**: the scheduler marks a due source queued before it enqueues its
  poll (:meth:`ScaleoutRepository.mark_queued`), a worker claims it for the length of
  the poll (:meth:`ScaleoutRepository.claim_source`): one poll of a source at a time,
  and a lease left by a dead worker expires.
- **leadership** of a periodic chore (scheduled reports, case deadline sweeps,
  retention: runtime/chores.py): :meth:`ScaleoutRepository.leader` holds a session
  advisory lock named for the chore on a connection of its own, so of several
  ``yuqing scheduler`` processes exactly one does it; a dead process or a dropped
  connection frees it for the next that asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, and_, func, insert, or_, select, text, update
from sqlalchemy.exc import DBAPIError

from yuqing.domain import StoredChange
from yuqing.store.alerting_tables import dialect_insert
from yuqing.store.repository import Repository
from yuqing.store.scaleout_tables import batch_done, scaleout_counters, source_leases
from yuqing.store.tables import items

#: the class id (first int4 key) of the shared-state advisory lock ("YqSS")
LOCK_CLASS = 0x59_71_53_53
_SCHEMA_KEY = "hashtext(current_schema())"
#: the class id of a chore's leadership lock ("YqLd"); the second key hashes schema and chore
LEADER_CLASS = 0x59_71_4C_64
#: the bigint advisory key of a batch ticket: the schema's hash in the high 31 bits
_TICKET_KEY = f"(({_SCHEMA_KEY}::bigint & 2147483647) << 32) | %d"

Turn = Literal["go", "wait", "done"]


def lock_shared_state(conn: Connection) -> None:
    """Take the shared-state lock for the rest of ``conn``'s write transaction (PostgreSQL;
    on SQLite the write transaction already holds the database's one write lock)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_CLASS}, {_SCHEMA_KEY})")


def next_revs(conn: Connection, n: int) -> int:
    """Return the first of ``n`` new ``items.rev`` values (max(rev) + 1); the caller holds
    the shared-state lock, so no other writer takes the same values."""
    del n  # the values are consecutive from the one returned
    top = conn.scalar(select(func.coalesce(func.max(items.c.rev), 0))) or 0
    return int(top) + 1


def _ticket_key(ticket: int) -> str:
    if not 0 < ticket < 2**32:
        raise ValueError(f"batch ticket {ticket} outside 1..2**32-1")
    return _TICKET_KEY % ticket


class Leader:
    """Leadership of the chore ``name`` among the processes sharing a database (module doc).

    :meth:`leading` returns True while this process holds the chore's lock, taking it
    when it is free; a connection lost with the lock is given back to the pool and the
    lock asked for again at the next call. On SQLite (one process) it is always True.
    """

    def __init__(self, repo: ScaleoutRepository, name: str) -> None:
        self._repo = repo
        self._name = name
        self._held: ExitStack | None = None
        self._conn: Connection | None = None

    def leading(self) -> bool:
        """True when this process leads the chore now (see the class doc)."""
        try:
            if self._conn is not None:
                self._conn.exec_driver_sql("SELECT 1")
                self._conn.commit()  # never left idle in a transaction (it would hold VACUUM)
                return True
            stack = ExitStack()
            conn = stack.enter_context(self._repo._read())
            if conn.dialect.name != "postgresql":
                stack.close()
                return True
            got = conn.execute(
                text(f"SELECT pg_try_advisory_lock({LEADER_CLASS}, "
                     f"hashtext(current_schema() || ':' || :name))"),
                {"name": self._name}).scalar()
            conn.commit()
            if not got:
                stack.close()
                return False
            self._held, self._conn = stack, conn
            return True
        except DBAPIError:
            if self._conn is not None:
                self._conn.invalidate()  # the lock went with the connection
            self.close()
            return False

    def close(self) -> None:
        """Give the lock up (closing its connection ends the session's locks)."""
        held, self._held, conn, self._conn = self._held, None, self._conn, None
        if held is not None and conn is not None:
            try:
                if not conn.invalidated:
                    conn.exec_driver_sql("SELECT pg_advisory_unlock_all()")
                    conn.commit()
            except DBAPIError:
                conn.invalidate()
            held.close()


class ScaleoutRepository(Repository):
    """The shared-state lock, the items' write order and batch tickets (module doc)."""

    def leader(self, name: str) -> Leader:
        """Return the :class:`Leader` of chore ``name`` for this process (not yet asked)."""
        return Leader(self, name)

    def lock(self) -> None:
        """Take the shared-state lock until the transaction this repository is bound to
        ends (call it inside ``store.transaction()``)."""
        with self._write() as conn:
            lock_shared_state(conn)

    def watermark(self) -> tuple[int, int]:
        """Return ``(rev, seq)``: the newest ``items.rev`` and ``items.seq`` (0 when none)."""
        # two scalar subqueries: SQLite answers one max() from its index, but scans the
        # whole table for a SELECT with two (22 ms at 300,000 rows instead of 0.01 ms)
        newest = [select(func.max(c)).scalar_subquery() for c in (items.c.rev, items.c.seq)]
        with self._read() as conn:
            rev, seq = conn.execute(select(*newest)).one()
        return int(rev or 0), int(seq or 0)

    def changes_after(self, rev: int, seq: int) -> list[StoredChange]:
        """Return the item rows written after ``rev``, in write order; ``new`` when the
        row's ``seq`` is above ``seq`` (inserted after the watermark)."""
        c = items.c
        stmt = (select(c.key, c.seq, c.match_text, c.canonical_url, c.duplicate_of, c.event_id,
                       c.source, c.author, c.root_id, c.parent_id, c.published_at, c.flags)
                .where(c.rev > rev).order_by(c.rev))
        with self._read() as conn:
            rows = conn.execute(stmt).all()
        return [StoredChange(key=r.key, new=r.seq > seq, match_text=r.match_text,
                             canonical_url=r.canonical_url, duplicate_of=r.duplicate_of,
                             event_id=r.event_id, source=r.source, author=r.author,
                             root_id=r.root_id, parent_id=r.parent_id,
                             published_at=r.published_at,
                             dated="date_unparsed" not in r.flags)
                for r in rows]

    # ----- tickets -----

    def issue_ticket(self) -> int:
        """Return a new batch ticket (1, 2, 3 ... per database; committed at once when the
        repository is bound to the Store)."""
        stmt = (update(scaleout_counters).where(scaleout_counters.c.name == "ticket")
                .values(value=scaleout_counters.c.value + 1)
                .returning(scaleout_counters.c.value))
        with self._write() as conn:
            return int(conn.execute(stmt).scalar_one()) - 1

    def turn(self, ticket: int) -> tuple[Turn, int]:
        """Return ``(verdict, head)`` for batch ``ticket``: ``done`` when it committed
        before, ``go`` when every earlier ticket committed or was given up (``head`` <=
        ticket), else ``wait`` (``head``: the earliest ticket still open). Call it under
        the shared-state lock."""
        with self._read() as conn:
            if conn.scalar(select(batch_done.c.ticket).where(batch_done.c.ticket == ticket)):
                return "done", ticket
            head = int(conn.execute(select(scaleout_counters.c.value)
                                    .where(scaleout_counters.c.name == "commit")).scalar_one())
        return ("go" if ticket <= head else "wait"), head

    def ticket_held(self, ticket: int) -> bool:
        """True when a live batch holds ``ticket`` (:meth:`hold_ticket`); always False on
        SQLite. Probing takes the lock until the transaction ends when nobody held it."""
        with self._read() as conn:
            if conn.dialect.name != "postgresql":
                return False
            free = conn.exec_driver_sql(
                f"SELECT pg_try_advisory_xact_lock({_ticket_key(ticket)})").scalar()
        return not free

    def stalled_for(self, held: bool, now: datetime) -> float:
        """Return how long (seconds, 0.0 when ``held``) the commit head has been held by
        no live batch, as seen by waiting batches of any process; ``held``: whether a
        batch holds it now. Call it under the shared-state lock."""
        c = scaleout_counters.c
        mark = int(now.timestamp() * 1000)
        with self._write() as conn:
            since = int(conn.execute(select(c.value).where(c.name == "stalled")).scalar_one())
            if held or not since:
                conn.execute(update(scaleout_counters).where(c.name == "stalled")
                             .values(value=0 if held else mark))
                return 0.0
        return max(0.0, (mark - since) / 1000)

    def give_up(self, head: int) -> bool:
        """Let the batches after ``head`` commit without it (its batch was lost before it
        ran, or waits behind them); return False when ``head`` moved meanwhile."""
        c = scaleout_counters.c
        with self._write() as conn:
            moved = conn.execute(update(scaleout_counters)
                                 .where(and_(c.name == "commit", c.value == head))
                                 .values(value=head + 1))
            conn.execute(update(scaleout_counters).where(c.name == "stalled").values(value=0))
        return moved.rowcount == 1

    def finish(self, ticket: int, now: datetime, outcome: dict[str, Any] | None = None) -> None:
        """Record batch ``ticket`` as committed, with its ``outcome`` (in the caller's
        transaction), and move the commit head past it when it was the head."""
        c = scaleout_counters.c
        with self._write() as conn:
            conn.execute(insert(batch_done).values(ticket=ticket, done_at=now, outcome=outcome))
            moved = conn.execute(update(scaleout_counters)
                                 .where(and_(c.name == "commit", c.value == ticket))
                                 .values(value=ticket + 1))
            if moved.rowcount:
                conn.execute(update(scaleout_counters).where(c.name == "stalled").values(value=0))

    def outcomes(self, tickets: Iterable[int]) -> dict[int, dict[str, Any] | None]:
        """Return ``{ticket: outcome}`` for the committed ones among ``tickets``."""
        wanted = list(tickets)
        found: dict[int, dict[str, Any] | None] = {}
        with self._read() as conn:
            for i in range(0, len(wanted), 500):
                stmt = select(batch_done.c.ticket, batch_done.c.outcome).where(
                    batch_done.c.ticket.in_(wanted[i : i + 500]))
                found.update({int(t): o for t, o in conn.execute(stmt)})
        return found

    @contextmanager
    def hold_ticket(self, ticket: int) -> Iterator[None]:
        """Hold ``ticket``'s session advisory lock on a connection of its own for the block
        (PostgreSQL; nothing on SQLite): the batch is in progress. A dead process or a
        dropped connection releases it."""
        key = _ticket_key(ticket)
        with self._read() as conn:
            if conn.dialect.name != "postgresql":
                yield
                return
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({key})")
            conn.commit()
            try:
                yield
            finally:
                try:
                    conn.exec_driver_sql(f"SELECT pg_advisory_unlock({key})")
                    conn.commit()
                except DBAPIError:
                    conn.invalidate()  # the connection died: the lock went with it

    # ----- source leases -----

    def mark_queued(self, names: Iterable[str], now: datetime, ttl: timedelta) -> list[str]:
        """Mark as queued until ``now + ttl`` each source of ``names`` that nobody polls
        and that is not queued already; return those marked (their polls are to be
        enqueued), in order."""
        c = source_leases.c
        free = and_(or_(c.lease_until.is_(None), c.lease_until < now),
                    or_(c.queued_until.is_(None), c.queued_until < now))
        marked = []
        with self._write() as conn:
            for name in names:
                stmt = dialect_insert(conn, source_leases).values(name=name,
                                                                  queued_until=now + ttl)
                stmt = stmt.on_conflict_do_update(index_elements=[c.name],
                                                  set_={"queued_until": now + ttl}, where=free)
                if conn.execute(stmt.returning(c.name)).first() is not None:
                    marked.append(name)
        return marked

    def claim_source(self, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
        """Make ``holder`` the only poller of source ``name`` until ``now + ttl``; False when
        another holds an unexpired lease."""
        c = source_leases.c
        values = {"holder": holder, "lease_until": now + ttl, "queued_until": None}
        with self._write() as conn:
            stmt = dialect_insert(conn, source_leases).values(name=name, **values)
            stmt = stmt.on_conflict_do_update(
                index_elements=[c.name], set_=values,
                where=or_(c.lease_until.is_(None), c.lease_until < now))
            return conn.execute(stmt.returning(c.name)).first() is not None

    def release_source(self, name: str, holder: str) -> None:
        """End ``holder``'s lease of source ``name`` (no-op when it holds none)."""
        c = source_leases.c
        with self._write() as conn:
            conn.execute(update(source_leases).where(c.name == name, c.holder == holder)
                         .values(holder=None, lease_until=None))

    def leases(self) -> dict[str, tuple[str | None, datetime | None, datetime | None]]:
        """Return ``{source: (holder, lease_until, queued_until)}`` for every source row."""
        c = source_leases.c
        with self._read() as conn:
            rows = conn.execute(select(c.name, c.holder, c.lease_until, c.queued_until))
            return {r.name: (r.holder, r.lease_until, r.queued_until) for r in rows}
