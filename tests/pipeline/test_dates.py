"""Tests of yuqing.pipeline.dates.parse_published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from yuqing.pipeline.dates import MAX_DATE_CHARS, parse_published

CST = timezone(timedelta(hours=8))
FETCH = datetime(2024, 3, 5, 10, 0, tzinfo=CST)


def parse(value: str | datetime | None, tz: str = "Asia/Shanghai") -> tuple[datetime, list[str]]:
    return parse_published(value, tz=tz, fetched_at=FETCH)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05T08:15:00+08:00", datetime(2024, 3, 5, 8, 15, tzinfo=CST)),
        ("2024-03-05T00:15:00Z", datetime(2024, 3, 5, 8, 15, tzinfo=CST)),
        ("2024-03-05T08:15:00.250+0800", datetime(2024, 3, 5, 8, 15, 0, 250000, tzinfo=CST)),
        ("2024-03-05 08:15", datetime(2024, 3, 5, 8, 15, tzinfo=CST)),
        ("2024-03-05", datetime(2024, 3, 5, 0, 0, tzinfo=CST)),
        ("2024/3/5 8:15:00", datetime(2024, 3, 5, 8, 15, tzinfo=CST)),
        ("2024年3月5日 08:15", datetime(2024, 3, 5, 8, 15, tzinfo=CST)),
        ("2024年3月5日08:15", datetime(2024, 3, 5, 8, 15, tzinfo=CST)),
        ("2024年3月5日 8时15分", datetime(2024, 3, 5, 8, 15, tzinfo=CST)),
        ("Tue Mar 05 08:15:00 +0800 2024", datetime(2024, 3, 5, 8, 15, tzinfo=CST)),
        ("Tue, 05 Mar 2024 08:15:00 +0800", datetime(2024, 3, 5, 8, 15, tzinfo=CST)),
        ("Tue, 05 Mar 2024 00:15:00 GMT", datetime(2024, 3, 5, 8, 15, tzinfo=CST)),
        ("5 March 2024 08:15", datetime(2024, 3, 5, 8, 15, tzinfo=CST)),
        ("2小时前", datetime(2024, 3, 5, 8, 0, tzinfo=CST)),
        ("30秒前", datetime(2024, 3, 5, 9, 59, 30, tzinfo=CST)),
        ("今天 09:00", datetime(2024, 3, 5, 9, 0, tzinfo=CST)),
        ("前天 08:00", datetime(2024, 3, 3, 8, 0, tzinfo=CST)),
    ],
)
def test_forms(value: str, expected: datetime) -> None:
    got, flags = parse(value)
    assert got == expected
    assert got.tzinfo == UTC
    assert flags == []


def test_result_is_utc() -> None:
    got, _ = parse("2024-03-05 08:15")
    assert got.isoformat() == "2024-03-05T00:15:00+00:00"


def test_source_zone_applies_without_offset() -> None:
    got, _ = parse("2024-03-05 08:15", tz="Europe/Berlin")
    assert got == datetime(2024, 3, 5, 7, 15, tzinfo=UTC)


def test_month_day_in_the_future_goes_to_previous_year() -> None:
    got, flags = parse("12-25 12:00")
    assert got == datetime(2023, 12, 25, 12, 0, tzinfo=CST)
    assert flags == ["date_no_year"]


@pytest.mark.parametrize("value", ["March 5", "garbage", "2024-02-30 10:00", "13/45", "明天见"])
def test_unreadable_falls_back_to_fetch_time(value: str) -> None:
    assert parse(value) == (FETCH.astimezone(UTC), ["date_unparsed"])


def test_a_value_longer_than_any_date_form_is_not_read() -> None:
    assert parse("2024-03-05  08:15")[1] == []
    long = "2024-03-05" + " " * MAX_DATE_CHARS + "08:15"  # read in 10 s at 10,000 spaces
    assert parse(long) == (FETCH.astimezone(UTC), ["date_unparsed"])


@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing(value: str | None) -> None:
    assert parse(value) == (FETCH.astimezone(UTC), ["date_missing"])


def test_datetime_values() -> None:
    assert parse(datetime(2024, 3, 5, 8, 15))[0] == datetime(2024, 3, 5, 0, 15, tzinfo=UTC)
    aware = datetime(2024, 3, 5, 8, 15, tzinfo=CST)
    assert parse(aware) == (aware.astimezone(UTC), [])


def test_naive_fetch_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_published("刚刚", tz="Asia/Shanghai", fetched_at=datetime(2024, 3, 5))


def test_epoch_hours_only_and_future_dates() -> None:
    fetch = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    assert parse_published("1732900000", tz="Asia/Shanghai", fetched_at=fetch) == (
        datetime(2024, 11, 29, 17, 6, 40, tzinfo=UTC), [])
    assert parse_published("1732900000123", tz="Asia/Shanghai", fetched_at=fetch)[0] == datetime(
        2024, 11, 29, 17, 6, 40, tzinfo=UTC)
    assert parse_published("2026年11月29日 10时", tz="Asia/Shanghai", fetched_at=fetch) == (
        datetime(2026, 11, 29, 2, 0, tzinfo=UTC), [])
    assert parse_published("9999-12-31", tz="Asia/Shanghai", fetched_at=fetch) == (
        fetch,
        ["date_future"],
    )
