"""SQL aggregates over stored items for analytics and briefings (SQLite and PostgreSQL).

Every function takes a read connection and a :class:`Scope`
(a half-open time range ``[since, until)`` on ``published_at`` and an
optional scheme). Counts include near-duplicates (a repost is volume too).
Time buckets come back as UTC hour strings ``YYYY-MM-DD HH`` so callers can
roll them up into local hours or days; see analytics/stats.py. ``AnalyticsReads``
runs them as repository methods (on ``store.reports``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import ColumnElement, Connection, Select, String, and_, case, func, select

from yuqing.domain import Item
from yuqing.store.items import row_to_item
from yuqing.store.repository import Repository
from yuqing.store.tables import item_schemes, items

GroupColumn = Literal["media_type", "source", "author", "sentiment"]

#: reposts + comments + likes, NULL counted as 0
ENGAGEMENT = (func.coalesce(items.c.reposts, 0) + func.coalesce(items.c.comments, 0)
              + func.coalesce(items.c.likes, 0))


@dataclass(frozen=True)
class Scope:
    """Items published in ``[since, until)`` (aware datetimes), matching ``scheme`` if given
    and belonging to event ``event`` if given."""

    since: datetime
    until: datetime
    scheme: str | None = None
    event: str | None = None

    def __post_init__(self) -> None:
        """Raise ValueError for naive datetimes or an empty range."""
        for value in (self.since, self.until):
            if value.tzinfo is None:
                raise ValueError(f"naive datetime {value!r}: scopes need aware datetimes")
        if self.until <= self.since:
            raise ValueError(
                f"empty time range: {self.since.isoformat()} .. {self.until.isoformat()}"
            )


def as_int(value: object) -> int:
    """Return a SQL count or sum as int (NULL, from SUM over no rows, is 0)."""
    return int(cast(Any, value) or 0)


def scope_condition(scope: Scope) -> ColumnElement[bool]:
    """Return the WHERE condition selecting the items of ``scope``."""
    parts: list[ColumnElement[bool]] = [items.c.published_at >= scope.since,
                                        items.c.published_at < scope.until]
    if scope.scheme is not None:
        schemed = select(item_schemes.c.item_key).where(item_schemes.c.scheme == scope.scheme)
        parts.append(items.c.key.in_(schemed))
    if scope.event is not None:
        parts.append(items.c.event_id == scope.event)
    return and_(*parts)


def _hour_bucket(dialect: str) -> ColumnElement[Any]:
    """Return the SQL expression of an item's UTC hour as text ``YYYY-MM-DD HH``."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", items.c.published_at), "YYYY-MM-DD HH24")
    # SQLite stores UTC wall time as 'YYYY-MM-DD HH:MM:SS.ffffff' (store/items.py)
    return func.substr(items.c.published_at, 1, 13, type_=String)


def totals(conn: Connection, scope: Scope) -> dict[str, int]:
    """Return ``{"items", "negative", "sensitive", "duplicates", "engagement"}`` counts of
    ``scope``.

    ``engagement`` is the sum of reposts + comments + likes.
    """
    one = 1
    stmt = select(
        func.count(),
        func.sum(case((items.c.sentiment == "negative", one), else_=0)),
        func.sum(case((items.c.n_sensitive > 0, one), else_=0)),
        func.sum(case((items.c.duplicate_of.is_not(None), one), else_=0)),
        func.sum(ENGAGEMENT),
    ).where(scope_condition(scope))
    row = conn.execute(stmt).one()
    names = ("items", "negative", "sensitive", "duplicates", "engagement")
    return {name: as_int(value) for name, value in zip(names, row, strict=True)}


def hourly_sentiment(conn: Connection, scope: Scope) -> list[tuple[str, str | None, int]]:
    """Return ``(utc_hour, sentiment, count)`` rows of ``scope``, ordered by hour.

    ``utc_hour`` is ``YYYY-MM-DD HH`` in UTC; ``sentiment`` is None for items
    the sentiment stage did not label.
    """
    hour = _hour_bucket(conn.dialect.name).label("hour")
    stmt = (select(hour, items.c.sentiment, func.count()).where(scope_condition(scope))
            .group_by(hour, items.c.sentiment).order_by(hour))
    return [(str(h), None if s is None else str(s), as_int(n)) for h, s, n in conn.execute(stmt)]


def counts_by(conn: Connection, scope: Scope, column: GroupColumn,
              limit: int | None = None) -> list[tuple[str, int, int]]:
    """Return ``(value, items, engagement)`` per value of ``column``, most items first.

    NULL and empty values are left out (an item without an author is not an
    account). Ties are broken by value, so the order is stable.
    """
    col = items.c[column]
    n = func.count().label("n")
    stmt: Select[Any] = (select(col, n, func.sum(ENGAGEMENT))
                         .where(scope_condition(scope), col.is_not(None), col != "")
                         .group_by(col).order_by(n.desc(), col))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [(str(v), as_int(c), as_int(e)) for v, c, e in conn.execute(stmt)]


