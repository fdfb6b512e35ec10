"""Times as people type and read them: the start of a time range as typed (``--since`` of
the CLI, ``since`` of the web filters and report API) and a moment as shown in alerts,
reports and pages (:func:`local_time`); one rule for all of them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from yuqing.domain import BadInput

_RELATIVE = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str, tz: str, now: datetime | None = None) -> datetime:
    """Parse ``--since``: ``30m``, ``24h``, ``7d``, ``2w`` ago, or an ISO date/time
    (no offset = ``tz``). Returns aware UTC. Raises BadInput naming the value."""
    now = now or datetime.now(UTC)
    m = _RELATIVE.match(value.strip())
    if m:
        return now - timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(
            f"--since {value!r}: expected 30m, 24h, 7d, 2w or an ISO date such as 2024-03-05"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(tz))
    return parsed.astimezone(UTC)


def parse_range(since: str, until: str | None, tz: str,
                now: datetime | None = None) -> tuple[datetime, datetime]:
    """Return ``(start, end)`` (aware UTC) of ``since`` and ``until`` (each as
    :func:`parse_since`; ``until`` None is ``now``), as ``yuqing stats`` and the MCP
    ``get_stats`` tool take them. Raises BadInput naming a bad value or an empty range."""
    now = now or datetime.now(UTC)
    end = parse_since(until, tz, now) if until else now
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
