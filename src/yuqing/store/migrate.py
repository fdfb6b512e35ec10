"""Run the Alembic migrations in store/migrations programmatically (no alembic.ini).

``upgrade(engine)`` brings a database to the newest schema; it is safe to call
on every start and from several processes at once: on PostgreSQL a
transaction-level advisory lock serialises migrators, on SQLite the write
transaction starts with BEGIN IMMEDIATE (see store/engine.py).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).with_name("migrations")
# Arbitrary constant naming "Yuqing schema migration" for pg_advisory_xact_lock.
_PG_LOCK_ID = 0x59_75_71_69


def alembic_config(connection: Connection | None = None) -> Config:
    """Return an Alembic Config pointing at store/migrations, bound to ``connection`` if given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """Return the newest migration revision id."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return head


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database of ``engine`` to ``revision`` (default: the newest) in one transaction."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_ID})")
        command.upgrade(alembic_config(conn), revision)
