"""Backup and restore of a whole database, and a digest to check that a copy is whole.

- SQLite: the online backup API (``sqlite3.Connection.backup``): a consistent
  copy while the app keeps writing (pages copied under a read lock, restarted
  when a writer changes them); the backup file is itself a SQLite database.
- PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore`` (both must be on
  PATH; BadInput says so otherwise), of the schema the URL's ``search_path``
  names (default ``public``).

:func:`digest` returns, per table, its row count and a SHA-256 over its rows
(each row as JSON, the rows sorted), so a restored copy is compared with its
original table by table (``yuqing backup`` prints it; ``yuqing restore``
prints the restored one).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL, make_url

from yuqing.domain import BadInput
from yuqing.store.engine import create_engines

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


def _sqlite_path(url: URL) -> Path:
    if url.database in (None, "", ":memory:"):
        raise BadInput("--db: an in-memory SQLite database cannot be backed up or restored")
    return Path(str(url.database))


def _libpq(url: URL) -> tuple[str, str]:
    """Return ``(libpq URI without the driver and query, schema of the search_path)``."""
    options = str(url.query.get("options", ""))
    found = re.search(r"search_path=([\w$]+)", options)
    plain = url.set(drivername="postgresql", query={})
    return plain.render_as_string(hide_password=False), found.group(1) if found else "public"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BadInput(f"{name} is not on PATH: install the PostgreSQL client tools "
                       f"(Debian: apt-get install postgresql-client)")
    return found


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BadInput(f"{Path(args[0]).name} failed (exit {done.returncode}): "
                       f"{done.stderr.strip()[-500:]}")


def backup(url: str, out: Path) -> str:
    """Write a backup of the database at ``url`` to ``out``; return the backend name.

    Raises BadInput when ``out`` exists (never overwritten), for an in-memory
    database, or when pg_dump is missing or fails.
    """
    if out.exists():
        raise BadInput(f"--out {out}: the file exists; choose a new name")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _sqlite_copy(_sqlite_path(parsed), out)
        return "sqlite"
    uri, schema = _libpq(parsed)
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--schema={schema}",
          f"--file={out}", f"--dbname={uri}"])
    return "postgresql"


def _sqlite_copy(source_path: Path, target_path: Path) -> None:
    """Copy the SQLite database ``source_path`` to ``target_path`` with SQLite's online
    backup API (a consistent copy while other connections write)."""
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(target_path)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def restore(path: Path, url: str) -> str:
    """Restore the backup ``path`` into the database at ``url``; return the backend name.

    SQLite: the target file must not exist or be empty (never overwritten in place).
    PostgreSQL: the target schema must not hold Yuqing's tables yet (restore into a fresh
    database). Raises BadInput for a file that is not a backup of the URL's backend, a
    target that is not empty, or a failing pg_restore.
    """
    head = path.read_bytes()[:16] if path.is_file() else b""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BadInput(f"{path}: not a SQLite backup (yuqing backup of a sqlite:// database)")
        target_path = _sqlite_path(parsed)
        if target_path.exists() and target_path.stat().st_size > 0:
            raise BadInput(f"--db {target_path}: the database exists; restore into a new file")
        _sqlite_copy(path, target_path)
        return "sqlite"
    if not head.startswith(PG_DUMP_MAGIC):
        raise BadInput(f"{path}: not a PostgreSQL backup (yuqing backup of a postgresql:// "
                       "database, pg_dump --format=custom)")
    engines = create_engines(url)
    try:
        if "alembic_version" in inspect(engines.write).get_table_names():
            raise BadInput("--db: the database already holds Yuqing's tables; restore into a "
                           "fresh database")
    finally:
        engines.dispose()
    uri, _schema = _libpq(parsed)
    _run([_tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={uri}", str(path)])
    return "postgresql"


def _row_text(row: Any) -> str:
    return json.dumps([v.hex() if isinstance(v, bytes) else v for v in row], default=str,
                      ensure_ascii=False, sort_keys=True)


def digest(engine: Engine) -> dict[str, dict[str, Any]]:
    """Return ``{table: {"rows": n, "sha256": hex}}`` of every table of the database (the
    schema of the search_path on PostgreSQL), rows as JSON sorted before hashing, so the
    digest does not depend on the physical order. Reads every row: a check, not a
    monitoring call."""
    out: dict[str, dict[str, Any]] = {}
    with engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            quoted = engine.dialect.identifier_preparer.quote(table)
            rows = sorted(_row_text(r) for r in conn.execute(text(f"SELECT * FROM {quoted}")))
            sha = hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()
            out[table] = {"rows": len(rows), "sha256": sha}
    return out


def database_digest(url: str) -> dict[str, dict[str, Any]]:
    """Return :func:`digest` of the database at ``url`` (opened without migrating it)."""
    engines = create_engines(url)
    try:
        return digest(engines.read)
    finally:
        engines.dispose()
