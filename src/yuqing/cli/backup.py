"""`yuqing backup`, `yuqing restore`, `yuqing retention`: keeping the data for real use.

Backup and restore are store/backup.py (SQLite online backup API; pg_dump and
pg_restore for PostgreSQL); retention is runtime/retention.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from yuqing.cli.common import ConfigOpt, DbOpt, JsonOpt, console, emit_json, user_errors
from yuqing.domain import BadInput


def _show(digest: dict[str, dict[str, int | str]]) -> None:
    for table, row in digest.items():
        console.print(f"  {table}: {row['rows']} rows  sha256 {str(row['sha256'])[:16]}…")


def backup(
    out: Annotated[Path, typer.Option("--out", help="the backup file to write (must not exist)")],
    config: ConfigOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Back up the whole database to one file while it keeps running.

    SQLite: the online backup API (the file is a SQLite database); PostgreSQL: pg_dump
    (custom format; pg_dump must be on PATH). Prints each table's row count and SHA-256
    (``--json``: ``{"file", "backend", "tables": {table: {"rows", "sha256"}}}``), the
    figures ``yuqing restore`` prints for the restored copy.
    """
    from yuqing.runtime.context import make_context
    from yuqing.store.backup import backup as write_backup
    from yuqing.store.backup import database_digest

    with user_errors():
        ctx = make_context(config, db)
        ctx.store  # noqa: B018 - opening migrates the database first, so the copy is current
        backend = write_backup(ctx.database_url, out)
        ctx.close()
        tables = database_digest(ctx.database_url)
    if json_out:
        emit_json({"file": str(out), "backend": backend, "tables": tables})
        return
    console.print(f"backup written: {out} ({backend})")
    _show(tables)


def restore(
    file: Annotated[Path, typer.Argument(help="a file written by yuqing backup")],
    config: ConfigOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Restore a backup into a NEW database (``--db``; an existing one is refused).

    Prints each restored table's row count and SHA-256 (``--json`` as ``yuqing backup``),
    to compare with what the backup printed.
    """
    from yuqing.runtime.context import make_context
    from yuqing.store.backup import database_digest
    from yuqing.store.backup import restore as read_backup

    with user_errors():
        if not file.is_file():
            raise BadInput(f"{file}: no such file")
        url = make_context(config, db).database_url
        backend = read_backup(file, url)
        tables = database_digest(url)
    if json_out:
        emit_json({"file": str(file), "backend": backend, "tables": tables})
        return
    console.print(f"restored {file} into the {backend} database")
    _show(tables)


def retention(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="only count what would go")] = False,
    days: Annotated[
        int | None, typer.Option(min=1, help="override [retention] items_days")
    ] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Archive items older than ``[retention] items_days`` to gzip JSON Lines and remove them.

    Cases, petitions, alerts and audit logs stay, and so do items a case links or a
    report quotes. ``yuqing run`` does this once a day. ``--json``: ``{"cutoff",
    "archived", "kept", "archive", "dry_run"}``. Exit 2 when retention is off and no
    ``--days`` is given.
    """
    from yuqing.cli.common import reading_context
    from yuqing.runtime.retention import apply_retention

    with user_errors():
        ctx = reading_context(config, db)
        try:
            done = apply_retention(ctx, datetime.now(UTC), dry_run=dry_run, days=days)
        finally:
            ctx.close()
        if done is None:
            raise BadInput("retention is off: set [retention] items_days in the config, or "
                           "give --days")
    if json_out:
        emit_json(done.as_dict())
        return
    verb = "would archive" if dry_run else "archived"
    console.print(f"{verb} {done.archived} items published before {done.cutoff:%Y-%m-%d %H:%M} UTC"
                  f"{f' to {done.archive}' if done.archive else ''}; kept {done.kept} cited by "
                  "cases or reports")
