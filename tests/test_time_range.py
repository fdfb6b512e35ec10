"""The words people type for dates and times (src/yuqing/time_range.py): ``today`` and
``yesterday`` in the office zone, ``now``; one parser behind every ``--date``, ``--from``,
``--since`` and ``--until``."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from yuqing.domain import BadInput
from yuqing.time_range import parse_day, parse_moment, parse_range, parse_since

# 2024-03-05 17:30 UTC is 2024-03-06 01:30 in Shanghai: the office's day is already the 6th
NOW = datetime(2024, 3, 5, 17, 30, tzinfo=UTC)
TZ = "Asia/Shanghai"


def test_today_and_yesterday_are_days_of_the_office_zone() -> None:
    assert parse_day("today", TZ, NOW) == date(2024, 3, 6)
    assert parse_day(" Yesterday ", TZ, NOW) == date(2024, 3, 5)
    assert parse_day("today", "UTC", NOW) == date(2024, 3, 5)
    assert parse_day("2024-01-02", TZ, NOW) == date(2024, 1, 2)
    with pytest.raises(BadInput, match=r"^--date 'tomorow': expected today, yesterday or a "):
        parse_day("tomorow", TZ, NOW)


def test_now_today_and_iso_moments() -> None:
    assert parse_moment("now", TZ, NOW) == NOW
    assert parse_moment("today", TZ, NOW) == datetime(2024, 3, 5, 16, 0, tzinfo=UTC)
    assert parse_moment("yesterday", TZ, NOW) == datetime(2024, 3, 4, 16, 0, tzinfo=UTC)
    assert parse_moment("2024-03-05T08:00", TZ, NOW) == datetime(2024, 3, 5, 0, 0, tzinfo=UTC)
    with pytest.raises(BadInput, match=r"^--from 'soon': expected now, today, yesterday"):
        parse_moment("soon", TZ, NOW)


def test_since_and_until_take_the_words_too() -> None:
    assert parse_since("now", TZ, NOW) == NOW
    assert parse_since("2h", TZ, NOW) == datetime(2024, 3, 5, 15, 30, tzinfo=UTC)
    assert parse_range("today", "now", TZ, NOW) == (datetime(2024, 3, 5, 16, 0, tzinfo=UTC), NOW)
    with pytest.raises(BadInput, match=r"^--until 'later': expected 30m, 24h"):
        parse_range("24h", "later", TZ, NOW)


def test_a_day_beyond_the_calendar_we_compute_is_refused_by_name() -> None:
    """``9999-12-31`` parses, but the day after it overflows: refused like a typo."""
    with pytest.raises(BadInput, match="--date '9999-12-31'.*1970-01-01 to 2999-12-31"):
        parse_day("9999-12-31", "Asia/Shanghai")
    with pytest.raises(BadInput, match="--date '0001-01-01'"):
        parse_day("0001-01-01", "Asia/Shanghai")
    assert parse_day("2999-12-31", "Asia/Shanghai") == date(2999, 12, 31)
