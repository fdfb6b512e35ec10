"""The feed's SQL: the store's item filters, shaped so that a large SQLite store answers a page
of the newest items fast (benchmarks/api.py; issue 7 asks p95 <= 200 ms at 1M items).

Two shapes matter (measured on 1M generated items, see README "Web app"):

- a scheme filter as ``EXISTS (item_schemes row)`` lets SQLite walk the ``published_at``
  index newest first and stop after one page (12 ms), where ``key IN (all items of the
  scheme)`` fetches and sorts every one of them (630 ms);
- a search word with many index hits (``我们``: 53k) is tested per row (``+seq IN
  (hits)``, the unary plus keeps SQLite from driving the query by the hit list), 22 ms
  instead of 260 ms; a rare word keeps the hit list as the driver (``塌陷``, 23 hits:
  0.3 ms, where walking the newest items would take seconds). The hits are counted
  first in the FTS index (11 ms for 53k).

Every other filter and every word on PostgreSQL goes through store/items.filter_items
and store/search.query_condition unchanged, so results are the same as ``store.search``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    column,
    exists,
    func,
    literal_column,
    select,
    table,
)

from yuqing.store.items import filter_items
from yuqing.store.search import query_condition, search_tokens
from yuqing.store.tables import item_schemes, items

_FTS = table("items_fts", column("rowid"))
_STAT = table("sqlite_stat1", column("tbl"), column("stat"))
#: above this many FTS hits for a word, walk the newest items instead of fetching every hit
SCAN_ABOVE = 5000


def _phrase(word: str) -> str | None:
    """Return the FTS5 phrase of ``word`` (its bigram tokens), or None when the bigram
    index cannot express it (no tokens, or a lone CJK character)."""
    tokens = search_tokens(word)
    if not tokens or any(len(t) == 1 and not t.isascii() for t in tokens):
        return None
    return '"' + " ".join(tokens).replace('"', '""') + '"'


def _fts_hits(conn: Connection, phrase: str) -> int:
    """Return how many rows of the FTS index match ``phrase``."""
    return int(conn.exec_driver_sql("SELECT count(*) FROM items_fts WHERE items_fts MATCH ?",
                                    (phrase,)).scalar() or 0)


def _scan_condition(phrase: str, word: str) -> ColumnElement[bool]:
    """Return the per-row test of a frequent word: ``+seq IN (FTS hits)`` and the LIKE recheck."""
    hits = select(_FTS.c.rowid).where(literal_column("items_fts").op("MATCH")(phrase))
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return and_(literal_column("+items.seq").in_(hits),
                items.c.match_text.like(f"%{escaped}%", escape="\\"))


def search_conditions(conn: Connection, dialect: str, query: str) -> list[ColumnElement[bool]]:
    """Return one WHERE condition per word of the normalised ``query`` (ANDed by the caller).

    Raises ValueError (from store/search.py) for a query with no searchable character.
    """
    out: list[ColumnElement[bool]] = []
    for word in query.split():
        phrase = _phrase(word) if dialect == "sqlite" else None
        if phrase is not None and _fts_hits(conn, phrase) > SCAN_ABOVE:
            out.append(_scan_condition(phrase, word))
            continue
        found = query_condition(word, dialect)
        if found is not None:
            out.append(found)
    if query.split() and not out:
        raise ValueError(f"search query {query!r} has no letter, digit or CJK character")
    return out


def feed_statement(conn: Connection, dialect: str, *, query: str | None,
                   scheme: str | None, extra: Sequence[ColumnElement[bool]],
                   **filters: Any) -> Select[Any]:
    """Return SELECT items with every filter (``filters``: sentiment, since, source of
    filter_items), newest first; ``query`` already normalised like ``match_text``."""
    stmt = filter_items(select(items), dialect, **filters)
    conditions = list(extra)
    if scheme is not None:
        conditions.append(exists().where(item_schemes.c.item_key == items.c.key,
                                         item_schemes.c.scheme == scheme))
    if query:
        conditions.extend(search_conditions(conn, dialect, query))
    if conditions:
        stmt = stmt.where(and_(*conditions))
    return stmt.order_by(items.c.published_at.desc(), items.c.key.desc())


def planner_stats_stale(conn: Connection) -> bool:
    """Return whether SQLite's planner statistics of ``items`` are missing or were taken
    when the table held less than half of its rows now (compared by ``max(seq)``)."""
    if not conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
        return True
    stat = conn.execute(select(_STAT.c.stat).where(_STAT.c.tbl == "items").limit(1)).scalar()
    rows = int(conn.execute(select(func.max(items.c.seq))).scalar() or 0)
    return stat is None or rows > 2 * int(str(stat).split()[0])


def refresh_planner_stats(store: Any) -> bool:
    """On SQLite, run ANALYZE when the statistics are stale (planner_stats_stale); return
    whether it ran. Without them SQLite answers a sentiment or source filter of a 1M-item
    feed by sorting every matching row (2.3 s instead of 10 ms); ANALYZE takes about 4 s
    at 1M items and holds the write lock meanwhile, so call it off the request path."""
    if store.dialect != "sqlite":
        return False
    with store.read() as conn:
        if not planner_stats_stale(conn):
            return False
    with store.write() as conn:
        conn.exec_driver_sql("ANALYZE")
    return True
