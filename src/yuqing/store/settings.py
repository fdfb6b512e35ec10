"""Queries of the live settings document (table in store/settings_tables.py).

Versions are appended, never changed: :meth:`SettingsRepository.append` writes version
``expected + 1`` and fails when another process wrote that version first (its primary
key is taken), so two editors never overwrite each other unseen.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError

from yuqing.domain import BadInput
from yuqing.store.repository import Repository
from yuqing.store.settings_tables import settings_versions as sv


class SettingsConflict(BadInput):
    """Raised by :meth:`SettingsRepository.append` when the version in force is no longer
    the one the change was made on (another user or process wrote meanwhile)."""


def current_version(conn: Connection) -> int:
    """Return the version in force (0 when none was written)."""
    return int(conn.scalar(select(func.max(sv.c.version))) or 0)


class SettingsRepository(Repository):
    """The versions of the settings document: ``store.settings``."""

    def version(self) -> int:
        """Return the version in force (0: none yet). One indexed query, asked before every
        batch and web request (runtime/live_settings.py)."""
        with self._read() as conn:
            return current_version(conn)

    def current(self) -> dict[str, Any] | None:
        """Return the newest version (``{"version", "at", "actor", "file_hash", "note",
        "doc"}``; ``file_hash`` that of the last config file read, carried over web edits),
        or None when none was written."""
        with self._read() as conn:
            row = conn.execute(select(sv).order_by(sv.c.version.desc()).limit(1)).first()
            if row is None:
                return None
            found = dict(row._mapping)
            if found["file_hash"] is None:
                found["file_hash"] = conn.scalar(
                    select(sv.c.file_hash).where(sv.c.file_hash.is_not(None))
                    .order_by(sv.c.version.desc()).limit(1))
            return found

    def append(self, doc: Mapping[str, Any], *, expected: int, actor: str, at: datetime,
               note: str, file_hash: str | None = None) -> int:
        """Write ``doc`` as version ``expected + 1`` and return it. Raises SettingsConflict
        when the version in force is not ``expected`` (someone wrote meanwhile)."""
        try:
            with self._write() as conn:
                now_in_force = current_version(conn)
                if now_in_force != expected:
                    raise SettingsConflict(f"settings: changed meanwhile (version {now_in_force}, "
                                           f"this change was made on {expected}); reload")
                conn.execute(sv.insert().values(version=expected + 1, at=at, actor=actor,
                                                file_hash=file_hash, note=note, doc=dict(doc)))
        except IntegrityError:
            raise SettingsConflict("settings: changed meanwhile by another process; reload"
                                   ) from None
        return expected + 1

    def history(self, limit: int = 20) -> list[dict[str, Any]]:
        """Return the newest ``limit`` versions without their documents, newest first."""
        with self._read() as conn:
            rows = conn.execute(select(sv.c.version, sv.c.at, sv.c.actor, sv.c.note)
                                .order_by(sv.c.version.desc()).limit(limit))
            return [dict(r._mapping) for r in rows]
