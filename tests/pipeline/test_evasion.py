"""Tests of yuqing.pipeline.evasion (folded skeleton with index maps, term variants, tables)."""

from __future__ import annotations

from yuqing.pipeline.evasion import (
    EvasionFolder,
    collapse_repeats,
    lookalike_table,
    split_table,
)


def test_fold_lowercases_folds_lookalikes_and_collapses_repeats_with_maps() -> None:
    folder = EvasionFolder()
    text = "有人CHI刀,,伤伤人 持㓂"
    folded = folder.fold(text)
    assert folded == "有人chi刀伤人持刀"
    first, last = folder.maps(text)
    assert len(first) == len(last) == len(folded)
    assert (first[6], last[6]) == (8, 9)  # 伤伤 became one 伤
    assert text[first[2] : last[4] + 1] == "CHI"
    assert text[first[-1]] == "㓂"


def test_collapse_repeats_only_touches_chinese_characters() -> None:
    assert collapse_repeats("aa持持持刀11") == ("aa持刀11", [0, 1, 2, 5, 6, 7], [0, 1, 4, 5, 6, 7])


def test_tables_say_where_they_come_from_and_hold_the_issue_examples() -> None:
    assert lookalike_table()[ord("㓂")] == "刀"
    assert lookalike_table()[ord("\u2e98")] == "扌"  # CJK RADICAL HAND
    assert lookalike_table()[ord("А")] == "a"  # Cyrillic capital A
    assert "扌寺" in split_table()["持"]
    assert split_table()["古"] == ["十口"]
    assert all(len(s) == 2 for splits in split_table().values() for s in splits)


def test_variants_of_a_four_character_term() -> None:
    variants = EvasionFolder().variants("持刀伤人")
    for spelled in ("chi刀伤人", "c刀伤人", "ch刀伤人", "扌寺刀伤人", "持dao伤人", "chidao伤人"):
        assert spelled in variants
    assert "持刀伤人" not in variants
    assert not any(v.isascii() for v in variants)  # at least one character stays


def test_variants_of_short_terms_use_no_initials_and_no_lonely_digits() -> None:
    folder = EvasionFolder()
    assert folder.variants("医闹") == ["yi闹", "匚矢闹", "医nao", "医门市"]
    assert "89年" not in folder.variants("八九年")
    assert "1党专政" in folder.variants("一党专政")
    assert folder.variants("天天向上") == []  # a repeat: the text side collapses it
    assert folder.variants("falun") == []
