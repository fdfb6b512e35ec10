"""`yuqing backup`, `yuqing restore` and `yuqing retention` end to end, on both backends:
a backup restored into a fresh database has every table with the same rows (counts and
SHA-256 per table); retention archives old items to gzip JSON Lines and keeps cited ones."""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alerts_helpers import make_alert, make_item
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from yuqing_cli import Invoke

from yuqing.cases.service import CaseService
from yuqing.config import parse_config
from yuqing.store import open_store
from yuqing.store.backup import database_digest
from yuqing.web.accounts import Accounts


def said(stderr: str) -> str:
    """Return an error message with the terminal's line wrapping undone."""
    return " ".join(stderr.split())


def fill(url: str) -> int:
    """Store items, an alert, a case with its log, a user and audit entries; return the case."""
    with open_store(url) as store:
        store.save_items([make_item(f"weibo:{i}", text=f"燃气泄漏第{i}条") for i in range(30)])
        store.record_alert(make_alert(1))
        Accounts(store).add_user("han", "test-password-1", "handler", "东区")
        Accounts(store).audit("han", "view", "case:1", {"why": "测试"}, address="10.0.0.9")
        service = CaseService(store, parse_config({"timezone": "Asia/Shanghai"}))
        return service.open_from_item("weibo:3", actor="han", role="handler", unit="东区")


@pytest.fixture
def fresh_url(store_url: str, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database on the backend of ``store_url`` (a new PostgreSQL
    database, searched in the schema ``store_url`` names, which the restore creates)."""
    if store_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"yq_restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(store_url).set(query={}), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(store_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def test_backup_restores_every_row(cli: Invoke, store_url: str, fresh_url: str,
                                   tmp_path: Path) -> None:
    fill(store_url)
    out = tmp_path / "yuqing.backup"
    made = cli("backup", "--db", store_url, "--out", str(out), "--json")
    assert made.exit_code == 0, made.stderr
    saved = json.loads(made.stdout)["tables"]
    assert saved["items"]["rows"] == 30 and saved["case_log"]["rows"] >= 1
    assert saved["web_audit"]["rows"] == 1 and saved["users"]["rows"] == 1
    again = cli("backup", "--db", store_url, "--out", str(out))
    assert again.exit_code == 2 and "exists" in said(again.stderr)
    done = cli("restore", str(out), "--db", fresh_url, "--json")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["tables"] == saved == database_digest(store_url)
    with open_store(fresh_url) as restored:  # a usable, current database
        assert restored.get_item("weibo:7") is not None
    twice = cli("restore", str(out), "--db", fresh_url)
    assert twice.exit_code == 2 and "restore into" in said(twice.stderr)


def test_restore_refuses_a_file_that_is_no_backup(cli: Invoke, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello", encoding="utf-8")
    done = cli("restore", str(bogus), "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert done.exit_code == 2 and "not a SQLite backup" in said(done.stderr)


def test_retention_archives_old_items_and_keeps_cited_ones(cli: Invoke, store_url: str,
                                                          tmp_path: Path) -> None:
    fill(store_url)  # 30 items of 2024-03-05; the case links weibo:3
    off = cli("retention", "--db", store_url)
    assert off.exit_code == 2 and "items_days" in said(off.stderr)
    days = (datetime.now(UTC) - datetime(2024, 3, 1, tzinfo=UTC)).days
    dry = json.loads(cli("retention", "--db", store_url, "--days", str(days), "--dry-run",
                         "--json").stdout)
    assert (dry["archived"], dry["kept"], dry["archive"]) == (0, 0, None)
    dry = json.loads(cli("retention", "--db", store_url, "--days", "30", "--dry-run",
                         "--json").stdout)
    assert (dry["archived"], dry["kept"]) == (29, 1)
    before = database_digest(store_url)
    done = json.loads(cli("retention", "--db", store_url, "--days", "30", "--json").stdout)
    assert done["archived"] == 29 and done["archive"].endswith(".jsonl.gz")
    with gzip.open(done["archive"], "rt", encoding="utf-8") as archive:
        keys = sorted(json.loads(line)["key"] for line in archive)
    assert keys == sorted(f"weibo:{i}" for i in range(30) if i != 3)
    after = database_digest(store_url)
    assert after["items"]["rows"] == 1
    for kept in ("cases", "case_log", "web_audit", "alerts"):
        assert after[kept] == before[kept]
    assert datetime.fromisoformat(done["cutoff"]) < datetime.now(UTC) - timedelta(days=29)
