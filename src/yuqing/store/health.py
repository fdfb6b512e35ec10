"""Source state (HTTP validators, cursor, health) and counted rejections.

``source_state`` keeps, per source name, what a poller needs across restarts:
``etag``, ``last_modified``, ``cursor`` (strings or None) and ``health`` (a
JSON object the source runner owns, e.g. last error and failure count).
``rejections`` keeps one row per refused item with its stable reason code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from yuqing.domain import Item
from yuqing.store.tables import rejections, source_state
from yuqing.store.repository import Repository

STATE_KEYS = ("etag", "last_modified", "cursor", "health")


def load_source_state(conn: Connection, name: str) -> dict[str, Any]:
    """Return ``{"etag", "last_modified", "cursor", "health", "updated_at"}`` for ``name``, or {} if unknown."""
    row = conn.execute(select(source_state).where(source_state.c.name == name)).first()
    if row is None:
        return {}
    m = row._mapping
    return {k: m[k] for k in (*STATE_KEYS, "updated_at")}


def list_source_states(conn: Connection) -> list[dict[str, Any]]:
    """Return the saved state of every source, by name, each with its ``name``."""
    rows = conn.execute(select(source_state).order_by(source_state.c.name))
    return [{"name": r.name, **{k: r._mapping[k] for k in (*STATE_KEYS, "updated_at")}}
            for r in rows]


def save_source_state(conn: Connection, name: str, state: Mapping[str, Any], now: datetime) -> None:
    """Replace the state of source ``name``; keys missing from ``state`` become None ({} for health).

    Raises ValueError naming any key outside STATE_KEYS (``updated_at`` is
    accepted and ignored: the store sets it to ``now``).
    """
    unknown = set(state) - set(STATE_KEYS) - {"updated_at"}
    if unknown:
        raise ValueError(f"source state for {name!r}: unknown keys {sorted(unknown)}; "
                         f"expected {STATE_KEYS}")
    values = {"etag": state.get("etag"), "last_modified": state.get("last_modified"),
              "cursor": state.get("cursor"), "health": dict(state.get("health") or {}),
              "updated_at": now}
    module = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = module.insert(source_state).values(name=name, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=[source_state.c.name], set_=values))


def rejection_rows(rows: Iterable[Item | Mapping[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Return ``rejections`` rows from refused items or mappings.

    An ``Item`` gives ``reason=item.rejected``, its source and origin. A
    mapping needs ``reason`` and may give ``source``, ``origin``, ``detail``
    and ``at`` (aware datetime; default ``now``). Raises ValueError for a row
    without a reason.
    """
    out: list[dict[str, Any]] = []
    for row in rows:
        if isinstance(row, Item):
            values = {"reason": row.rejected, "source": row.source, "origin": row.origin,
                      "detail": None, "at": now}
        else:
            values = {"reason": row.get("reason"), "source": row.get("source"),
                      "origin": row.get("origin"), "detail": row.get("detail"),
                      "at": row.get("at") or now}
        if not values["reason"]:
            raise ValueError(f"rejection {row!r} has no reason")
        out.append(values)
    return out


def record_rejections(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert prepared ``rejections`` rows (see rejection_rows) in one executemany."""
    if rows:
        conn.execute(insert(rejections), rows)


def list_rejections(conn: Connection, *, reason: str | None = None, source: str | None = None,
                    since: datetime | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Return up to ``limit`` rejections, newest first, as dicts with ``id``, ``at``
    (aware UTC), ``source``, ``origin`` (file:line, request element...), ``reason``, ``detail``;
    only those of ``reason``, ``source`` and at or after ``since`` when given."""
    stmt = select(rejections).order_by(rejections.c.id.desc()).limit(limit)
    if reason is not None:
        stmt = stmt.where(rejections.c.reason == reason)
    if source is not None:
        stmt = stmt.where(rejections.c.source == source)
    if since is not None:
        stmt = stmt.where(rejections.c.at >= since)
    return [dict(row._mapping) for row in conn.execute(stmt)]


def rejection_counts(conn: Connection) -> dict[str, int]:
    """Return ``{reason: number of rejections}``."""
    found = conn.execute(select(rejections.c.reason, func.count()).group_by(rejections.c.reason))
    return {cast(str, reason): cast(int, n) for reason, n in found}


class SourcesRepository(Repository):
    """Queries of sources (poll state, health, rejections)."""
