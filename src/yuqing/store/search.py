"""Full-text search over ``items.match_text`` that also finds 2-character Chinese words.

Why bigrams: an FTS5 trigram index silently returns nothing for a
2-character term (MEASURED.md, "SQLite search"), and most Chinese keywords
are 2 characters. So each item gets a column ``search_bigrams``: its
``match_text`` cut into runs of CJK characters and runs of other letters or
digits; a CJK run becomes its overlapping character bigrams (a 1-character
run stays itself) and any other run is kept whole, lower-cased, e.g.
``"交警察看iPhone"`` -> ``"交警 警察 察看 iphone"``.

That column is indexed by SQLite FTS5 (``unicode61`` tokenizer, external
content table ``items_fts``: new rows indexed by store/items.py, updates and
deletes by triggers, so all writes must go through the Store) or on PostgreSQL by a
GIN index on ``to_tsvector('simple', search_bigrams)``. A query word is
turned into the same token sequence and searched as a PHRASE, so ``警察``
matches only texts containing ``警察`` contiguously. Space-separated words
are ANDed. The index only narrows the candidates: each is rechecked with a
LIKE substring test of ``match_text``, so results equal a substring scan
(the bigram phrase alone would also match across punctuation). A word that
contains a lone CJK character (``警``, ``A股``) cannot be expressed in
bigrams and is matched by a LIKE scan of ``match_text`` alone.

ASCII words match whole tokens, ignoring ASCII case: ``iphone`` finds
``iPhone 15`` but not ``iPhone15``. Queries must already be normalised like ``match_text``
(simplified, NFKC) by the caller; the store does not convert them.
"""

from __future__ import annotations

import operator
import re

from sqlalchemy import ColumnElement, and_, column, func, literal_column, select, table

from yuqing.store.tables import items

_CJK = (
    "\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
_TOKEN_RE = re.compile(rf"([{_CJK}]+)|((?:(?![{_CJK}])[^\W_])+)")
_fts = table("items_fts", column("rowid"))


def search_tokens(text: str) -> list[str]:
    """Return the index tokens of ``text``: CJK bigrams (lone CJK characters kept) and
    lower-cased words."""
    out: list[str] = []
    for cjk, word in _TOKEN_RE.findall(text):
        if word:
            out.append(word.lower())
        elif len(cjk) == 1:
            out.append(cjk)
        else:
            out.extend(map(operator.add, cjk, cjk[1:]))
    return out


def bigram_text(text: str) -> str:
    """Return the value of the ``search_bigrams`` column for ``text`` (tokens joined by spaces)."""
    return " ".join(search_tokens(text))


def _needs_like(word: str) -> bool:
    """True when ``word`` has a lone CJK character, which the bigram index cannot match."""
    return any(cjk and len(cjk) == 1 for cjk, _ in _TOKEN_RE.findall(word))


def query_condition(query: str, dialect: str) -> ColumnElement[bool] | None:
    """Return the WHERE condition for a normalised query on ``dialect``, or None for a blank query.

    Words are separated by white space and ANDed; words without any letter,
    digit or CJK character are ignored. Raises ValueError when the query has
    words but none of them is searchable (e.g. only punctuation).
    """
    words = query.split()
    if not words:
        return None
    conditions: list[ColumnElement[bool]] = []
    for word in words:
        tokens = search_tokens(word)
        if not tokens:
            continue
        if _needs_like(word):
            conditions.append(_like(word, dialect))
        else:
            phrase = _pg_phrase if dialect == "postgresql" else _sqlite_phrase
            # The index finds candidates; LIKE rechecks them, because a phrase of
            # bigrams may also match across punctuation ("中国，国家" for "中国家").
            conditions.append(and_(phrase(" ".join(tokens)), _like(word, dialect)))
    if not conditions:
        raise ValueError(f"search query {query!r} has no letter, digit or CJK character")
    return and_(*conditions)


def _like(word: str, dialect: str) -> ColumnElement[bool]:
    """Return a substring test of ``match_text`` (case-insensitive for ASCII on both backends)."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    if dialect == "postgresql":
        return items.c.match_text.ilike(pattern, escape="\\")
    return items.c.match_text.like(pattern, escape="\\")


def _sqlite_phrase(phrase: str) -> ColumnElement[bool]:
    """Return ``items.seq IN (FTS5 rowids matching the phrase)``."""
    fts_query = '"' + phrase.replace('"', '""') + '"'
    match = literal_column("items_fts").op("MATCH")(fts_query)
    return items.c.seq.in_(select(_fts.c.rowid).where(match))


def _pg_phrase(phrase: str) -> ColumnElement[bool]:
    """Return the tsvector phrase test that the GIN index ``ix_items_search`` serves."""
    vector = func.to_tsvector(literal_column("'simple'"), items.c.search_bigrams)
    tsquery = func.phraseto_tsquery(literal_column("'simple'"), phrase)
    return vector.op("@@")(tsquery)
