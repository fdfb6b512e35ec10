"""`--date today|yesterday`, `--from now`, `--since today`, `--until now` on the commands that
take dates (one parser: src/yuqing/time_range.py), in the office zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from yuqing_cli import FIXTURES, Invoke, one_json, write_config

ZONE = ZoneInfo("Asia/Shanghai")


def test_deadline_from_now(cli: Invoke, tmp_path: Path) -> None:
    cfg = str(write_config(tmp_path))
    before = datetime.now(UTC)
    result = cli("deadline", "--from", "now", "--hours", "5", "-c", cfg, "--json")
    after = datetime.now(UTC)
    assert result.exit_code == 0, result.stderr
    due = datetime.fromisoformat(one_json(result)["due"])
    assert before + timedelta(hours=5) <= due <= after + timedelta(hours=5)
    assert due.utcoffset() == timedelta(hours=8)  # shown in the office zone


def test_report_stats_and_items_take_the_words(cli: Invoke, tmp_path: Path) -> None:
    cfg = str(write_config(tmp_path))
    ingested = cli("ingest", str(FIXTURES / "items" / "e2e_items.jsonl"), "-c", cfg, "--json")
    assert ingested.exit_code == 0, ingested.stderr
    yesterday = (datetime.now(ZONE) - timedelta(days=1)).date()
    made = cli("report", "daily", "--date", "yesterday", "--format", "html", "-c", cfg, "--json")
    assert made.exit_code == 0, made.stderr
    assert Path(one_json(made)["path"]).name == f"daily-{yesterday.isoformat()}.html"
    stats = cli("stats", "--since", "today", "--until", "now", "-c", cfg, "--json")
    assert stats.exit_code == 0, stats.stderr
    start = datetime.fromisoformat(one_json(stats)["since"])
    assert start.astimezone(ZONE).date() == datetime.now(ZONE).date()
    assert (start.astimezone(ZONE).hour, start.astimezone(ZONE).minute) == (0, 0)
    for args in (("items", "--since", "yesterday"), ("events", "--since", "today")):
        listed = cli(*args, "-c", cfg, "--json")
        assert listed.exit_code == 0, (args, listed.stderr)
    daily = cli("cases", "daily", "--date", "yesterday", "-c", cfg, "--json")
    assert daily.exit_code == 0, daily.stderr
    assert one_json(daily)["date"] == yesterday.isoformat()
    bad = cli("report", "daily", "--date", "tomorow", "-c", cfg)
    assert bad.exit_code == 2
    assert "--date 'tomorow': expected today, yesterday or a date" in bad.stderr
