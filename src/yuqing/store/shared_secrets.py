"""Secrets generated once and shared through the store (table in store/secrets_tables.py).

``shared_secret(store, name)`` returns the secret called ``name``, creating
it (``secrets.token_hex(32)``: 256 random bits) on first use. Two processes
asking at the same time get the same value: the insert does nothing when a
row exists, and both read the row afterwards.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from yuqing.store import Store
from yuqing.store.secrets_tables import app_secrets

SECRET_BYTES = 32


def get_or_create(conn: Connection, name: str, now: datetime) -> str:
    """Return the secret ``name`` inside the caller's write transaction, created if missing."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(app_secrets).values(
        name=name, value=secrets.token_hex(SECRET_BYTES), created_at=now).on_conflict_do_nothing())
    value = conn.scalar(select(app_secrets.c.value).where(app_secrets.c.name == name))
    if not value:
        raise RuntimeError(f"secret {name!r} could not be read back from app_secrets")
    return str(value)


def shared_secret(store: Store, name: str) -> str:
    """Return the secret ``name`` of ``store`` (64 hex digits), generated once and kept."""
    with store.read() as conn:
        value = conn.scalar(select(app_secrets.c.value).where(app_secrets.c.name == name))
    if value:
        return str(value)
    with store.write() as conn:
        return get_or_create(conn, name, datetime.now(UTC))
