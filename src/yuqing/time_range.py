"""Times as people type and read them: a day, a moment and the start of a time range as
typed (``--date``, ``--from``, ``--since``/``--until`` of the CLI, ``since`` of the web
filters and report API; the words ``now``, ``today``, ``yesterday`` in the office zone) and
a moment as shown in alerts, reports and pages (:func:`local_time`); one rule for all of
them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from yuqing.domain import BadInput

_RELATIVE = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


#: the words a date or time may be typed as (besides ISO 8601), in the office zone
DAY_WORDS = {"today": 0, "yesterday": 1}
NOW = "now"


#: the days a date argument may name (a report of a day needs the day after it too)
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2999, 12, 31)


def parse_day(value: str, tz: str | tzinfo, now: datetime | None = None, *,
              flag: str = "--date") -> date:
    """Parse a day as typed (``--date``): ``today``, ``yesterday`` (in zone ``tz``, at
    ``now``, default the current time) or ``YYYY-MM-DD``. Raises BadInput naming ``flag``
    and the value."""
    word = value.strip().lower()
    if word in DAY_WORDS:
        zone = ZoneInfo(tz) if isinstance(tz, str) else tz
        local = (now or datetime.now(UTC)).astimezone(zone).date()
        return local - timedelta(days=DAY_WORDS[word])
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        raise BadInput(f"{flag} {value!r}: expected today, yesterday or a date such as "
                       f"2024-03-05, from {FIRST_DAY} to {LAST_DAY}") from None
    return day


def parse_moment(value: str, tz: str | tzinfo, now: datetime | None = None, *,
                 flag: str = "--from") -> datetime:
    """Parse a moment as typed (``--from``, ``--until``): ``now``, ``today`` /
    ``yesterday`` (that day's 00:00 in zone ``tz``) or an ISO date/time (no offset =
    ``tz``). Returns aware UTC. Raises BadInput naming ``flag`` and the value."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    now = now or datetime.now(UTC)
    word = value.strip().lower()
    if word == NOW:
        return now.astimezone(UTC)
    if word in DAY_WORDS:
        day = now.astimezone(zone).date() - timedelta(days=DAY_WORDS[word])
        return datetime.combine(day, datetime.min.time(), zone).astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(f"{flag} {value!r}: expected now, today, yesterday or an ISO date/time "
                       "such as 2024-03-05 or 2024-03-05T08:00") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def parse_since(value: str, tz: str, now: datetime | None = None, *,
                flag: str = "--since") -> datetime:
    """Parse ``--since`` (and ``--until``): ``30m``, ``24h``, ``7d``, ``2w`` ago, or a
    moment as :func:`parse_moment` reads it (``now``, ``today``, ``yesterday``, an ISO
    date/time; no offset = ``tz``). Returns aware UTC. Raises BadInput naming ``flag``
    and the value."""
    now = now or datetime.now(UTC)
    m = _RELATIVE.match(value.strip())
    if m:
        return now - timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
    try:
        return parse_moment(value, tz, now, flag=flag)
    except BadInput:
        raise BadInput(f"{flag} {value!r}: expected 30m, 24h, 7d, 2w, now, today, yesterday "
                       "or an ISO date such as 2024-03-05") from None


def parse_range(since: str, until: str | None, tz: str,
                now: datetime | None = None) -> tuple[datetime, datetime]:
    """Return ``(start, end)`` (aware UTC) of ``since`` and ``until`` (each as
    :func:`parse_since`; ``until`` None is ``now``), as ``yuqing stats`` and the MCP
    ``get_stats`` tool take them. Raises BadInput naming a bad value or an empty range."""
    now = now or datetime.now(UTC)
    end = parse_since(until, tz, now, flag="--until") if until else now
    start = parse_since(since, tz, now)
    if end <= start:
        raise BadInput(f"--since {since!r} / --until {until!r}: the range is empty")
    return start, end


#: what :func:`local_time` writes (to check a time echoed back through a URL)
LOCAL_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d \([+-]\d\d:\d\d\)")


def local_time(when: datetime, tz: str | tzinfo) -> str:
    """Return the aware ``when`` as people read it in zone ``tz`` (an IANA name or a
    tzinfo), with the offset: ``2023-11-15 06:13 (+08:00)`` (docs/FIELD_CASES.md F20.11).
    Used by every alert, report and page that shows a moment."""
    local = when.astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz)
    offset = local.strftime("%z")  # +0800
    return f"{local:%Y-%m-%d %H:%M} ({offset[:3]}:{offset[3:5]})"
