"""Tests of cases/deadlines.py: calendar hours, working days, provisional years, amendments."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from yuqing.cases.deadlines import (
    WorkCalendar,
    calendar_from_config,
    compute_deadline,
    parse_time,
    policy_deadline,
)
from yuqing.config import DeadlinePolicyConfig, DeadlinesConfig
from yuqing.domain import BadInput

TZ = ZoneInfo("Asia/Shanghai")


def due(start: str, **kw: float | int) -> tuple[str, bool]:
    """(due ISO, provisional) for ``start`` in Shanghai time."""
    d = compute_deadline(parse_time(start, TZ), tz=TZ, calendar=WorkCalendar(), **kw)  # type: ignore[arg-type]
    return d.due.isoformat(), d.provisional


def test_calendar_hours_run_through_a_holiday() -> None:
    # National Day: the 5-hour first response still counts holiday hours
    assert due("2026-10-01 10:00", hours=5) == ("2026-10-01T15:00:00+08:00", False)
    assert due("2026-10-01 22:00", hours=24) == ("2026-10-02T22:00:00+08:00", False)


def test_working_days_skip_weekends_and_count_from_the_next_day() -> None:
    # Mon 2024-03-04 + 1 working day = end of Tue 03-05; Fri 03-08 + 1 = end of Mon 03-11
    assert due("2024-03-04 09:00", working_days=1) == ("2024-03-06T00:00:00+08:00", False)
    assert due("2024-03-08 17:30", working_days=1) == ("2024-03-12T00:00:00+08:00", False)
    # a receipt on Saturday: the next working day is Monday
    assert due("2024-03-09 12:00", working_days=5) == ("2024-03-16T00:00:00+08:00", False)


def test_start_in_another_zone_uses_the_office_day() -> None:
    # 2024-03-08 17:00 UTC is Sat 01:00 in Shanghai: counting starts after Saturday
    assert due("2024-03-08T17:00:00+00:00", working_days=1) == ("2024-03-12T00:00:00+08:00", False)


def test_year_without_data_is_provisional_never_an_error() -> None:
    # 2027 is beyond chinese-calendar 1.11.0: Mon–Fri minus fixed-date holidays
    assert due("2027-09-30 10:00", working_days=2) == ("2027-10-06T00:00:00+08:00", True)
    assert due("2026-12-30 10:00", working_days=3) == ("2027-01-06T00:00:00+08:00", True)
    assert due("2003-12-30 10:00", working_days=1) == ("2004-01-01T00:00:00+08:00", True)
    assert due("2003-12-31 10:00", working_days=1) == ("2004-01-03T00:00:00+08:00", False)


def test_extra_holidays_and_workdays_amend_the_calendar() -> None:
    cal = WorkCalendar(extra_holidays=[date(2024, 3, 5)], extra_workdays=[date(2024, 3, 9)])
    start = parse_time("2024-03-04 09:00", TZ)
    got = compute_deadline(start, tz=TZ, calendar=cal, working_days=4)
    # 03-05 off, 03-06, 03-07, 03-08, 03-09 (Saturday, made a workday)
    assert got.due == datetime(2024, 3, 10, tzinfo=TZ)
    cfg = DeadlinesConfig(extra_holidays=[date(2024, 3, 5)])
    assert calendar_from_config(cfg).is_workday(date(2024, 3, 5)) == (False, False)


def test_named_policies_and_their_json() -> None:
    cfg = DeadlinesConfig()
    start = parse_time("2020-01-23T10:00:00+08:00", TZ)
    assert policy_deadline(cfg, "complex", start, tz=TZ).as_json() == {
        "due": "2020-02-08T00:00:00+08:00", "provisional": False, "policy": "complex"}
    assert policy_deadline(cfg, "formal_answer", start, tz=TZ).due.isoformat() == (
        "2020-01-24T10:00:00+08:00")
    custom = DeadlinesConfig(policies=[DeadlinePolicyConfig(name="incident", hours=2)])
    assert policy_deadline(custom, "incident", start, tz=TZ).due.hour == 12
    with pytest.raises(BadInput, match="'nope' is not configured .*incident"):
        policy_deadline(custom, "nope", start, tz=TZ)


def test_bad_requests_are_named() -> None:
    start = parse_time("2024-03-04", TZ)
    with pytest.raises(BadInput, match="exactly one"):
        compute_deadline(start, tz=TZ, calendar=WorkCalendar(), hours=1, working_days=1)
    with pytest.raises(BadInput, match="outside"):
        compute_deadline(start, tz=TZ, calendar=WorkCalendar(), working_days=0)
    with pytest.raises(BadInput, match="needs a time zone"):
        compute_deadline(datetime(2024, 3, 4), tz=TZ, calendar=WorkCalendar(), hours=1)
    with pytest.raises(BadInput, match="'last week'"):
        parse_time("last week", TZ)
    with pytest.raises(ValueError, match="exactly one of hours, working_days"):
        DeadlinePolicyConfig(name="x")
