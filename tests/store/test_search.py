"""Tests of store/search.py: bigram tokens, and search results equal to a substring scan.

The agreement test reads real posts from shared/data/sentiment3/dev.csv
(skipped when absent) and runs on both backends through the ``store`` fixture.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from yuqing.domain import Item
from yuqing.store import Store, open_store
from yuqing.store.search import bigram_text, search_tokens

DEV_CSV = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "sentiment3" / "dev.csv"
N_TEXTS = 400


def test_tokens_are_bigrams_lone_characters_and_lowercase_words() -> None:
    assert search_tokens("交警察看iPhone 15，好") == ["交警", "警察", "察看", "iphone", "15", "好"]
    assert bigram_text("A股") == "a 股"
    assert search_tokens("，。😀 ") == []


def test_search_agrees_with_substring_scan(store: Store, make_item: Callable[..., Item]) -> None:
    if not DEV_CSV.exists():
        pytest.skip(f"{DEV_CSV} not found (shared data is not shipped with the repository)")
    with DEV_CSV.open(encoding="utf-8") as f:
        texts = [row["text"] for row, _ in zip(csv.DictReader(f), range(N_TEXTS), strict=False)]
    store.save_items([make_item(f"dev:{i}", t) for i, t in enumerate(texts)])
    rng = random.Random(7)
    queries = {"警察", "我们", "今天", "喜欢", "什么", "一个", "不是", "塌陷"}
    while len(queries) < 60:  # substrings of real posts, 2-4 characters, CJK only
        text = rng.choice(texts)
        size = rng.choice((2, 2, 3, 4))
        start = rng.randrange(max(1, len(text) - size))
        word = text[start : start + size]
        if len(word) == size and all("\u4e00" <= ch <= "\u9fff" for ch in word):
            queries.add(word)
    for query in sorted(queries):
        expected = {f"dev:{i}" for i, t in enumerate(texts) if query in t}
        got = {item.key for item in store.search(query, limit=N_TEXTS)}
        assert got == expected, query


def test_sqlite_index_matches_content_after_updates(tmp_path: Path,
                                                    make_item: Callable[..., Item]) -> None:
    """FTS5's integrity-check compares items_fts with items.search_bigrams (raises if they
    differ)."""
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        store.save_items([make_item(f"k{i}", f"第{i}条警察通报") for i in range(30)])
        store.save_items([make_item(f"k{i}", f"第{i}条更正：塌陷", is_update=True)
                          for i in range(0, 30, 3)] + [make_item("new", "新增警察")])
        with store._engines.write.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO items_fts(items_fts, rank) VALUES ('integrity-check', 1)")
        assert store.count_items(query="警察") == 21
        assert store.count_items(query="塌陷") == 10
