"""F16 Holiday amendments (docs/FIELD_CASES.md): the 2020 Spring Festival break was extended
to 2 Feb by a later notice and the 1 Feb make-up workday cancelled.

Expected: a case opened Thu 2020-01-23 with 3 working days is due 2020-02-05 (24:00,
i.e. 2020-02-06T00:00+08:00); one opened Fri 2020-01-17 with 1 working day is due
Sun 2020-01-19 (a make-up workday), i.e. 2020-01-20T00:00+08:00.
"""

from __future__ import annotations

import json
from datetime import date
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

from yuqing.cases.deadlines import WorkCalendar, compute_deadline, parse_time
from yuqing.cli import app

TZ = ZoneInfo("Asia/Shanghai")


def deadline_json(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(app, ["deadline", *args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert isinstance(doc, dict)
    return doc


def test_the_calendar_carries_the_2020_extension() -> None:
    cal = WorkCalendar()
    # extended break: 31 Jan – 2 Feb are holidays, the 1 Feb make-up workday is gone
    for day in (date(2020, 1, 31), date(2020, 2, 1), date(2020, 2, 2)):
        assert cal.is_workday(day) == (False, False)
    assert cal.is_workday(date(2020, 1, 19)) == (True, False)   # Sunday make-up workday
    assert cal.is_workday(date(2020, 2, 3)) == (True, False)


def test_three_working_days_from_2020_01_23() -> None:
    doc = deadline_json("--from", "2020-01-23 10:00", "--working-days", "3")
    assert doc == {"due": "2020-02-06T00:00:00+08:00", "provisional": False, "policy": "custom"}


def test_one_working_day_from_friday_2020_01_17_is_the_sunday_makeup_day() -> None:
    doc = deadline_json("--from", "2020-01-17", "--working-days", "1")
    assert doc["due"] == "2020-01-20T00:00:00+08:00"
    got = compute_deadline(parse_time("2020-01-17T10:00", TZ), tz=TZ, calendar=WorkCalendar(),
                           working_days=1)
    assert got.due.date() == date(2020, 1, 20) and (got.due - got.due.replace(day=19)).days == 1


def test_first_response_on_national_day_counts_calendar_hours() -> None:
    doc = deadline_json("--from", "2026-10-01 10:00", "--policy", "first_response")
    assert doc == {"due": "2026-10-01T15:00:00+08:00", "provisional": False,
                   "policy": "first_response"}
