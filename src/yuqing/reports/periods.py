"""The time range a report covers, from its kind and a date, in the office's time zone.

Daily: the local day of ``date``. Weekly: the ISO week (Monday to Sunday)
holding ``date``. Monthly: the calendar month holding ``date``. When no
date is given the default is the last complete period before ``now``
(yesterday, last week, last month), which is what a report sent in the
morning covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from yuqing.config import DEFAULT_TIMEZONE
from yuqing.domain import BadInput
from yuqing.time_range import parse_day

PERIOD_KINDS = ("daily", "weekly", "monthly")


@dataclass(frozen=True)
class Period:
    """``[since, until)`` as aware UTC datetimes, with the local ``label`` shown in titles."""

    since: datetime
    until: datetime
    label: str


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def default_date(kind: str, now: datetime, tz: str) -> date:
    """Return a date inside the last complete period of ``kind`` before ``now``."""
    today = now.astimezone(ZoneInfo(tz)).date()
    if kind == "weekly":
        return today - timedelta(days=7)
    if kind == "monthly":
        return today.replace(day=1) - timedelta(days=1)
    return today - timedelta(days=1)


def period_of(kind: str, day: date, tz: str) -> Period:
    """Return the period of ``kind`` (daily, weekly, monthly) holding ``day`` in zone ``tz``.

    Raises BadInput for another kind.
    """
    zone = ZoneInfo(tz)
    if kind == "daily":
        start, end = day, day + timedelta(days=1)
        label = f"{day.year}年{day.month}月{day.day}日"
    elif kind == "weekly":
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=7)
        label = _days_label(start, end - timedelta(days=1))
    elif kind == "monthly":
        start = day.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        label = f"{start.year}年{start.month}月"
    else:
        raise BadInput(f"report kind {kind!r}: expected one of {', '.join(PERIOD_KINDS)}")
    return Period(_local_midnight(start, zone), _local_midnight(end, zone), label)


def _days_label(first: date, last: date) -> str:
    """Return ``2024年3月4日至3月10日`` (the year repeated when it changes)."""
    to_year = f"{last.year}年" if last.year != first.year else ""
    return f"{first.year}年{first.month}月{first.day}日至{to_year}{last.month}月{last.day}日"


#: the longest date range a special report covers (a year)
MAX_RANGE_DAYS = 366


def range_period(first: date, last: date, tz: str) -> Period:
    """Return the period from the start of local day ``first`` to the end of ``last``
    (both included), for a special report on a date range. Raises BadInput when ``last``
    is before ``first`` or the range is longer than MAX_RANGE_DAYS."""
    if last < first:
        raise BadInput(f"--to {last.isoformat()}: before --from {first.isoformat()}")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise BadInput(f"--from {first.isoformat()} --to {last.isoformat()}: longer than "
                       f"{MAX_RANGE_DAYS} days")
    zone = ZoneInfo(tz)
    label = (f"{first.year}年{first.month}月{first.day}日" if first == last
             else _days_label(first, last))
    return Period(_local_midnight(first, zone),
                  _local_midnight(last + timedelta(days=1), zone), label)


def parse_date(value: str, tz: str = DEFAULT_TIMEZONE) -> date:
    """Parse ``--date`` (``today``, ``yesterday`` in zone ``tz``, or ``YYYY-MM-DD``:
    time_range.parse_day); raises BadInput naming the value."""
    return parse_day(value, tz)
