"""The alert outbox: alerts (unique by ``dedup_key``) and their per-channel deliveries.

An alert is inserted with INSERT ... ON CONFLICT (dedup_key) DO NOTHING, so a
restart or a second worker never records the same alert twice (FIELD_CASES
F15); its ``pending`` delivery rows are written in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import RowMapping

from yuqing.domain import Alert
from yuqing.store.tables import alerts, deliveries

DELIVERY_STATUSES = ("sent", "failed", "pending")


@dataclass(frozen=True)
class StoredAlert:
    """An alert as stored: its ``id`` and the ``Alert`` (``channels`` = channels with a delivery row)."""

    id: int
    alert: Alert


@dataclass(frozen=True)
class PendingDelivery:
    """A delivery waiting to be sent: ``alert_id`` over ``channel``, tried ``attempts`` times so far."""

    alert_id: int
    channel: str
    attempts: int
    last_error: str | None
    alert: Alert


def _insert(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """Return the dialect's INSERT (which has on_conflict_* methods) for ``table``."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def record_alert(conn: Connection, alert: Alert, now: datetime) -> int | None:
    """Insert ``alert`` and a pending delivery per channel; return its id, or None if ``dedup_key`` exists."""
    stmt = (
        _insert(conn, alerts)
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
    stmt = _insert(conn, deliveries).values(alert_id=alert_id, channel=channel, status=status,
                                            attempts=tried, last_error=error, updated_at=now)
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
                            last_error=r.last_error, alert=_alert(r._mapping, [r.channel])) for r in rows]


def list_alerts(conn: Connection, limit: int) -> list[StoredAlert]:
    """Return the newest ``limit`` alerts, newest first, each with its delivery channels."""
    rows = conn.execute(select(alerts).order_by(alerts.c.id.desc()).limit(limit)).all()
    channels: dict[int, list[str]] = {r.id: [] for r in rows}
    if channels:
        found = conn.execute(select(deliveries.c.alert_id, deliveries.c.channel)
                             .where(deliveries.c.alert_id.in_(list(channels)))
                             .order_by(deliveries.c.channel))
        for alert_id, channel in found:
            channels[cast(int, alert_id)].append(cast(str, channel))
    return [StoredAlert(id=r.id, alert=_alert(r._mapping, channels[r.id])) for r in rows]


def count_alerts(conn: Connection) -> int:
    """Return the number of stored alerts."""
    return int(conn.scalar(select(func.count()).select_from(alerts)) or 0)