def place_counts(conn: Connection, scope: Scope, limit: int | None = None) -> list[tuple[str, int]]:
    """Return ``(place, items)`` from the ``places`` arrays of ``scope``, most items first."""
    if conn.dialect.name == "postgresql":
        each = func.jsonb_array_elements_text(items.c.places).table_valued("value")
    else:
        each = func.json_each(items.c.places).table_valued("value")
    place = each.c.value
    n = func.count().label("n")
    stmt: Select[Any] = (select(place, n).select_from(items).join(each, place.is_not(None))
                         .where(scope_condition(scope)).group_by(place).order_by(n.desc(), place))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [(str(p), as_int(c)) for p, c in conn.execute(stmt)]


def match_texts(conn: Connection, scope: Scope | None, limit: int, step: int = 1) -> list[str]:
    """Return the ``match_text`` of up to ``limit`` items of ``scope`` (the whole store when
    None), newest first; with ``step`` > 1 only every step-th stored row (by ``seq``), an
    even sample of a large range."""
    stmt = select(items.c.match_text)
    if step > 1:
        stmt = stmt.where(items.c.seq % step == 0)
    if scope is not None:
        stmt = stmt.where(scope_condition(scope)).order_by(items.c.published_at.desc())
    else:
        stmt = stmt.order_by(items.c.seq.desc())
    return [str(t) for (t,) in conn.execute(stmt.limit(limit))]


def count_in(conn: Connection, scope: Scope) -> int:
    """Return the number of items of ``scope``."""
    return int(conn.scalar(select(func.count()).where(scope_condition(scope))) or 0)


def count_all(conn: Connection) -> int:
    """Return the number of stored items."""
    return int(conn.scalar(select(func.count()).select_from(items)) or 0)


def top_items(conn: Connection, scope: Scope, limit: int, *,
              sentiments: Sequence[str] = (), sensitive_only: bool = False,
              originals_only: bool = True) -> list[Item]:
    """Return up to ``limit`` items of ``scope`` with the most engagement, then newest.

    ``sentiments`` keeps only those labels (all when empty); ``sensitive_only``
    keeps items with a sensitive term; ``originals_only`` drops near-duplicates.
    """
    conditions: list[ColumnElement[bool]] = [scope_condition(scope)]
    if sentiments:
        conditions.append(items.c.sentiment.in_(list(sentiments)))
    if sensitive_only:
        conditions.append(items.c.n_sensitive > 0)
    if originals_only:
        conditions.append(items.c.duplicate_of.is_(None))
    stmt = (select(items).where(*conditions)
            .order_by(ENGAGEMENT.desc(), items.c.published_at.desc(), items.c.key).limit(limit))
    return [row_to_item(r._mapping) for r in conn.execute(stmt)]


class AnalyticsReads(Repository):
    """The aggregates above as repository methods (each opens its own read connection,
    or shares a snapshot's); ``ReportsRepository`` has them."""

    def totals(self, scope: Scope) -> dict[str, int]:
        """Return ``{"items", "negative", "sensitive", "duplicates", "engagement"}`` of
        ``scope`` (see ``totals``)."""
        with self._read() as conn:
            return totals(conn, scope)

    def hourly_sentiment(self, scope: Scope) -> list[tuple[str, str | None, int]]:
        """Return ``(utc_hour "YYYY-MM-DD HH", sentiment or None, count)`` rows of
        ``scope``, by hour."""
        with self._read() as conn:
            return hourly_sentiment(conn, scope)

    def counts_by(self, scope: Scope, column: GroupColumn,
                  limit: int | None = None) -> list[tuple[str, int, int]]:
        """Return ``(value, items, engagement)`` per value of ``column``, most items first."""
        with self._read() as conn:
            return counts_by(conn, scope, column, limit)

    def place_counts(self, scope: Scope, limit: int | None = None) -> list[tuple[str, int]]:
        """Return ``(place, items)`` of ``scope``, most items first."""
        with self._read() as conn:
            return place_counts(conn, scope, limit)

    def count_in(self, scope: Scope) -> int:
        """Return the number of items of ``scope``."""
        with self._read() as conn:
            return count_in(conn, scope)

    def match_texts(self, scope: Scope | None, limit: int, step: int = 1) -> list[str]:
        """Return up to ``limit`` ``match_text`` of ``scope`` (whole store when None),
        newest first; every ``step``-th stored row only when ``step`` > 1."""
        with self._read() as conn:
            return match_texts(conn, scope, limit, step)

    def top_items(self, scope: Scope, limit: int, *, sentiments: Sequence[str] = (),
                  sensitive_only: bool = False, originals_only: bool = True) -> list[Item]:
        """Return up to ``limit`` items of ``scope`` with the most engagement, then newest
        (filters of ``top_items``)."""
        with self._read() as conn:
            return top_items(conn, scope, limit, sentiments=sentiments,
                             sensitive_only=sensitive_only, originals_only=originals_only)
