"""The alert outbox: alerts (unique by ``dedup_key``) and their per-channel deliveries.

An alert is inserted with INSERT ... ON CONFLICT (dedup_key) DO NOTHING, so a
restart or a second worker never records the same alert twice (docs/FIELD_CASES.md
F15); its ``pending`` delivery rows are written in the same transaction.

Dispatchers take pending deliveries with :func:`claim_deliveries` (an
exclusive, leased claim: ``SELECT ... FOR UPDATE SKIP LOCKED`` on
PostgreSQL, the single writer on SQLite), write an attempt row before each
send (:func:`start_attempts`) and finish it after (:func:`finish_attempt`).
The alerting tables are in store/alerting_tables.py; groups, storm windows
and acknowledgements in store/alert_state.py.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, and_, delete, func, or_, select, update
from sqlalchemy.engine import RowMapping

from yuqing.domain import Alert
from yuqing.store import alert_inbox as _inbox
from yuqing.store import alert_state as _state
from yuqing.store.alert_inbox import Acknowledged
from yuqing.store.alert_rules import AlertRuleQueries
from yuqing.store.alert_state import AlertStateQueries
from yuqing.store.alerting_tables import (
    alert_acks,
    delivery_attempts,
    delivery_claims,
    dialect_insert,
)
from yuqing.store.repository import storable_id
from yuqing.store.tables import alerts, deliveries

DELIVERY_STATUSES = ("sent", "failed", "pending")


@dataclass(frozen=True)
class StoredAlert:
    """An alert as stored: its ``id`` and the ``Alert`` (``channels``: the channels with a
    delivery row)."""

    id: int
    alert: Alert


@dataclass(frozen=True)
class PendingDelivery:
    """A delivery waiting to be sent: ``alert_id`` over ``channel``, tried ``attempts`` times
    so far."""

    alert_id: int
    channel: str
    attempts: int
    last_error: str | None
    alert: Alert


def record_alert(conn: Connection, alert: Alert, now: datetime,
                 hold_until: datetime | None = None) -> int | None:
    """Insert ``alert`` and a pending delivery per channel; return its id, or None if its
    ``dedup_key`` exists.

    ``hold_until`` (quiet hours) keeps the deliveries from being claimed before that time.
    """
    stmt = (
        dialect_insert(conn, alerts)
        .values(rule=alert.rule, dedup_key=alert.dedup_key, title=alert.title, body=alert.body,
                level=alert.level, item_keys=list(alert.item_keys), created_at=alert.created_at)
        .on_conflict_do_nothing(index_elements=[alerts.c.dedup_key])
        .returning(alerts.c.id)
    )
    alert_id = conn.scalar(stmt)
    if alert_id is None:
        return None
    channels = list(dict.fromkeys(alert.channels))
    if channels:
        conn.execute(deliveries.insert(), [
            {"alert_id": alert_id, "channel": c, "status": "pending", "attempts": 0,
             "last_error": None, "updated_at": now} for c in channels
        ])
        if hold_until is not None:
            conn.execute(delivery_claims.insert(), [
                {"alert_id": alert_id, "channel": c, "owner": None, "lease_until": None,
                 "next_at": hold_until} for c in channels])
    return int(alert_id)


def record_delivery(conn: Connection, alert_id: int, channel: str, status: str,
                    error: str | None, now: datetime) -> None:
    """Upsert the delivery of ``alert_id`` over ``channel``.

    ``sent`` and ``failed`` count one attempt; ``pending`` (queue or re-queue
    for a retry) does not. Raises ValueError for another status.
    """
    if status not in DELIVERY_STATUSES:
        raise ValueError(f"delivery status {status!r}: expected one of {DELIVERY_STATUSES}")
    tried = 0 if status == "pending" else 1
    stmt = dialect_insert(conn, deliveries).values(
        alert_id=alert_id, channel=channel, status=status, attempts=tried, last_error=error,
        updated_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[deliveries.c.alert_id, deliveries.c.channel],
        set_={"status": stmt.excluded.status, "last_error": stmt.excluded.last_error,
              "updated_at": stmt.excluded.updated_at,
              "attempts": deliveries.c.attempts + stmt.excluded.attempts},
    )
    conn.execute(stmt)


def _alert(m: RowMapping, channels: list[str]) -> Alert:
    """Return the ``Alert`` of an ``alerts`` row."""
    return Alert(rule=m["rule"], dedup_key=m["dedup_key"], title=m["title"], body=m["body"],
                 item_keys=list(m["item_keys"]), created_at=m["created_at"], level=m["level"],
                 channels=channels)


def pending_deliveries(conn: Connection, limit: int) -> list[PendingDelivery]:
    """Return up to ``limit`` deliveries in status ``pending``, oldest alert first."""
    rows = conn.execute(
        select(deliveries.c.alert_id, deliveries.c.channel, deliveries.c.attempts,
               deliveries.c.last_error, alerts)
        .join(alerts, alerts.c.id == deliveries.c.alert_id)
        .where(deliveries.c.status == "pending")
        .order_by(deliveries.c.alert_id, deliveries.c.channel)
        .limit(limit)
    ).all()
    return [PendingDelivery(alert_id=r.alert_id, channel=r.channel, attempts=r.attempts,
                            last_error=r.last_error, alert=_alert(r._mapping, [r.channel]))
            for r in rows]


def list_alerts(conn: Connection, limit: int,
                channels: Collection[str] | None = None) -> list[StoredAlert]:
    """Return the newest ``limit`` alerts (on ``channels`` unless None), newest first, each
    with its delivery channels."""
    rows = conn.execute(select(alerts).where(_inbox.on_channels(channels))
                        .order_by(alerts.c.id.desc()).limit(limit)).all()
    over: dict[int, list[str]] = {r.id: [] for r in rows}
    if over:
        found = conn.execute(select(deliveries.c.alert_id, deliveries.c.channel)
                             .where(deliveries.c.alert_id.in_(list(over)))
                             .order_by(deliveries.c.channel))
        for alert_id, channel in found:
            over[cast(int, alert_id)].append(cast(str, channel))
    return [StoredAlert(id=r.id, alert=_alert(r._mapping, over[r.id])) for r in rows]


def count_alerts(conn: Connection) -> int:
    """Return the number of stored alerts."""
    return int(conn.scalar(select(func.count()).select_from(alerts)) or 0)


@dataclass(frozen=True)
class Claimed:
    """A delivery a dispatcher now owns: ``interrupted`` when an earlier owner died mid-send;
    ``parts_sent`` parts of its split message were accepted in earlier attempts."""

    alert_id: int
    channel: str
    attempts: int
    interrupted: bool
    alert: Alert
    parts_sent: int = 0


def _claimable(now: datetime) -> Any:
    """The condition on (deliveries LEFT JOIN delivery_claims) of a delivery free to claim."""
    c = delivery_claims.c
    free = or_(c.owner.is_(None), c.lease_until < now)
    return and_(deliveries.c.status == "pending",
                or_(c.alert_id.is_(None), and_(c.next_at <= now, free)))


def anything_due(conn: Connection, now: datetime) -> bool:
    """Return True when a delivery is free to claim or an escalation step is due at ``now``.
    A plain read (no locks): a dispatcher asks it before taking the write lock to claim."""
    join = deliveries.outerjoin(delivery_claims, and_(
        delivery_claims.c.alert_id == deliveries.c.alert_id,
        delivery_claims.c.channel == deliveries.c.channel))
    if conn.execute(select(deliveries.c.alert_id).select_from(join)
                    .where(_claimable(now)).limit(1)).first() is not None:
        return True
    a = alert_acks.c
    return conn.execute(select(a.alert_id).where(a.acked_at.is_(None), a.due_at <= now)
                        .limit(1)).first() is not None


def claim_deliveries(conn: Connection, owner: str, now: datetime, lease_until: datetime,
                     limit: int) -> list[Claimed]:
    """Claim up to ``limit`` pending deliveries for ``owner`` until ``lease_until``; oldest first.

    A delivery is free when nobody holds it, it is not held back (backoff,
    quiet hours) and any earlier lease has expired. Run inside a write
    transaction: on PostgreSQL the chosen rows are locked with ``FOR UPDATE
    SKIP LOCKED`` so a second dispatcher skips them; on SQLite the single
    writer lock serialises claimers. The claim itself is a conditional
    upsert (taken only while free, checked against the latest row), so even
    a race past the lock never gives one delivery to two owners. Unfinished attempts of a taken-over
    claim are closed as ``interrupted`` and reported in ``Claimed.interrupted``.
    """
    join = deliveries.outerjoin(delivery_claims, and_(
        delivery_claims.c.alert_id == deliveries.c.alert_id,
        delivery_claims.c.channel == deliveries.c.channel))
    stmt = (select(deliveries.c.alert_id, deliveries.c.channel, deliveries.c.attempts,
                   deliveries.c.parts_sent)
            .select_from(join).where(_claimable(now))
            .order_by(deliveries.c.alert_id, deliveries.c.channel).limit(limit))
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=deliveries)
    rows = conn.execute(stmt).all()
    if not rows:
        return []
    claim = dialect_insert(conn, delivery_claims).values(
        [{"alert_id": r.alert_id, "channel": r.channel, "owner": owner,
          "lease_until": lease_until, "next_at": now} for r in rows])
    c = delivery_claims.c
    won = {(w.alert_id, w.channel) for w in conn.execute(claim.on_conflict_do_update(
        index_elements=[c.alert_id, c.channel],
        set_={"owner": claim.excluded.owner, "lease_until": claim.excluded.lease_until},
        where=and_(c.next_at <= now, or_(c.owner.is_(None), c.lease_until < now)),
    ).returning(c.alert_id, c.channel))}
    rows = [r for r in rows if (r.alert_id, r.channel) in won]
    if not rows:
        return []
    interrupted = _close_interrupted(conn, [(r.alert_id, r.channel) for r in rows], now)
    found = {r.id: r._mapping for r in conn.execute(
        select(alerts).where(alerts.c.id.in_({r.alert_id for r in rows})))}
    return [Claimed(alert_id=r.alert_id, channel=r.channel, attempts=r.attempts,
                    interrupted=(r.alert_id, r.channel) in interrupted,
                    alert=_alert(found[r.alert_id], [r.channel]), parts_sent=r.parts_sent)
            for r in rows]


def _close_interrupted(conn: Connection, keys: list[tuple[int, str]],
                       now: datetime) -> set[tuple[int, str]]:
    """Mark unfinished attempts of ``keys`` as ``interrupted``; return the keys that had one."""
    a = delivery_attempts.c
    open_rows = conn.execute(select(a.id, a.alert_id, a.channel).where(
        a.finished_at.is_(None), a.alert_id.in_({k[0] for k in keys}))).all()
    wanted = set(keys)
    hit = [r for r in open_rows if (r.alert_id, r.channel) in wanted]
    if hit:
        conn.execute(update(delivery_attempts).where(a.id.in_([r.id for r in hit])).values(
            finished_at=now, outcome="interrupted",
            error="the dispatcher stopped during this send (crash or kill)"))
    return {(r.alert_id, r.channel) for r in hit}


def start_attempts(conn: Connection, owner: str, claimed: list[Claimed],
                   now: datetime) -> list[int]:
    """Write one unfinished attempt row per claimed delivery; return their ids, same order."""
    ids = []
    for c in claimed:
        ids.append(int(conn.scalar(delivery_attempts.insert().values(
            alert_id=c.alert_id, channel=c.channel, attempt=c.attempts + 1, owner=owner,
            started_at=now).returning(delivery_attempts.c.id))))
    return ids


ATTEMPT_OUTCOMES = ("sent", "failed", "retry", "deferred")


def finish_attempt(conn: Connection, attempt_id: int | None, alert_id: int, channel: str,
                   outcome: str, error: str | None, now: datetime,
                   retry_at: datetime | None = None, parts: int = 0) -> None:
    """Close attempt ``attempt_id`` (if any) and settle the delivery.

    ``outcome`` ``sent`` / ``failed`` end the delivery (claim removed);
    ``retry`` keeps it pending, counts the attempt and holds it until
    ``retry_at``; ``deferred`` (the channel's own rate limit) keeps it pending
    until ``retry_at`` WITHOUT counting an attempt (``attempt_id`` is None
    unless some parts went out first). ``parts`` > 0 records how many parts of
    a split message the receiver has accepted (deliveries.parts_sent). Raises
    ValueError for another outcome.
    """
    if outcome not in ATTEMPT_OUTCOMES:
        raise ValueError(f"attempt outcome {outcome!r}: expected one of {ATTEMPT_OUTCOMES}")
    if attempt_id is not None:
        conn.execute(update(delivery_attempts).where(delivery_attempts.c.id == attempt_id)
                     .values(finished_at=now, outcome=outcome, error=error))
    key = and_(delivery_claims.c.alert_id == alert_id, delivery_claims.c.channel == channel)
    row = and_(deliveries.c.alert_id == alert_id, deliveries.c.channel == channel)
    if parts > 0:
        conn.execute(update(deliveries).where(row).values(parts_sent=parts))
    if outcome in ("retry", "deferred"):
        if outcome == "retry":
            conn.execute(update(deliveries).where(row).values(
                attempts=deliveries.c.attempts + 1, last_error=error, updated_at=now))
        conn.execute(update(delivery_claims).where(key).values(
            owner=None, lease_until=None, next_at=retry_at or now))
        return
    record_delivery(conn, alert_id, channel, outcome, error, now)
    conn.execute(delete(delivery_claims).where(key))


def add_delivery(conn: Connection, alert_id: int, channel: str, now: datetime) -> bool:
    """Queue ``alert_id`` over ``channel`` (fallback, escalation); False when it already has one."""
    stmt = dialect_insert(conn, deliveries).values(
        alert_id=alert_id, channel=channel, status="pending", attempts=0, last_error=None,
        updated_at=now)
    return bool(conn.execute(stmt.on_conflict_do_nothing()).rowcount)


def reset_failed(conn: Connection, alert_id: int, now: datetime) -> list[str] | None:
    """Put the deliveries of alert ``alert_id`` that failed for good back in the outbox, due
    now with a fresh retry budget (``attempts`` 0; the parts of a split message already
    accepted stay sent); return their channels, sorted (empty: none failed), or None when
    there is no such alert. Their attempt rows stay: the history keeps the failures."""
    if conn.scalar(select(alerts.c.id).where(alerts.c.id == alert_id)) is None:
        return None
    row = and_(deliveries.c.alert_id == alert_id, deliveries.c.status == "failed")
    channels = sorted(conn.scalars(select(deliveries.c.channel).where(row)))
    if channels:
        conn.execute(update(deliveries).where(row).values(status="pending", attempts=0,
                                                          updated_at=now))
        conn.execute(delete(delivery_claims).where(delivery_claims.c.alert_id == alert_id,
                                                   delivery_claims.c.channel.in_(channels)))
    return channels


def delivery_states(conn: Connection, alert_id: int) -> list[dict[str, Any]]:
    """Return the deliveries of alert ``alert_id`` by channel: ``[{"channel", "status",
    "attempts", "last_error"}]`` (empty for no such alert)."""
    d = deliveries.c
    return [{"channel": r.channel, "status": r.status, "attempts": r.attempts,
             "last_error": r.last_error}
            for r in conn.execute(select(d.channel, d.status, d.attempts, d.last_error)
                                  .where(d.alert_id == alert_id).order_by(d.channel))]


def alert_history(conn: Connection, limit: int,
                  channels: Collection[str] | None = None) -> list[dict[str, Any]]:
    """Return the newest ``limit`` alerts (on ``channels`` unless None) with deliveries and
    attempts, newest first.

    Shape per alert: ``{"id", "rule", "level", "title", "body", "items",
    "created_at" (datetime), "deliveries": [{"channel", "status", "attempts",
    "last_error", "updated_at", "tries": [{"attempt", "outcome", "error",
    "started_at", "finished_at"}]}]}``.
    """
    rows = conn.execute(select(alerts).where(_inbox.on_channels(channels))
                        .order_by(alerts.c.id.desc()).limit(limit)).all()
    ids = [r.id for r in rows]
    tries: dict[tuple[int, str], list[dict[str, Any]]] = {}
    a = delivery_attempts.c
    for t in conn.execute(select(delivery_attempts).where(a.alert_id.in_(ids)).order_by(a.id)):
        tries.setdefault((t.alert_id, t.channel), []).append(
            {"attempt": t.attempt, "outcome": t.outcome, "error": t.error,
             "started_at": t.started_at, "finished_at": t.finished_at})
    by_alert: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for d in conn.execute(select(deliveries).where(deliveries.c.alert_id.in_(ids))
                          .order_by(deliveries.c.channel)):
        by_alert[d.alert_id].append(
            {"channel": d.channel, "status": d.status, "attempts": d.attempts,
             "last_error": d.last_error, "updated_at": d.updated_at,
             "tries": tries.get((d.alert_id, d.channel), [])})
    return [{"id": r.id, "rule": r.rule, "level": r.level, "title": r.title, "body": r.body,
             "items": list(r.item_keys), "created_at": r.created_at, "dedup_key": r.dedup_key,
             "deliveries": by_alert[r.id]} for r in rows]


def alert_rule(conn: Connection, alert_id: int) -> str | None:
    """Return the rule name of alert ``alert_id`` (None when there is no such alert)."""
    return conn.scalar(select(alerts.c.rule).where(alerts.c.id == alert_id))


def alert_level(conn: Connection, alert_id: int) -> str | None:
    """Return the level (I-IV) of alert ``alert_id`` (None: no such alert, or no level)."""
    return conn.scalar(select(alerts.c.level).where(alerts.c.id == alert_id))


class AlertsRepository(AlertStateQueries, AlertRuleQueries):
    """Queries of alerts (outbox, deliveries, acknowledgements, alert rules).

    The queries of the policy state and escalations (AlertStateQueries, store/alert_state.py)
    and of the alert rules (AlertRuleQueries, store/alert_rules.py) are inherited. Calls
    that must commit together (a dispatcher's escalations, claim and
    settlement; the policy's group state, storm window and outbox rows) run on
    ``with store.transaction() as tx: tx.alerts...``; every other call runs in
    its own transaction. Times passed in are aware UTC.
    """

    # ----- outbox and deliveries (alerts/outbox.py, alerts/policy.py) ---------------------

    def record_alert(self, alert: Alert, now: datetime,
                     hold_until: datetime | None = None) -> int | None:
        """Insert ``alert`` with a pending delivery per channel (see :func:`record_alert`);
        return its id, or None when its ``dedup_key`` is stored."""
        with self._write() as conn:
            return record_alert(conn, alert, now, hold_until)

    def anything_due(self, now: datetime) -> bool:
        """Return True when a delivery is free to claim or an escalation step is due at
        ``now`` (a plain read; see :func:`anything_due`)."""
        with self._read() as conn:
            return anything_due(conn, now)

    def claim_deliveries(self, owner: str, now: datetime, lease_until: datetime,
                         limit: int) -> list[Claimed]:
        """Claim up to ``limit`` pending deliveries for ``owner`` until ``lease_until``
        (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; see :func:`claim_deliveries`)."""
        with self._write() as conn:
            return claim_deliveries(conn, owner, now, lease_until, limit)

    def start_attempts(self, owner: str, claimed: list[Claimed], now: datetime) -> list[int]:
        """Write one unfinished attempt row per claimed delivery; return their ids, in order."""
        with self._write() as conn:
            return start_attempts(conn, owner, claimed, now)

    def finish_attempt(self, attempt_id: int | None, alert_id: int, channel: str,
                       outcome: str, error: str | None, now: datetime,
                       retry_at: datetime | None = None, parts: int = 0) -> None:
        """Close attempt ``attempt_id`` and settle the delivery (see :func:`finish_attempt`);
        raises ValueError for an unknown ``outcome``."""
        with self._write() as conn:
            finish_attempt(conn, attempt_id, alert_id, channel, outcome, error, now,
                           retry_at, parts)

    def add_delivery(self, alert_id: int, channel: str, now: datetime) -> bool:
        """Queue ``alert_id`` over ``channel``; False when it already has that delivery."""
        with self._write() as conn:
            return add_delivery(conn, alert_id, channel, now)

    def reset_failed(self, alert_id: int, now: datetime) -> list[str] | None:
        """Put the failed deliveries of ``alert_id`` back in the outbox, due now; return their
        channels, or None when there is no such alert (see :func:`reset_failed`)."""
        if not storable_id(alert_id):
            return None
        with self._write() as conn:
            return reset_failed(conn, alert_id, now)

    def delivery_states(self, alert_id: int) -> list[dict[str, Any]]:
        """Return the deliveries of ``alert_id`` (see :func:`delivery_states`)."""
        if not storable_id(alert_id):
            return []
        with self._read() as conn:
            return delivery_states(conn, alert_id)

    def alert_rule(self, alert_id: int) -> str | None:
        """Return the rule name of alert ``alert_id`` (None when there is no such alert)."""
        if not storable_id(alert_id):
            return None
        with self._read() as conn:
            return alert_rule(conn, alert_id)

    def alert_level(self, alert_id: int) -> str | None:
        """Return the level (I-IV) of alert ``alert_id``, or None."""
        with self._read() as conn:
            return alert_level(conn, alert_id)

    # ----- reads for the web and CLI -----

    def history(self, limit: int,
                channels: Collection[str] | None = None) -> list[dict[str, Any]]:
        """Return the newest ``limit`` alerts (on ``channels`` unless None) with deliveries
        and attempts, newest first (shape of :func:`alert_history`), each with ``held``:
        ``"storm"`` (HELD_STORM of store/alert_inbox.py) when the storm cap kept it from its
        channels, else None."""
        with self._read() as conn:
            rows = alert_history(conn, limit, channels)
            held = _inbox.held_alert_ids(conn, rows)
        for row in rows:
            row["held"] = _inbox.HELD_STORM if row["id"] in held else None
        return rows

    def ack_state(self, alert_id: int) -> tuple[datetime | None, str | None]:
        """Return ``(acked_at, acked_by)`` of ``alert_id`` ((None, None) when not acknowledged)."""
        with self._read() as conn:
            return _state.ack_state(conn, alert_id)

    def acknowledge(self, alert_id: int, by: str, now: datetime) -> Acknowledged | None:
        """Acknowledge ``alert_id`` as ``by`` at ``now`` (stops its escalation) and return
        who acknowledged it first; None, with nothing written, when there is no such alert."""
        if not storable_id(alert_id):
            return None
        with self._write() as conn:
            if alert_rule(conn, alert_id) is None:
                return None
            first = _state.acknowledge(conn, alert_id, by, now)
            at, who = _state.ack_state(conn, alert_id)
        return Acknowledged(first=first, at=at, by=who)

    def count_unacknowledged(self, channels: Collection[str] | None = None) -> int:
        """Return how many alerts (on ``channels`` unless None) nobody has acknowledged."""
        with self._read() as conn:
            return _inbox.count_unacknowledged(conn, channels)

    def count(self, channels: Collection[str] | None = None) -> int:
        """Return how many alerts are stored (delivered over ``channels`` unless None)."""
        with self._read() as conn:
            return int(conn.scalar(select(func.count()).select_from(alerts)
                                   .where(_inbox.on_channels(channels))) or 0)

    def reaches(self, alert_id: int, channels: Collection[str] | None) -> bool:
        """Return whether alert ``alert_id`` exists and has a delivery over one of
        ``channels`` (None: any alert)."""
        if not storable_id(alert_id):
            return False
        with self._read() as conn:
            found = conn.scalar(select(alerts.c.id).where(alerts.c.id == alert_id,
                                                          _inbox.on_channels(channels)))
        return found is not None

    def newest_id(self) -> int:
        """Return the id of the newest alert (0 when there is none)."""
        with self._read() as conn:
            return _inbox.newest_alert_id(conn)

    def after(self, last: int, limit: int = 20,
              channels: Collection[str] | None = None) -> list[dict[str, Any]]:
        """Return alerts (on ``channels`` unless None) with an id above ``last``, oldest
        first: ``{"id", "rule", "level", "title"}``."""
        with self._read() as conn:
            return _inbox.alerts_after(conn, last, limit, channels)
