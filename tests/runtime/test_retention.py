"""runtime/retention.py: `[retention]` applied once a day by the watcher's tick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from alerts_helpers import make_item

from yuqing.config import parse_config
from yuqing.runtime.context import Context
from yuqing.runtime.retention import DailyRetention


def test_daily_retention_runs_once_a_day(tmp_path: Path) -> None:
    cfg = parse_config({"retention": {"items_days": 30, "archive_dir": "old"}},
                       base_dir=tmp_path)
    ctx = Context(config=cfg, database_url=f"sqlite:///{tmp_path / 'y.db'}")
    try:
        ctx.store.save_items([make_item("weibo:1")])  # published 2024-03-05
        job = DailyRetention(ctx)
        now = datetime.now(UTC)
        first = job.tick(now)
        assert first is not None and first.archived == 1
        assert first.archive is not None and first.archive.parent == tmp_path / "old"
        ctx.store.save_items([make_item("weibo:2")])
        assert job.tick(now + timedelta(hours=23)) is None
        later = job.tick(now + timedelta(days=1))
        assert later is not None and later.archived == 1
    finally:
        ctx.close()


def test_retention_off_by_default(tmp_path: Path) -> None:
    ctx = Context(config=parse_config({}), database_url=f"sqlite:///{tmp_path / 'y.db'}")
    try:
        assert DailyRetention(ctx).tick(datetime.now(UTC)) is None
    finally:
        ctx.close()
