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


def head_revisions() -> set[str]:
    """Return the newest revision id of every migration branch.

    Parts of the schema that grow independently (events, cases...) may each
    keep their own branch from ``0001``; ``upgrade`` applies all of them.
    """
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    if not heads:
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return heads


def current_revisions(engine: Engine) -> set[str]:
    """Return the revisions the database is at (empty for an empty database)."""
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Migrate the database of ``engine`` to ``revision`` (default: the newest of every
    branch) in one transaction."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_ID})")
        command.upgrade(alembic_config(conn), revision)
