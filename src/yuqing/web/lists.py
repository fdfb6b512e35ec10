"""Data of the list pages: events (``/events``) and petitions (``/petitions``, with
export), and the date range the overview and the lists take (the source-health page,
``/sources``, shows web/settings_view.py ``source_rows``).

Dates come from ``<input type="date">`` fields: ``since`` is the start of that day
and ``until`` the end of that day, both in the office zone, so ``since=until`` is
one whole day. Every filter is checked; a bad one raises the 422 of
web/query_checks.py naming it (the pages turn it into 400).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from yuqing.alerts.rules import LEVELS
from yuqing.analytics.event_report import list_events
from yuqing.cases.petitions import CHANNELS
from yuqing.config import Config
from yuqing.domain import SENTIMENTS
from yuqing.runtime.context import Context
from yuqing.web.query_checks import bad_param, choice, since_param

EVENT_ORDERS = ("heat", "last_at", "size")
LIST_PAGE = 50
#: columns of the petitions export (docs/INTERFACES.md, "JSON shapes")
PETITION_COLUMNS = ("id", "received_at", "channel", "unit", "subject", "accused",
                    "addressed_level", "responsible_level", "contact_masked", "repeat_of",
                    "cross_level", "case_id", "case_state")


@dataclass(frozen=True)
class DateRange:
    """A range of whole local days: ``since`` (inclusive) and ``until`` (exclusive) as
    aware UTC datetimes or None, and ``params``, the dates as typed (for links)."""

    since: datetime | None = None
    until: datetime | None = None
    params: dict[str, str] = field(default_factory=dict)


def date_range(since: str | None, until: str | None, tz: str,
               max_days: int | None = None) -> DateRange:
    """Return the DateRange of two date fields (``2024-03-05``; ``since`` also takes what
    ``--since`` takes: ``24h``, ``7d``); ``until`` is a date whose whole day is included.

    Raises RequestValidationError (422) naming ``since`` or ``until`` for a value that is
    not a date, for an ``until`` before ``since``, or for a range (``until`` default now)
    longer than ``max_days`` days."""
    start = since_param(since, tz)
    end = None
    if until:
        try:
            day = datetime.strptime(until.strip(), "%Y-%m-%d")
        except ValueError:
            raise bad_param("until", until, "expected a date such as 2024-03-05") from None
        end = (day + timedelta(days=1)).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)
        if start is not None and end <= start:
            raise bad_param("until", until, "the day is before since")
    if max_days is not None and start is not None and (
            (end or datetime.now(UTC)) - start > timedelta(days=max_days)):
        raise bad_param("since", since, f"the range is longer than {max_days} days")
    params = {k: v for k, v in (("since", since), ("until", until)) if v}
    return DateRange(start, end, params)


def events_page(ctx: Context, days: DateRange, *, scheme: str | None = None,
                level: str | None = None, sentiment: str | None = None, order: str = "heat",
                page: int = 0) -> list[dict[str, Any]]:
    """Return one page of events active in ``days`` (last active at or after ``since``,
    first seen before ``until``), holding an item of ``scheme`` and one of ``sentiment``,
    of ``level``, ordered by ``order`` (``heat``, ``last_at`` or ``size``, descending):
    the summaries of analytics/event_report.py ``event_summary`` plus ``negative_share``
    (0-1 of the items with a sentiment). Raises RequestValidationError naming a bad filter."""
    rows = list_events(ctx.store, since=days.since, until=days.until,
                       order=choice("order", order, EVENT_ORDERS) or "heat", limit=LIST_PAGE,
                       offset=page * LIST_PAGE, scheme=checked_scheme(ctx.config, scheme),
                       level=choice("level", level, LEVELS),
                       sentiment=choice("sentiment", sentiment, SENTIMENTS))
    for row in rows:
        counts = row["sentiment"]
        judged = sum(counts.get(s, 0) for s in SENTIMENTS)
        row["negative_share"] = counts.get("negative", 0) / judged if judged else None
    return rows


def checked_scheme(config: Config, scheme: str | None) -> str | None:
    """Return ``scheme`` when it is one of the config's schemes (any name when it has
    none), None for unset; raises RequestValidationError otherwise."""
    names = [s.name for s in config.schemes]
    return choice("scheme", scheme, names) if names else scheme or None


def petitions_page(ctx: Context, units: frozenset[str] | None, days: DateRange, *,
                   channel: str | None = None, repeats: bool = False, cross_level: bool = False,
                   limit: int = LIST_PAGE, offset: int = 0) -> list[dict[str, Any]]:
    """Return petitions of the cases of ``units`` (None: all) received in ``days``, newest
    first (store/petitions.py ``filter_petitions`` rows: contact masked, ``case_state``,
    ``case_title``). Raises RequestValidationError naming a bad ``channel``."""
    return ctx.store.petitions.listed(units=units, channel=choice("channel", channel, CHANNELS),
                                      since=days.since, until=days.until, repeats=repeats,
                                      cross_level=cross_level, limit=limit, offset=offset)


def petition_rows(rows: list[dict[str, Any]], tz: str) -> list[list[Any]]:
    """Return one export row of PETITION_COLUMNS per petition (local times)."""
    zone = ZoneInfo(tz)
    return [[r["received_at"].astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
             if c == "received_at" else r[c] for c in PETITION_COLUMNS[:-1]] + [r["case_state"]]
            for r in rows]
