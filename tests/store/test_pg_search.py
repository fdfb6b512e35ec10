"""Tests of store/pg_search.py: every step of the newest-first search gives the rows and
order of the plain statement (and of a substring scan), on both backends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from yuqing.domain import Item
from yuqing.store import Store, pg_search
from yuqing.store.items import filter_items
from yuqing.store.tables import items

WORDS = ("警察", "野生动物", "塌陷", "地震", "通报 警察", "警", "iphone")


def _texts(i: int) -> str:
    """Return the text of item ``i``: 警察 in most, 野生动物 in every 7th, 塌陷 in every
    53rd, 地震 in every 131st, an iPhone word in every 5th (whole in even ones, run on in
    odd ones)."""
    parts = ["今天警察通报" if i % 3 else "今天通报天气"]
    if i % 7 == 0:
        parts.append("野生动物保护")
    if i % 53 == 0:
        parts.append("道路塌陷")
    if i % 131 == 0:
        parts.append("发生地震")
    if i % 5 == 0:
        parts.append("iPhone 发布" if i % 2 == 0 else "iPhone15发布")
    return "，".join(parts)


@pytest.fixture
def spread(store: Store, make_item: Callable[..., Item],
           monkeypatch: pytest.MonkeyPatch) -> dict[str, datetime]:
    """Store 400 items over about 330 days (pairs share a publication time, to test ties),
    with a walk of 8 rows and FEW of 4, so that every step runs; return their times."""
    monkeypatch.setattr(pg_search, "WALK_ROWS", 8)
    monkeypatch.setattr(pg_search, "FEW", 4)
    batch = [make_item(f"s:{i:03d}", _texts(i), minutes=(i // 2) * 2400,
                       sentiment="negative" if i % 4 == 0 else "neutral") for i in range(400)]
    store.save_items(batch)
    if store.dialect == "postgresql":  # the row count that foretells a word's matches
        with store._engines.write.begin() as conn:
            conn.exec_driver_sql("ANALYZE items")
    return {it.key: it.published_at for it in batch}


def _expected(spread: dict[str, datetime], query: str) -> list[str]:
    """Return the keys a substring scan finds for a CJK ``query``, newest first."""
    texts = {key: _texts(int(key[2:])) for key in spread}
    hits = [k for k in spread if all(w in texts[k] for w in query.split())]
    return sorted(hits, key=lambda k: (spread[k], k), reverse=True)


@pytest.mark.parametrize("query", WORDS[:6])
@pytest.mark.parametrize(("limit", "offset"), [(50, 0), (10, 30), (3, 0)])
def test_pages_equal_a_substring_scan(store: Store, spread: dict[str, datetime], query: str,
                                      limit: int, offset: int) -> None:
    want = _expected(spread, query)[offset : offset + limit]
    assert [it.key for it in store.items.feed(query=query, limit=limit, offset=offset)] == want
    assert [it.key for it in store.search(query, limit=limit, offset=offset)] == want


@pytest.mark.parametrize("query", WORDS)
def test_steps_equal_the_plain_statement(store: Store, spread: dict[str, datetime],
                                         query: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """ASCII words match whole tokens (``iPhone 15`` but not ``iPhone15``) as before."""
    if store.dialect != "postgresql":
        pytest.skip("store/pg_search.py runs on PostgreSQL only")
    with store.read() as conn:
        base = filter_items(select(items), "postgresql", sentiment=None)
        got = [r.key for r in pg_search.search_page(conn, base, query, 40, 5)]
        monkeypatch.setattr(pg_search, "MAX_ROWS", 0)
        plain = [r.key for r in pg_search.search_page(conn, base, query, 40, 5)]
    assert got == plain
    if query == "iphone":
        assert got and all(int(k[2:]) % 10 == 0 for k in got)


def test_other_filters_and_blank_or_bad_queries(store: Store,
                                                spread: dict[str, datetime]) -> None:
    want = [k for k in _expected(spread, "警察") if int(k[2:]) % 4 == 0][:20]
    got = store.items.feed(query="警察", sentiment="negative", limit=20)
    assert [it.key for it in got] == want
    since = spread["s:394"]  # fewer items than the walk takes: it tests them all
    want = [k for k in _expected(spread, "警察") if spread[k] >= since]
    assert [it.key for it in store.items.feed(query="警察", since=since, limit=20)] == want
    assert len(store.items.feed(query="  ", limit=7)) == 7
    with pytest.raises(ValueError):
        store.items.feed(query="，。", limit=5)


def test_time_lexemes_match_the_days_python_counts(store: Store) -> None:
    if store.dialect != "postgresql":
        pytest.skip("yq_time_lexemes exists on PostgreSQL only")
    times = [datetime(2025, 6, 13, 23, 59, 59, 999999, tzinfo=UTC),
             datetime(2025, 6, 14, tzinfo=UTC), datetime(1969, 12, 31, 12, tzinfo=UTC)]
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    with store.read() as conn:
        for at in times:
            got = conn.execute(text("SELECT yq_time_lexemes(:at)"), {"at": at}).scalar()
            day = (at - epoch).days
            assert got == [f"@d{day}", f"@w{day // 8}", f"@q{day // 64}"]


def test_windows_keep_to_four_lexemes_and_cover_the_days_asked() -> None:
    for days in (0.2, 1, 3, 4, 20, 30, 100, 250, 5000):
        lexemes, first = pg_search._window(20252, days)
        assert 1 <= lexemes.count("'@") <= 4
        assert 20252 - first + 1 >= min(days, 193)
    assert pg_search._window(20252, 1) == ("'@d20252'", 20252)
