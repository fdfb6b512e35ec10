"""Source state (HTTP validators, cursor, health) and counted rejections.

``source_state`` keeps, per source name, what a poller needs across restarts
(domain.SourceState): ``etag``, ``last_modified``, ``cursor`` (strings or None)
and ``health`` (a JSON object the source runner owns, e.g. last error and
failure count).
``rejections`` keeps one row per refused item with its stable reason code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import RowMapping

from yuqing.domain import Item, SourceState
from yuqing.store.repository import Repository
from yuqing.store.tables import rejections, source_state


def _state(row: RowMapping) -> SourceState:
    """Return the SourceState of a ``source_state`` row (a NULL health read as {})."""
    return SourceState(name=row["name"], etag=row["etag"], last_modified=row["last_modified"],
                       cursor=row["cursor"], health=dict(row["health"] or {}),
                       updated_at=row["updated_at"])


def load_source_state(conn: Connection, name: str) -> SourceState | None:
    """Return the saved state of source ``name``, or None when it has none."""
    row = conn.execute(select(source_state).where(source_state.c.name == name)).first()
    return None if row is None else _state(row._mapping)


def list_source_states(conn: Connection) -> list[SourceState]:
    """Return the saved state of every source, by name."""
    rows = conn.execute(select(source_state).order_by(source_state.c.name))
    return [_state(r._mapping) for r in rows]


def save_source_state(conn: Connection, state: SourceState, now: datetime) -> None:
    """Replace the saved state of source ``state.name``, stamped ``now`` (``state.updated_at``
    is not read)."""
    values = {"etag": state.etag, "last_modified": state.last_modified, "cursor": state.cursor,
              "health": dict(state.health), "updated_at": now}
    module = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = module.insert(source_state).values(name=state.name, **values)
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

    def record_rejections(self, rows: Iterable[Item | Mapping[str, Any]]) -> int:
        """Store refused items (see :func:`rejection_rows` for the row shapes); return how
        many rows were written. Raises ValueError for a row without a reason (nothing is
        written)."""
        prepared = rejection_rows(rows, datetime.now(UTC))
        with self._write() as conn:
            record_rejections(conn, prepared)
        return len(prepared)
