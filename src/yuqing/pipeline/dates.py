"""Publication times from the forms Chinese sites and feeds actually use.

:func:`parse_published` never guesses from today's date: a value it cannot
read gives the fetch time plus the flag ``date_unparsed`` (docs/FIELD_CASES.md F1,
where a common parser kept the year of ``2024/3/5 8:15:00`` and invented
month and day from today). Relative forms (``刚刚``, ``5分钟前``, ``昨天 23:10``)
are read against the fetch time, in the source's time zone.

Flags returned:

* ``date_missing`` -- no value; the fetch time is used;
* ``date_unparsed`` -- a value that could not be read (or longer than
  ``MAX_DATE_CHARS``); the fetch time is used;
* ``date_approx`` -- ``刚刚`` (just now): the fetch time, approximate;
* ``date_no_year`` -- ``03-01 12:00``: the year was taken from the fetch time
  (the previous year when that would put the value after the fetch).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import dateutil.parser

_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}

# 2024-03-05T08:15:00+08:00, 2024-03-05 08:15, 2024/3/5 8:15:00, 2024年3月5日 08:15, 2024.3.5
_ABSOLUTE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:(?:\s*T\s*|\s+|(?<=日))(\d{1,2})\s*[:时]\s*(?:(\d{1,2})\s*分?)?"
    r"(?:\s*[:分]?\s*(\d{1,2})\s*秒?(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|z|UTC|GMT|[+-]\d{2}:?\d{2})?"
)
# Tue Mar 05 08:15:00 +0800 2024 (Weibo API created_at)
_WEIBO = re.compile(
    r"[A-Za-z]{3} ([A-Za-z]{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-]\d{4}) (\d{4})"
)
# Unix time in seconds (10 digits) or milliseconds (13 digits), as APIs export it
_EPOCH = re.compile(r"(\d{10})(\d{3})?")
#: a publication time later than the fetch by more than this is a wrong date
FUTURE_TOLERANCE = timedelta(days=1)
#: a value longer than this (after stripping) is no date: the longest form read, RFC 822
#: with a zone comment, is about 60 characters, and the patterns' whitespace runs cost
#: time quadratic in their length (10,000 spaces: 10 s)
MAX_DATE_CHARS = 100
_AGO = re.compile(r"(\d+)\s*(秒|分钟|小时|天)前")
_DAY_WORD = re.compile(r"(今天|昨天|前天)\s*(\d{1,2}):(\d{2})(?::(\d{2}))?")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*[-/月]\s*(\d{1,2})\s*日?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?")
_AGO_UNITS = {"秒": "seconds", "分钟": "minutes", "小时": "hours", "天": "days"}
_DAY_BACK = {"今天": 0, "昨天": 1, "前天": 2}
_JUST_NOW = frozenset({"刚刚", "刚才", "just now"})

# Two defaults differing in every date field: a field dateutil filled from a
# default (instead of the text) shows up as a difference between the runs.
_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2001, 2, 2)


@lru_cache(maxsize=64)
def _zone(name: str) -> tzinfo:
    """Return the IANA zone ``name`` (cached)."""
    return ZoneInfo(name)


def _offset(text: str | None, zone: tzinfo) -> tzinfo:
    """Return the tzinfo of an offset suffix (``Z``, ``+0800``, ``+08:00``) or ``zone``."""
    if not text:
        return zone
    if text.upper() in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone_from_minutes(sign * (int(digits[:2]) * 60 + int(digits[2:])))


@lru_cache(maxsize=64)
def timezone_from_minutes(minutes: int) -> tzinfo:
    """Return a fixed-offset tzinfo of ``minutes`` east of UTC (cached)."""
    return timezone(timedelta(minutes=minutes))


def _as_utc(naive_or_aware: datetime, zone: tzinfo) -> datetime:
    """Return an aware UTC datetime; a naive value is read in ``zone``."""
    if naive_or_aware.tzinfo is None:
        naive_or_aware = naive_or_aware.replace(tzinfo=zone)
    return naive_or_aware.astimezone(UTC)


def _int(text: str | None, default: int = 0) -> int:
    """Return ``int(text)`` or ``default`` for None/empty."""
    return int(text) if text else default


def _absolute(m: re.Match[str], zone: tzinfo) -> datetime:
    """Build the datetime of an :data:`_ABSOLUTE` match (raises ValueError on a bad field)."""
    frac = (m.group(7) or "")[:6].ljust(6, "0")
    value = datetime(
        int(m.group(1)),
        int(m.group(2)),
        int(m.group(3)),
        _int(m.group(4)),
        _int(m.group(5)),
        _int(m.group(6)),
        int(frac),
    )
    return value.replace(tzinfo=_offset(m.group(8), zone))


def _weibo(m: re.Match[str]) -> datetime:
    """Build the datetime of a Weibo ``created_at`` match (raises ValueError/KeyError)."""
    month = _MONTHS[m.group(1).lower()]
    value = datetime(
        int(m.group(7)), month, int(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(5))
    )
    return value.replace(tzinfo=_offset(m.group(6), UTC))


def _relative(text: str, local_fetch: datetime) -> tuple[datetime, list[str]] | None:
    """Read the relative forms against the fetch time in the source zone; None if not one."""
    if text.lower() in _JUST_NOW:
        return local_fetch, ["date_approx"]
    m = _AGO.fullmatch(text)
    if m:
        return local_fetch - timedelta(**{_AGO_UNITS[m.group(2)]: int(m.group(1))}), []
    m = _DAY_WORD.fullmatch(text)
    if m:
        day = local_fetch - timedelta(days=_DAY_BACK[m.group(1)])
        return day.replace(
            hour=int(m.group(2)), minute=int(m.group(3)), second=_int(m.group(4)), microsecond=0
        ), []
    m = _MONTH_DAY.fullmatch(text)
    if m:
        parts = (
            int(m.group(1)),
            int(m.group(2)),
            int(m.group(3)),
            int(m.group(4)),
            _int(m.group(5)),
        )
        value = datetime(local_fetch.year, *parts, tzinfo=local_fetch.tzinfo)
        if value > local_fetch:
            value = value.replace(year=local_fetch.year - 1)
        return value, ["date_no_year"]
    return None


def _dateutil(text: str, zone: tzinfo) -> datetime | None:
    """Parse with dateutil only when the text gives year, month and day itself."""
    try:
        a = dateutil.parser.parse(text, default=_DEFAULT_A)
        b = dateutil.parser.parse(text, default=_DEFAULT_B)
    except (ValueError, OverflowError):
        return None
    if (a.year, a.month, a.day) != (b.year, b.month, b.day):
        return None
    return _as_utc(a, zone)


def _parse_text(text: str, zone: tzinfo, fetched_at: datetime) -> tuple[datetime, list[str]] | None:
    """Return (UTC datetime, flags) for a non-empty string, or None when unreadable."""
    m = _ABSOLUTE.fullmatch(text)
    if m:
        return _absolute(m, zone).astimezone(UTC), []
    m = _WEIBO.fullmatch(text)
    if m:
        return _weibo(m).astimezone(UTC), []
    m = _EPOCH.fullmatch(text)
    if m:
        return datetime.fromtimestamp(int(m.group(1)), UTC), []
    relative = _relative(text, fetched_at.astimezone(zone))
    if relative is not None:
        return relative[0].astimezone(UTC), relative[1]
    if "," in text or text[:3].isalpha():
        try:
            return _as_utc(parsedate_to_datetime(text), zone), []
        except (TypeError, ValueError, IndexError):
            pass
    value = _dateutil(text, zone)
    return (value, []) if value is not None else None


def parse_published(
    value: str | datetime | None, *, tz: str, fetched_at: datetime
) -> tuple[datetime, list[str]]:
    """Return ``(published_at as aware UTC datetime, flags)`` for a raw date value.

    ``tz`` is the source's IANA zone, applied when the value has no offset
    (default of sources: Asia/Shanghai). ``fetched_at`` must be aware; it is
    the fallback (see module flags) and the anchor of relative forms. Forms:
    ISO 8601 with/without offset, RFC 822, Weibo ``Tue Mar 05 08:15:00 +0800
    2024``, ``2024-03-05 08:15``, ``2024/3/5 8:15:00``, ``2024年3月5日 08:15``,
    ``2024年3月5日 8时``, Unix seconds or milliseconds, ``刚刚``,
    ``N秒/分钟/小时/天前``, ``今天/昨天/前天 HH:MM``, ``MM-DD HH:MM``;
    other forms through dateutil only when they name year, month and day.
    A time more than FUTURE_TOLERANCE after ``fetched_at`` is a wrong date:
    it falls back to ``fetched_at`` with the flag ``date_future``.
    Raises ValueError for an unknown zone name or a naive ``fetched_at``.
    """
    if fetched_at.tzinfo is None:
        raise ValueError("fetched_at must be an aware datetime")
    zone = _zone(tz)
    if isinstance(value, datetime):
        return _as_utc(value, zone), []
    text = (value or "").strip()
    if not text:
        return fetched_at.astimezone(UTC), ["date_missing"]
    if len(text) > MAX_DATE_CHARS:
        return fetched_at.astimezone(UTC), ["date_unparsed"]
    try:
        parsed = _parse_text(text, zone, fetched_at)
    except (ValueError, KeyError, OverflowError):
        parsed = None
    if parsed is None:
        return fetched_at.astimezone(UTC), ["date_unparsed"]
    if parsed[0] > fetched_at + FUTURE_TOLERANCE:
        return fetched_at.astimezone(UTC), ["date_future"]
    return parsed
