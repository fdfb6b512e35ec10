"""Reads of alerts for the web inbox, the alert history (web and CLI) and the live stream.

Functions take a Connection; callers outside store/ use ``AlertsRepository``
(``store.alerts``). Acknowledgements are in store/alert_state.py, the outbox in
store/alerts.py.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, true

from yuqing.store import alert_rules as rules_q
from yuqing.store.alerting_tables import alert_acks, alert_windows
from yuqing.store.tables import alerts, deliveries

#: what ``held`` says of an alert the storm cap (rule ``max_per_window``) kept from its channels
HELD_STORM = "storm"


@dataclass(frozen=True)
class Acknowledged:
    """The outcome of acknowledging an alert: ``first`` is False when it already was
    acknowledged; ``at`` (aware UTC) and ``by`` say who acknowledged it first."""

    first: bool
    at: datetime | None
    by: str | None


def on_channels(channels: Collection[str] | None) -> Any:
    """Return the condition keeping alerts with a delivery over one of ``channels`` (every
    alert for None): the unit scope of the inbox, history, exports and streams
    (web/access.py), so a unit sees the alerts that reach its channels and no others."""
    if channels is None:
        return true()
    return alerts.c.id.in_(select(deliveries.c.alert_id)
                           .where(deliveries.c.channel.in_(sorted(channels))))


def held_alert_ids(conn: Connection, rows: list[dict[str, Any]]) -> set[int]:
    """Return the ids of the alerts among ``rows`` (store.alerts.alert_history) that the
    storm cap held, with one query per rule involved.

    Derived from what is stored (alerts/policy.py ``_record`` records a held alert
    without deliveries): it has no delivery, its rule (as stored now) has channels or
    groups, and the rule's storm window holding ``created_at`` (``alert_windows``: the
    newest window row of the rule starting at or before it) counted held alerts.
    A rule without channels, or an alert of no stored rule (deadline reminders) is not held.
    """
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if not row["deliveries"]:
            by_rule.setdefault(row["rule"], []).append(row)
    held: set[int] = set()
    w = alert_windows.c
    for name, bare in by_rule.items():
        rule = rules_q.get_rule(conn, name)
        if rule is None or not (rule["body"].get("channels") or rule["body"].get("groups")):
            continue
        newest = max(r["created_at"] for r in bare)
        windows = conn.execute(select(w.window_start, w.held)
                               .where(w.rule == name, w.window_start <= newest)
                               .order_by(w.window_start)).all()
        starts = [start for start, _ in windows]
        for row in bare:
            i = bisect.bisect_right(starts, row["created_at"]) - 1
            if i >= 0 and windows[i].held:
                held.add(row["id"])
    return held


def count_unacknowledged(conn: Connection, channels: Collection[str] | None = None) -> int:
    """Return how many alerts (on ``channels`` unless None) nobody has acknowledged."""
    stmt = (select(func.count()).select_from(alerts.outerjoin(alert_acks,
            alert_acks.c.alert_id == alerts.c.id))
            .where(alert_acks.c.acked_at.is_(None), on_channels(channels)))
    return int(conn.scalar(stmt) or 0)


def newest_alert_id(conn: Connection) -> int:
    """Return the id of the newest alert (0 when there is none)."""
    return int(conn.scalar(select(func.max(alerts.c.id))) or 0)


def alerts_after(conn: Connection, last: int, limit: int,
                 channels: Collection[str] | None = None) -> list[dict[str, Any]]:
    """Return up to ``limit`` alerts (on ``channels`` unless None) with an id above
    ``last``, oldest first: ``{"id", "rule", "level", "title"}``."""
    stmt = (select(alerts.c.id, alerts.c.rule, alerts.c.level, alerts.c.title)
            .where(alerts.c.id > last, on_channels(channels)).order_by(alerts.c.id)
            .limit(limit))
    return [dict(r._mapping) for r in conn.execute(stmt)]
