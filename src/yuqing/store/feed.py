"""The web feed's SQL: the store's item filters plus the feed's own,
shaped so that a large SQLite store answers a page of the newest items fast
(benchmarks/api.py; issue 7 asks p95 <= 200 ms at 1M items). ``ItemsRepository`` runs them.

Two shapes matter (measured on 1M generated items, see README "Web app"):

- a scheme filter as ``EXISTS (item_schemes row)`` lets SQLite walk the ``published_at``
  index newest first and stop after one page (12 ms), where ``key IN (all items of the
  scheme)`` fetches and sorts every one of them (630 ms);
- a search word with many index hits (``我们``: 53k) is tested per row (``+seq IN
  (hits)``, the unary plus keeps SQLite from driving the query by the hit list), 22 ms
  instead of 260 ms; a rare word keeps the hit list as the driver (``塌陷``, 23 hits:
  0.3 ms, where walking the newest items would take seconds). The hits are counted
  first in the FTS index (11 ms for 53k).

Every other filter and every word on PostgreSQL goes through store/items.filter_items and
store/search.query_condition unchanged, so results are the same as ``store.search``.
"""

from __future__ import annotations

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

from yuqing.store.events_tables import events
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


def feed_statement(conn: Connection, filtered: Select[Any], *, query: str | None = None,
                   scheme: str | None = None, media: str | None = None, sensitive: bool = False,
                   level: str | None = None) -> Select[Any]:
    """Return ``filtered`` (SELECT items with store/items.filter_items's sentiment, since and
    source filters) narrowed by the feed's own filters, newest first.

    ``query`` already normalised like ``match_text``; ``media``: the item's media type;
    ``sensitive``: only items with a sensitive-word hit; ``level``: only items of an
    event of that level (I-IV). Raises ValueError for a query with no searchable character.
    """
    conditions: list[ColumnElement[bool]] = []
    if media:
        conditions.append(items.c.media_type == media)
    if sensitive:
        conditions.append(items.c.n_sensitive > 0)
    if level:
        conditions.append(items.c.event_id.in_(select(events.c.id).where(events.c.level == level)))
    if scheme is not None:
        conditions.append(exists().where(item_schemes.c.item_key == items.c.key,
                                         item_schemes.c.scheme == scheme))
    if query:
        conditions.extend(search_conditions(conn, conn.dialect.name, query))
    stmt = filtered.where(and_(*conditions)) if conditions else filtered
    return stmt.order_by(items.c.published_at.desc(), items.c.key.desc())


def planner_stats_stale(conn: Connection) -> bool:
    """Return whether SQLite's planner statistics of ``items`` are missing or were taken
    when the table held less than half of its rows now (compared by ``max(seq)``).

    Without them SQLite answers a sentiment or source filter of a 1M-item feed by sorting
    every matching row (2.3 s instead of 10 ms); ``ItemsRepository.refresh_planner_stats``
    runs ANALYZE then."""
    if not conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
        return True
    stat = conn.execute(select(_STAT.c.stat).where(_STAT.c.tbl == "items").limit(1)).scalar()
    rows = int(conn.execute(select(func.max(items.c.seq))).scalar() or 0)
    return stat is None or rows > 2 * int(str(stat).split()[0])
