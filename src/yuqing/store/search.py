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
deletes by triggers, so all writes must go through the Store) or on PostgreSQL by the
GIN index ``ix_items_search`` on :func:`pg_vector`: ``to_tsvector('simple',
search_bigrams)`` plus three time lexemes of ``published_at`` (store/pg_search.py).
A query word is turned into the same token sequence and searched as a PHRASE, so
``警察`` matches only texts containing ``警察`` contiguously. Space-separated words
are ANDed. The index only narrows the candidates: each is rechecked with a
LIKE substring test of ``match_text``, so results equal a substring scan
(the bigram phrase alone would also match across punctuation). On PostgreSQL a word
whose substring match implies the phrase (:func:`like_implies_phrase`) asks the index
for its tokens ANDed instead, which GIN answers without recomputing each candidate's
tsvector; the LIKE recheck then gives the same rows. A word that
contains a lone CJK character (``警``, ``A股``) cannot be expressed in
bigrams and is matched by a LIKE scan of ``match_text`` alone.

ASCII words match whole tokens, ignoring ASCII case: ``iphone`` finds
``iPhone 15`` but not ``iPhone15``. Queries must already be normalised like ``match_text``
(simplified, NFKC) by the caller; the store does not convert them.
"""

from __future__ import annotations

import operator
import re
from typing import Any

from sqlalchemy import ColumnElement, and_, column, func, literal_column, select, table
from sqlalchemy.dialects.postgresql import TSQUERY

from yuqing.store.tables import items

_CJK = (
    "\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
_TOKEN_RE = re.compile(rf"([{_CJK}]+)|((?:(?![{_CJK}])[^\W_])+)")
#: a letter or digit that is not CJK: a token of them may run on past a word's edge
_WORD_CHAR = re.compile(rf"(?![{_CJK}])[^\W_]")
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


def needs_like(word: str) -> bool:
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
        if needs_like(word):
            conditions.append(substring_test(word, dialect))
        elif dialect == "postgresql":
            conditions.append(and_(pg_vector().op("@@")(pg_word_query(word)),
                                   substring_test(word, dialect)))
        else:
            # The index finds candidates; LIKE rechecks them, because a phrase of
            # bigrams may also match across punctuation ("中国，国家" for "中国家").
            conditions.append(and_(_sqlite_phrase(" ".join(tokens)), substring_test(word, dialect)))
    if not conditions:
        raise ValueError(f"search query {query!r} has no letter, digit or CJK character")
    return and_(*conditions)


def substring_test(word: str, dialect: str,
                   text: ColumnElement[str] = items.c.match_text) -> ColumnElement[bool]:
    """Return a substring test of ``text`` (``match_text``; case-insensitive for ASCII on
    both backends; PostgreSQL's ILIKE, which lower-cases every text it tests, only for a
    word with cased letters)."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    if dialect == "postgresql" and word.lower() != word.upper():
        return text.ilike(pattern, escape="\\")
    return text.like(pattern, escape="\\")


def _sqlite_phrase(phrase: str) -> ColumnElement[bool]:
    """Return ``items.seq IN (FTS5 rowids matching the phrase)``."""
    fts_query = '"' + phrase.replace('"', '""') + '"'
    match = literal_column("items_fts").op("MATCH")(fts_query)
    return items.c.seq.in_(select(_fts.c.rowid).where(match))


def like_implies_phrase(word: str) -> bool:
    """True when a text containing ``word`` also holds its tokens as a phrase: the word
    neither starts nor ends with a non-CJK letter or digit (``iphone`` in ``iphone15`` is
    no token), and has no lone CJK character (a word of one has no phrase at all)."""
    return (not needs_like(word) and not _WORD_CHAR.match(word[:1])
            and not _WORD_CHAR.match(word[-1:]))


def pg_vector(bigrams: ColumnElement[str] = items.c.search_bigrams,
              published: ColumnElement[Any] = items.c.published_at) -> ColumnElement[object]:
    """Return the tsvector that the GIN index ``ix_items_search`` holds: the tokens of
    ``search_bigrams`` and the time lexemes of ``published_at`` (yq_time_lexemes,
    migration 0017_search15; no token can equal one, they begin with ``@``)."""
    tokens = func.to_tsvector(literal_column("'simple'"), bigrams)
    lexemes = func.array_to_tsvector(func.yq_time_lexemes(published))
    return tokens.op("||")(lexemes)


def pg_word_query(word: str) -> ColumnElement[object]:
    """Return the tsquery of one searchable ``word``: its tokens ANDed when a LIKE recheck
    of the word implies the phrase (GIN then answers exactly, without a recheck), else
    the phrase of its tokens."""
    tokens = " ".join(search_tokens(word))
    if like_implies_phrase(word):
        return func.plainto_tsquery(literal_column("'simple'"), tokens, type_=TSQUERY)
    return func.phraseto_tsquery(literal_column("'simple'"), tokens, type_=TSQUERY)
