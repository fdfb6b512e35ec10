"""Queries of the language-model event summaries (table in store/summaries_tables.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, func, insert, select

from yuqing.store.analytics import as_int
from yuqing.store.repository import Repository
from yuqing.store.summaries_tables import event_summaries

#: the columns a caller gives to :meth:`SummariesRepository.add` (all but ``id``)
COLUMNS = tuple(c.name for c in event_summaries.columns if c.name != "id")


def latest(conn: Connection, event_id: str) -> dict[str, Any] | None:
    """Return the newest summary row of ``event_id`` as a dict, or None."""
    row = conn.execute(select(event_summaries).where(event_summaries.c.event_id == event_id)
                       .order_by(event_summaries.c.id.desc()).limit(1)).first()
    return None if row is None else dict(row._mapping)


class SummariesRepository(Repository):
    """Event summaries written by a language model: ``store.summaries``."""

    def add(self, row: Mapping[str, Any]) -> int:
        """Store one summary (``row`` has every name of COLUMNS); return its id. Raises
        ValueError naming the missing or unknown columns."""
        if set(row) != set(COLUMNS):
            raise ValueError(f"summary row: missing {sorted(set(COLUMNS) - set(row))}, "
                             f"unknown {sorted(set(row) - set(COLUMNS))}")
        with self._write() as conn:
            key = conn.execute(insert(event_summaries).values(**row)).inserted_primary_key
            return as_int(key[0] if key else None)

    def latest(self, event_id: str) -> dict[str, Any] | None:
        """Return the newest summary of ``event_id`` (every column, ``created_at`` aware
        UTC), or None when it has none."""
        with self._read() as conn:
            return latest(conn, event_id)

    def count(self) -> int:
        """Return the number of stored summaries."""
        with self._read() as conn:
            return int(conn.scalar(select(func.count()).select_from(event_summaries)) or 0)
