"""Tests of store/engine.py: SQLite pragmas, one writer, no "database is locked"."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from yuqing.domain import Item
from yuqing.store import open_store
from yuqing.store.engine import create_engines


def test_sqlite_pragmas(tmp_path: Path) -> None:
    engines = create_engines(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        for engine in (engines.write, engines.read):
            with engine.connect() as conn:
                assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
                assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
                assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
        assert engines.read is not engines.write
    finally:
        engines.dispose()


def test_url_handling() -> None:
    engines = create_engines("postgresql://postgres@127.0.0.1:5432/test")
    try:
        assert engines.write.dialect.driver == "psycopg"
    finally:
        engines.dispose()
    with pytest.raises(ValueError, match="only sqlite"):
        create_engines("mysql://u@h/db")


def test_concurrent_writers_and_readers(tmp_path: Path, make_item: Callable[..., Item]) -> None:
    """Two stores on one file (as two processes would) and four threads: no lost rows, no errors."""
    url = f"sqlite:///{tmp_path / 'c.db'}"
    stores = [open_store(url), open_store(url)]
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        store = stores[worker % 2]
        try:
            for batch in range(10):
                store.save_items([make_item(f"w{worker}:{batch}:{i}", f"第{worker}组警察通报{i}")
                                  for i in range(50)])
                store.search("警察", limit=5)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        assert stores[0].count_items() == 4 * 10 * 50
        assert stores[1].count_items(query="警察") == 2000
    finally:
        for store in stores:
            store.close()
