"""One page of the newest items matching a search on PostgreSQL, without fetching every match.

The plain statement (filters, ``ORDER BY published_at DESC, key DESC LIMIT``) makes
PostgreSQL fetch every match of a word from the GIN index, test each one and sort them:
at 5M items a search took 6.6x its time at 100k (benchmarks/growth.py, issue 15).
:func:`search_page` answers the same rows in the same order in steps, each of which
stops once the page is full:

1. the walk: the newest WALK_ROWS items passing the other filters, tested one by one
   newest first (through ``ix_items_published_at``); a common word fills the page here.
   Its share of matches foretells the word's matches in the whole table;
2. a rare word (the walk found none, or at most FEW foretold): the plain statement, read
   only if it has at most FEW matches (it stops reading after FEW + 1);
3. windows: the index asked for the matches of a few days only, through the time
   lexemes of ``ix_items_search`` (store/search.py pg_vector, migration 0017_search15):
   days ``@d``, 8-day blocks ``@w``, 64-day blocks ``@q``, at most four lexemes a window
   (a query with many ORed lexemes costs GIN more than it saves). Each window is the
   stretch just older than the last; the first spans the days that should hold twice
   the matches still missing (at the walk's rate of matches per day), each next one
   eight times as many days;
4. the rest: after MAX_WINDOWS windows, the plain statement.

Each step's matches are older than the previous step's, so the page is the first
``offset + limit`` of them in order.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Select, cast, func, literal, select
from sqlalchemy.dialects.postgresql import TSQUERY

from yuqing.store.search import (
    like_implies_phrase,
    needs_like,
    pg_vector,
    pg_word_query,
    search_tokens,
    substring_test,
)
from yuqing.store.tables import items

#: newest items tested one by one before the index is asked
WALK_ROWS = 500
#: a search foretold to have at most this many matches reads them all (step 2)
FEW = 500
#: (lexeme tag, days a lexeme spans), finest first (yq_time_lexemes)
LEVELS = (("d", 1), ("w", 8), ("q", 64))
#: lexemes ORed in one window at most
WINDOW_LEXEMES = 4
#: windows asked before the plain statement
MAX_WINDOWS = 2
#: pages ending further down than this are read with the plain statement
MAX_ROWS = 1000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ORDER = (items.c.published_at.desc(), items.c.key.desc())


def search_page(conn: Connection, base: Select[Any], query: str, limit: int,
                offset: int) -> list[Row[Any]]:
    """Return rows ``offset`` to ``offset + limit`` of ``base`` (SELECT items with the other
    filters, unordered) narrowed by the normalised ``query`` (a blank one keeps every row),
    newest first, ties by key descending. Raises ValueError for a query with words but
    no searchable character."""
    words = [w for w in query.split() if search_tokens(w)]
    if query.split() and not words:
        raise ValueError(f"search query {query!r} has no letter, digit or CJK character")
    indexed = [w for w in words if not needs_like(w)]
    likes = [substring_test(w, "postgresql") for w in words]
    matching = base.where(*_index_test(indexed), *likes)
    need = offset + limit
    if not indexed or need > MAX_ROWS:
        return list(conn.execute(matching.order_by(*_ORDER).limit(limit).offset(offset)))
    found = _walk(conn, base, words, need)
    if len(found) >= need:
        return found[offset:need]
    walked = len(found)
    if not walked or walked * _table_rows(conn) <= FEW * WALK_ROWS:
        few = _all_if_few(conn, matching, need)
        if few is not None:
            return few[offset:need]
    newest, upper, seen = _walk_span(conn, base)
    if seen < WALK_ROWS or newest is None or upper is None:  # the walk tested every item
        return found[offset:need]
    found = [r for r in found if r.published_at > upper]
    per_day = max(walked, 0.5) / max((newest - upper) / timedelta(days=1), 1 / 24)
    days = 2 * (need - len(found)) / per_day
    older, inclusive, last_day = upper, True, (upper - _EPOCH).days
    for _ in range(MAX_WINDOWS):
        lexemes, first_day = _window(last_day, days)
        # The window may reach past ``older`` into rows counted already (fewer than
        # ``need``): fetch that many more and drop them here, since a SQL bound on
        # published_at would let the planner AND the btree's whole time range in.
        stmt = base.where(*_index_test(indexed, lexemes), *likes)
        rows = conn.execute(stmt.order_by(*_ORDER).limit(need + len(found)))
        found += [r for r in rows if r.published_at < older
                  or (inclusive and r.published_at == older)][: need - len(found)]
        if len(found) >= need:
            return found[offset:need]
        older, inclusive = _EPOCH + timedelta(days=first_day), False
        last_day, days = first_day - 1, 8 * days
    return list(conn.execute(matching.order_by(*_ORDER).limit(limit).offset(offset)))


def _window(last_day: int, days: float) -> tuple[str, int]:
    """Return the tsquery text of a window of at least ``days`` days ending with day
    ``last_day`` (the coarsest lexemes needed to keep to WINDOW_LEXEMES) and its first
    day."""
    tag, span = next(((t, s) for t, s in LEVELS if days <= (WINDOW_LEXEMES - 1) * s),
                     LEVELS[-1])
    last = last_day // span
    partial = 1 if last_day % span < span - 1 else 0  # the newest block ends after last_day
    first = last - min(WINDOW_LEXEMES, math.ceil(days / span) + partial) + 1
    return " | ".join(f"'@{tag}{block}'" for block in range(first, last + 1)), first * span


def _index_test(indexed: list[str], lexemes: str | None = None) -> list[ColumnElement[bool]]:
    """Return the GIN test of every indexed word (and of the time ``lexemes``), as one
    ``@@`` so that the index intersects them; empty for no word."""
    if not indexed:
        return []
    tsquery = pg_word_query(indexed[0])
    for word in indexed[1:]:
        tsquery = tsquery.op("&&")(pg_word_query(word))
    if lexemes is not None:
        tsquery = tsquery.op("&&")(cast(literal(lexemes), TSQUERY))
    return [pg_vector().op("@@")(tsquery)]


def _walk(conn: Connection, base: Select[Any], words: list[str],
          need: int) -> list[Row[Any]]:
    """Return up to ``need`` rows, newest first, of the newest WALK_ROWS rows of ``base``
    that hold every word (LIKE, and the phrase where LIKE does not imply it)."""
    newest = (base.with_only_columns(items.c.key, items.c.published_at, items.c.match_text,
                                     items.c.search_bigrams)
              .order_by(*_ORDER).limit(WALK_ROWS).subquery("newest"))
    tests = [substring_test(w, "postgresql", newest.c.match_text) for w in words]
    tests += [pg_vector(newest.c.search_bigrams, newest.c.published_at).op("@@")(
        pg_word_query(w)) for w in words if not (needs_like(w) or like_implies_phrase(w))]
    hits = (select(newest.c.key).where(*tests)
            .order_by(newest.c.published_at.desc(), newest.c.key.desc()).limit(need)
            .subquery("hits"))
    return list(conn.execute(select(items).join(hits, hits.c.key == items.c.key)
                             .order_by(*_ORDER)))


def _walk_span(conn: Connection,
               base: Select[Any]) -> tuple[datetime | None, datetime | None, int]:
    """Return the newest and the oldest ``published_at`` of the walk's rows, and how many
    rows it had (the times are None when it had none)."""
    walked = (base.with_only_columns(items.c.published_at)
              .order_by(items.c.published_at.desc()).limit(WALK_ROWS).subquery("walked"))
    at = walked.c.published_at
    newest, oldest, rows = conn.execute(select(func.max(at), func.min(at), func.count())).one()
    return newest, oldest, int(rows)


def _all_if_few(conn: Connection, matching: Select[Any], need: int) -> list[Row[Any]] | None:
    """Return the first ``need`` rows of ``matching``, newest first, when it has at most
    FEW rows (reading no more than FEW + 1 of them), else None."""
    some = (matching.with_only_columns(items.c.key, items.c.published_at)
            .limit(FEW + 1).subquery("some"))
    ranked = (select(some.c.key, func.count().over().label("n_some"))
              .order_by(some.c.published_at.desc(), some.c.key.desc()).limit(need)
              .subquery("ranked"))
    rows = list(conn.execute(select(items, ranked.c.n_some)
                             .join(ranked, ranked.c.key == items.c.key).order_by(*_ORDER)))
    return rows if not rows or rows[0].n_some <= FEW else None


def _table_rows(conn: Connection) -> int:
    """Return the planner's count of the items (``pg_class.reltuples``; 0 before the first
    ANALYZE)."""
    return max(0, int(conn.exec_driver_sql(
        "SELECT reltuples FROM pg_class WHERE oid = 'items'::regclass").scalar() or 0))
