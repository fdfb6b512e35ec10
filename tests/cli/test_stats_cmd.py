"""`yuqing stats --json` end to end on a SQLite file seeded with the hand-written day."""

from __future__ import annotations

import json
from pathlib import Path

from report_items import seed_sqlite
from yuqing_cli import Invoke


def test_stats_json_day(cli: Invoke, tmp_path: Path) -> None:
    url = seed_sqlite(tmp_path)
    res = cli("stats", "--db", url, "--since", "2024-03-05", "--until", "2024-03-06",
              "--scheme", "公共安全", "--bucket", "day", "--json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["overview"]["items"] == 3 and doc["overview"]["negative"] == 2
    assert [b["count"] for b in doc["series"]] == [3]
    assert doc["geography"]["cities"] == [{"name": "深圳", "count": 2}]


def test_stats_bad_bucket_and_empty_range(cli: Invoke, tmp_path: Path) -> None:
    url = seed_sqlite(tmp_path)
    res = cli("stats", "--db", url, "--bucket", "week")
    assert res.exit_code == 2 and "--bucket" in res.stderr
    res = cli("stats", "--db", url, "--since", "2024-03-06", "--until", "2024-03-05")
    assert res.exit_code == 2 and "range is empty" in res.stderr
