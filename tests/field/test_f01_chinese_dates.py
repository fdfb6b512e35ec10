"""docs/FIELD_CASES.md F1: Chinese date formats in feeds, relative forms, no guess from today."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from yuqing.pipeline.dates import parse_published

CST = timezone(timedelta(hours=8))
FETCH = datetime(2024, 3, 5, 10, 0, tzinfo=CST)


def parse(value: str) -> tuple[datetime, list[str]]:
    return parse_published(value, tz="Asia/Shanghai", fetched_at=FETCH)


@pytest.mark.parametrize("value", ["2024/3/5 8:15:00", "2024年3月5日 08:15"])
def test_f01_feed_dates_are_read_fully(value: str) -> None:
    got, flags = parse(value)
    assert got.astimezone(CST).isoformat() == "2024-03-05T08:15:00+08:00"
    assert flags == []


@pytest.mark.parametrize(
    ("value", "expected", "flags"),
    [
        ("刚刚", "2024-03-05T10:00:00+08:00", ["date_approx"]),
        ("5分钟前", "2024-03-05T09:55:00+08:00", []),
        ("昨天 23:10", "2024-03-04T23:10:00+08:00", []),
        ("03-01 12:00", "2024-03-01T12:00:00+08:00", ["date_no_year"]),
    ],
)
def test_f01_relative_forms(value: str, expected: str, flags: list[str]) -> None:
    got, got_flags = parse(value)
    assert got.astimezone(CST).isoformat() == expected
    assert got_flags == flags


@pytest.mark.parametrize("value", ["3月5日", "周二 8:15", "2024/13/45 8:15:00", "某天上午"])
def test_f01_unparseable_is_flagged_and_uses_fetch_time(value: str) -> None:
    assert parse(value) == (FETCH.astimezone(UTC), ["date_unparsed"])
