"""Case deadlines (办理时限): calendar hours and working days on the official Chinese calendar.

A policy counts either calendar hours (holidays included: the 5-hour first
response runs through a National Day holiday) or working days. A
working-day deadline is due at the end (24:00, the office's zone) of the
Nth working day after the day of receipt, returned as the instant of that
midnight (3 working days from Thu 2020-01-23 is 2020-02-06T00:00+08:00).

Working days come from ``chinese-calendar`` (the State Council's yearly
holiday notices, make-up workdays included). Its data already carries the
2020 amendment that extended the Spring Festival break to 2 Feb and
cancelled the 1 Feb make-up workday (国办发明电〔2020〕1号, 27 Jan 2020;
docs/FIELD_CASES.md F16), so no amendment table is kept here; an office adds later
or local amendments as ``[deadlines] extra_holidays``/``extra_workdays``.

For a year the library has no data for, a day is a working day when it is
Monday–Friday and not a fixed-date holiday, and the deadline is marked
provisional (never an exception); callers recompute provisional deadlines
when a newer library brings the data (see cases/service.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]

from yuqing.config import DeadlinePolicyConfig, DeadlinesConfig
from yuqing.domain import BadInput
from yuqing.time_range import parse_moment

#: Gregorian fixed-date public holidays (month, day): New Year's Day 1 Jan, Labour Day
#: 1–2 May, National Day 1–3 Oct (全国年节及纪念日放假办法, 2024 revision, in force 2025).
#: The lunar holidays move every year and are only known from the yearly notice.
FIXED_DATE_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})

#: the most working days a policy or request may count (a year and a half)
MAX_WORKING_DAYS = 400


@cache
def _library_years() -> frozenset[int]:
    """Return the years chinese-calendar has holiday data for (computed once)."""
    days = set(chinese_calendar.holidays) | set(chinese_calendar.workdays)
    return frozenset(range(min(days).year, max(days).year + 1))


@dataclass(frozen=True)
class Deadline:
    """A computed deadline: ``due`` is aware (the office's zone); ``provisional``
    is True when a year without official calendar data was involved."""

    policy: str
    start: datetime
    due: datetime
    provisional: bool

    def as_json(self) -> dict[str, Any]:
        """Return ``{"due": ISO time with offset, "provisional": bool, "policy": name}``
        (docs/INTERFACES.md, ``deadline --json``)."""
        return {"due": self.due.isoformat(), "provisional": self.provisional,
                "policy": self.policy}


class WorkCalendar:
    """Working days: the official calendar, amended by extra holidays and workdays."""

    def __init__(self, extra_holidays: Iterable[date] = (),
                 extra_workdays: Iterable[date] = ()) -> None:
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        self.known_years = _library_years()

    def is_workday(self, day: date) -> tuple[bool, bool]:
        """Return ``(is working day, provisional)`` for ``day``; provisional when
        the official calendar has no data for its year."""
        if day in self.extra_holidays:
            return False, False
        if day in self.extra_workdays:
            return True, False
        if day.year in self.known_years:
            return bool(chinese_calendar.is_workday(day)), False
        fixed = (day.month, day.day) in FIXED_DATE_HOLIDAYS
        return day.weekday() < 5 and not fixed, True

    def nth_workday_after(self, day: date, n: int) -> tuple[date, bool]:
        """Return the ``n``-th working day after ``day`` (``day`` itself never
        counts) and whether any day looked at was provisional."""
        if not 1 <= n <= MAX_WORKING_DAYS:
            raise BadInput(f"working days: {n} is outside 1..{MAX_WORKING_DAYS}")
        provisional = False
        while n:
            day += timedelta(days=1)
            works, guessed = self.is_workday(day)
            provisional |= guessed
            n -= works
        return day, provisional


def calendar_from_config(cfg: DeadlinesConfig) -> WorkCalendar:
    """Return the WorkCalendar amended by ``cfg.extra_holidays``/``extra_workdays``."""
    return WorkCalendar(cfg.extra_holidays, cfg.extra_workdays)


def compute_deadline(start: datetime, *, tz: ZoneInfo, calendar: WorkCalendar,
                     hours: float | None = None, working_days: int | None = None,
                     policy: str = "custom") -> Deadline:
    """Return the deadline ``hours`` calendar hours or ``working_days`` working
    days after ``start`` (aware), expressed in ``tz``.

    Raises BadInput when ``start`` is naive or when not exactly one of
    ``hours``/``working_days`` is given or it is out of range.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise BadInput(f"deadline start {start.isoformat()}: needs a time zone")
    if (hours is None) == (working_days is None):
        raise BadInput("deadline: give exactly one of hours, working days")
    local = start.astimezone(tz)
    if hours is not None:
        if not 0 < hours <= 24 * MAX_WORKING_DAYS:
            raise BadInput(f"deadline hours: {hours} is outside (0, {24 * MAX_WORKING_DAYS}]")
        return Deadline(policy, local, (local + timedelta(hours=hours)).astimezone(tz), False)
    assert working_days is not None
    last, provisional = calendar.nth_workday_after(local.date(), working_days)
    due = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    return Deadline(policy, local, due, provisional)


def find_policy(cfg: DeadlinesConfig, name: str) -> DeadlinePolicyConfig:
    """Return the policy called ``name``; raises BadInput listing the known names."""
    for policy in cfg.policies:
        if policy.name == name:
            return policy
    known = ", ".join(p.name for p in cfg.policies) or "none"
    raise BadInput(f"deadline policy {name!r} is not configured (known: {known})")


def policy_deadline(cfg: DeadlinesConfig, name: str, start: datetime, *, tz: ZoneInfo,
                    calendar: WorkCalendar | None = None) -> Deadline:
    """Return the deadline of the configured policy ``name`` from ``start``."""
    policy = find_policy(cfg, name)
    return compute_deadline(start, tz=tz, calendar=calendar or calendar_from_config(cfg),
                            hours=policy.hours, working_days=policy.working_days,
                            policy=policy.name)


def parse_time(text: str, tz: ZoneInfo) -> datetime:
    """Return ``text`` (``now``, ``today``, ``yesterday``, ISO 8601, ``2020-01-23 10:00`` or
    a date: time_range.parse_moment) as an aware datetime in ``tz``; no offset means ``tz``.
    Raises BadInput naming the text."""
    return parse_moment(text, tz, flag="time").astimezone(tz)
