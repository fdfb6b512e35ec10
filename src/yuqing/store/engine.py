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
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

SQLITE_BUSY_TIMEOUT_MS = 30_000
_json_slow = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _json_dumps(value: Any) -> str:
    """Return the compact JSON text of a JSON column's ``value`` (non-ASCII kept, int keys
    as strings, as ``json.dumps`` writes them).

    orjson, about 6 times faster than ``json.dumps``: the items' and events' JSON columns
    are a tenth of the shared step's time under the lock (docs/SCALEOUT.md). What orjson
    refuses (an integer beyond 64 bits in a source's free-form fields) goes through
    ``json``; the texts may differ in the spelling of a float (``1e-5``), never in a value.
    """
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return _json_slow(value)


#: a run of digits orjson could read as a float (it reads integers beyond 64 bits so)
_LONG_DIGITS = re.compile(r"[0-9]{19}")


def _json_loads(text: str | bytes) -> Any:
    """Return the value of a JSON column's text, as ``json.loads`` does.

    orjson (3 times faster: the events the shared step reloads are JSON); a text with a
    run of 19 digits or more (an integer orjson would turn into a float) or with what only
    ``json`` reads (``NaN``) goes through ``json``.
    """
    if isinstance(text, bytes):
        text = text.decode()
    if _LONG_DIGITS.search(text) is None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)


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
        engine = create_engine(parsed, pool_pre_ping=True, json_serializer=_json_dumps,
                           json_deserializer=_json_loads)
        return Engines(write=engine, read=engine)
    if backend != "sqlite":
        raise ValueError(f"database URL {parsed!r}: only sqlite:// and postgresql:// are supported")
    if parsed.database in (None, "", ":memory:"):
        engine = create_engine(parsed, poolclass=StaticPool, json_serializer=_json_dumps,
                           json_deserializer=_json_loads)
        _sqlite_setup(engine, begin="BEGIN IMMEDIATE")
        return Engines(write=engine, read=engine)
    write = create_engine(parsed, pool_size=1, max_overflow=0, json_serializer=_json_dumps,
                           json_deserializer=_json_loads)
    _sqlite_setup(write, begin="BEGIN IMMEDIATE")
    read = create_engine(parsed, pool_size=8, max_overflow=8, json_serializer=_json_dumps,
                           json_deserializer=_json_loads)
    _sqlite_setup(read, begin="BEGIN")
    return Engines(write=write, read=read)


def masked_url(url: str | None) -> str | None:
    """``url`` (a database or broker URL) with the password of its ``user:password@`` part
    shown as ``***``, for messages and `yuqing check`."""
    return None if url is None else re.sub(r"(://[^/@:]*:)[^/@]*@", r"\1***@", url)


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
