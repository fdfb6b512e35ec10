"""End-to-end tests of `yuqing demo` (src/yuqing/cli/demo.py) on the bundled hot-search data."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from yuqing_cli import FIXTURES, Invoke, flat, one_json

SHAPE = {"read", "stored", "duplicates", "rejected", "matched", "negative", "sensitive",
         "alerts", "events"}


class _Noon(datetime):
    """A ``datetime`` whose ``now`` is always one instant (12:00 in Beijing)."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _Noon:  # type: ignore[override]
        noon = cls(2026, 12, 7, 4, 0, tzinfo=UTC)
        return noon if tz is None else noon.astimezone(tz)


def test_demo_json_is_one_document_with_real_counts_and_repeats(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the storm limiter's windows are aligned to the wall clock (alerts/policy.py): pin the
    # rules' clock so that the two runs never straddle a window boundary and differ by one
    # storm summary
    monkeypatch.setattr("yuqing.alerts.rules.datetime", _Noon)
    first = cli("demo", "--json")
    assert first.exit_code == 0, first.stderr
    doc = one_json(first)
    assert doc.keys() >= SHAPE
    for key in ("stored", "matched", "negative", "alerts"):
        assert doc[key] > 0, key
    assert doc["stored"] + doc["rejected"] + doc["updated"] == doc["read"]
    assert (tmp_path / "yuqing-demo.db").is_file()
    # alerts go to stderr through the console channel, never into the JSON on stdout
    assert "【舆情预警】" in first.stderr
    second = cli("demo", "--json")
    assert second.exit_code == 0, second.stderr
    assert one_json(second) == doc


def test_demo_human_output_on_a_data_file_lists_the_alerts(cli: Invoke) -> None:
    data = FIXTURES / "items" / "e2e_items.jsonl"
    result = cli("demo", "--data", str(data))
    assert result.exit_code == 0, result.stderr
    out = flat(result.stdout)
    assert "演示结果demosummary" in out
    assert "最新预警latestalerts" in out
    assert "市人民医院门口发生严重车祸" in out  # the alert's title in the table
    # the summary ends with the command that looks further into the demo database; it works
    hint = re.search(r"yuqing items --config (\S+) --db (\S+)", result.stdout)
    assert hint is not None
    assert hint.group(2).startswith("sqlite:////")  # absolute: it works from any folder
    listed = cli("items", "--config", hint.group(1), "--db", hint.group(2), "--json")
    assert listed.exit_code == 0 and "市人民医院门口发生严重车祸" in listed.stdout


def test_demo_stats_hint_covers_the_days_of_the_data(cli: Invoke) -> None:
    data = FIXTURES / "items" / "e2e_items.jsonl"
    result = cli("demo", "--data", str(data))
    assert result.exit_code == 0, result.stderr
    hint = re.search(r"yuqing stats (--config \S+ --db \S+ --since \S+ --until \S+ --bucket day)",
                     result.stdout)
    assert hint is not None, result.stdout
    # stats with no range looks at the last 24 hours of wall-clock time only; the hinted
    # range covers every stored item (one of them has the time it was received: a bad date)
    doc = one_json(cli("stats", *hint.group(1).split(), "--json"))
    listed = cli("items", *hint.group(1).split()[:4], "--json", "--limit", "1000")
    assert doc["overview"]["items"] == len(listed.stdout.splitlines()) > 0
    # the report's day is the office's (Asia/Shanghai): an item received at 00:30 there is
    # of that day, though its UTC date is the day before
    office = ZoneInfo("Asia/Shanghai")
    last_day = max(datetime.fromisoformat(json.loads(line)["published_at"]).astimezone(office)
                   .date().isoformat() for line in listed.stdout.splitlines())
    assert f"yuqing report daily --date {last_day} " in result.stdout
