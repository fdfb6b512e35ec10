"""End-to-end tests of `yuqing sources` (src/yuqing/cli/sources.py): health from the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from yuqing_cli import Invoke, flat, one_json

from yuqing.sources.health import SourceHealth
from yuqing.store import open_store

SOURCES = """
[[sources]]
name = "exports"
kind = "file"
path = "items.jsonl"
interval = 600

[[sources]]
name = "gov"
kind = "rss"
url = "http://127.0.0.1:9/feed.xml"
enabled = false
"""


def test_sources_lists_every_configured_source_with_its_health(cli: Invoke,
                                                               tmp_path: Path) -> None:
    config = tmp_path / "yuqing.toml"
    config.write_text(SOURCES, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'y.db'}"
    now = datetime.now(UTC)
    health = SourceHealth("exports", interval=600)
    health.record_success(3, now - timedelta(hours=2))
    health.note_published(now - timedelta(hours=3))
    health.record_failure("HTTP 500", now - timedelta(hours=1))
    with open_store(url) as store:
        store.save_source_state(health.saved_state(now - timedelta(hours=1)))

    result = cli("sources", "--json", "--db", url, "--config", str(config))
    assert result.exit_code == 0, result.stderr
    exports, gov = one_json(result)["sources"]
    assert (exports["name"], exports["kind"], exports["enabled"], exports["status"]) == (
        "exports", "file", True, "failed")
    assert (exports["polls_24h"], exports["failure_rate_24h"], exports["items_per_poll"]) == (
        2, 0.5, 3.0)
    assert 3 * 3600 - 5 < exports["freshness_lag_s"] < 3 * 3600 + 300  # lag from now, not save
    assert exports["last_error"]["message"] == "HTTP 500"
    assert (gov["name"], gov["enabled"], gov["status"], gov["polls_24h"]) == (
        "gov", False, "new", 0)
    assert gov["freshness_lag_s"] is None and gov["failure_rate_24h"] is None

    table = cli("sources", "--db", url, "--config", str(config))
    assert table.exit_code == 0
    shown = flat(table.stdout)
    assert "失败" in shown and "3小时" in shown and "50%" in shown and "HTTP500" in shown
    assert "已停用" in shown and "(未抓取)" in shown
