"""Engines for the store: SQLite (WAL, one writer, pooled readers) or PostgreSQL (psycopg 3).

SQLite: every connection gets ``journal_mode=WAL``, ``synchronous=NORMAL``,
``foreign_keys=ON`` and a busy timeout. Writes go through ONE pooled
connection guarded by a lock and start with ``BEGIN IMMEDIATE``, so a write
transaction never fails half-way with "database is locked" on upgrading a
read lock (idea from Datasette's datasette/database.py: one writer per file,
readers pooled). Readers use their own pool and, in WAL mode, never block the
writer. PostgreSQL: one engine, the server handles concurrency.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

SQLITE_BUSY_TIMEOUT_MS = 30_000
_json_dumps = partial(json.dumps, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Engines:
    """The engines a Store uses: ``write`` for transactions that change data, ``read`` for queries.

    On PostgreSQL and for in-memory SQLite both are the same engine.
    ``write_lock`` serialises writers inside this process.
    """

    write: Engine
    read: Engine
    write_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def dialect(self) -> str:
        """Return the backend name: ``"sqlite"`` or ``"postgresql"``."""
        return self.write.dialect.name

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.write.dispose()
        if self.read is not self.write:
            self.read.dispose()


def create_engines(url: str | URL) -> Engines:
    """Return the engines for a SQLAlchemy URL.

    ``postgresql://`` (no driver) is taken as ``postgresql+psycopg://``.
    Raises ValueError for a backend other than SQLite or PostgreSQL.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(parsed, pool_pre_ping=True, json_serializer=_json_dumps)
        return Engines(write=engine, read=engine)
    if backend != "sqlite":
        raise ValueError(f"database URL {parsed!r}: only sqlite:// and postgresql:// are supported")
    if parsed.database in (None, "", ":memory:"):
        engine = create_engine(parsed, poolclass=StaticPool, json_serializer=_json_dumps)
        _sqlite_setup(engine, begin="BEGIN IMMEDIATE")
        return Engines(write=engine, read=engine)
    write = create_engine(parsed, pool_size=1, max_overflow=0, json_serializer=_json_dumps)
    _sqlite_setup(write, begin="BEGIN IMMEDIATE")
    read = create_engine(parsed, pool_size=8, max_overflow=8, json_serializer=_json_dumps)
    _sqlite_setup(read, begin="BEGIN")
    return Engines(write=write, read=read)


def check_database_url(url: str) -> str:
    """Return ``url`` when SQLAlchemy can read it as a URL; raises ValueError otherwise
    (the message gives two examples)."""
    try:
        make_url(url)
    except ArgumentError:
        raise ValueError(f"{url!r} is not a SQLAlchemy URL "
                         "(e.g. sqlite:///yuqing.db, postgresql+psycopg://user@host/db)") from None
    return url


def missing_sqlite_file(url: str | URL) -> tuple[str, Path] | None:
    """Return ``(name as written, absolute path)`` of the SQLite file ``url`` names when
    that file does not exist; None for an existing file, in-memory SQLite (``sqlite://``,
    ``:memory:``) or another backend. Opening a missing file would create it empty,
    which a command that only reads must not do (the caller decides)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    name = str(parsed.database)
    if name.startswith("file:"):  # a SQLite URI filename (uri=true): left to SQLite
        return None
    path = Path(name).expanduser()
    return None if path.exists() else (name, path.resolve())


def _sqlite_setup(engine: Engine, begin: str) -> None:
    """Install the per-connection pragmas and our own BEGIN statement on a SQLite engine."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN instead of the driver's implicit one.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)
