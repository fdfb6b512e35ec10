"""Tests of yuqing.pipeline.sensitive (lexicons, one automaton, skeleton matching, spans)."""

from __future__ import annotations

import csv
import importlib.util
from datetime import UTC, datetime
from pathlib import Path

import pytest

from yuqing.config import Config, LexiconConfig
from yuqing.domain import Item, TermHit
from yuqing.pipeline.base import StageUnavailable
from yuqing.pipeline.sensitive import (
    SensitiveMatcher,
    Term,
    builtin_lexicon_path,
    read_lexicon,
    skeleton,
)
from yuqing.pipeline.textnorm import normalize_text

NOW = datetime(2024, 3, 5, tzinfo=UTC)
BUILTINS = ("violence", "weapons", "corruption", "livelihood", "politics", "incidents")
DEV = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "sentiment3" / "dev.csv"


def make_item(text: str) -> Item:
    return Item(key=f"t:{text}", source="t", text=text, match_text=text,
                offsets=list(range(len(text))), published_at=NOW, fetched_at=NOW)


def spans(matcher: SensitiveMatcher, text: str) -> list[tuple[str, int, int]]:
    return [(t.term, s, e) for t, s, e in matcher.find(text)]


def test_read_lexicon_columns_comments_and_bad_weight(tmp_path: Path) -> None:
    path = tmp_path / "lex.txt"
    path.write_text("# 注释\n假疫苗\n强拆\tlivelihood\t2.5\n\n坏行\tx\theavy\n", encoding="utf-8")
    terms, problems = read_lexicon(path, "default")
    assert terms == [Term("假疫苗", "default"), Term("强拆", "livelihood", 2.5)]
    assert problems == [f"{path}:5: weight 'heavy' is not a number"]


def test_missing_lexicon_names_the_path(tmp_path: Path) -> None:
    # a config file naming it is refused at load (tests/test_config.py); built in code it is not
    cfg = Config(lexicons=[LexiconConfig(path="gone.txt")], base_dir=tmp_path)
    with pytest.raises(StageUnavailable, match=r"gone\.txt"):
        SensitiveMatcher.from_config(cfg)
    with pytest.raises(StageUnavailable, match="no terms"):
        SensitiveMatcher([])


def test_builtin_lexicons_load_with_their_categories() -> None:
    m = SensitiveMatcher.from_lexicons([LexiconConfig(path=f"builtin:{n}") for n in BUILTINS])
    assert {t.category for t in m.terms} == set(BUILTINS)
    assert all(len(t.term) > 1 for t in m.terms)
    assert (builtin_lexicon_path("violence").parent / "LICENSE").exists()
    assert [(t.term, t.category) for t, _, _ in m.find("强制拆除，有人贪污，出售炸药")] == [
        ("强制拆除", "politics"), ("贪污", "corruption"), ("出售炸药", "weapons")]
    # our own incidents list: what a school or hospital office must hear of at once
    assert [
        (t.term, t.category) for t, _, _ in m.find("校门口发生持 刀 伤 人事件；食堂食物中毒")
    ] == [("持刀伤人", "incidents"), ("食物中毒", "incidents")]


def test_first_lexicon_wins_and_allow_list_suppresses(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("爆炸\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("爆炸\n拆迁\n", encoding="utf-8")
    m = SensitiveMatcher.from_lexicons(
        [LexiconConfig(path="a.txt", category="weapons"),
         LexiconConfig(path="b.txt", category="livelihood", allow=["拆迁办公室"])], tmp_path)
    assert [(t.term, t.category) for t, _, _ in m.find("爆炸，拆迁")] == [
        ("爆炸", "weapons"), ("拆迁", "livelihood")]
    assert spans(m, "请联系拆迁办公室，拆迁") == [("拆迁", 9, 11)]


def test_latin_terms_match_whole_words_only() -> None:
    m = SensitiveMatcher([Term("tnt", "weapons")])
    assert spans(m, "tnt 炸药") == [("tnt", 0, 3)]
    assert spans(m, "stnt2 和 tnts") == []
    assert spans(m, "买tnt了") == [("tnt", 1, 4)]


def test_skeleton_offsets() -> None:
    assert skeleton("假 疫.苗。好") == ("假疫苗。好", [0, 2, 4, 5, 6])


def test_sentence_end_and_long_gaps_break_a_skeleton_hit() -> None:
    m = SensitiveMatcher([Term("假疫苗", "x")])
    assert spans(m, "真假。疫苗") == []
    assert spans(m, "假 ...... 疫苗") == []
    assert spans(m, "假**疫苗") == [("假疫苗", 0, 5)]


def test_spans_are_in_the_original_text_through_offsets() -> None:
    m = SensitiveMatcher([Term("kg假疫苗", "x")], normalize=str.lower)
    item = Item(key="k", source="t", text="约㎏假疫苗", match_text="约kg假疫苗",
                offsets=[0, 1, 1, 2, 3, 4], published_at=NOW, fetched_at=NOW)
    m.process([item])
    assert item.sensitive_terms == [TermHit("kg假疫苗", "x", 1, 5)]
    assert item.text[1:5] == "㎏假疫苗"


def test_stage_skips_rejected_items() -> None:
    m = SensitiveMatcher([Term("假疫苗", "x")])
    items = [make_item("假疫苗"), make_item("假疫苗")]
    items[1].rejected = "duplicate"
    m.process(items)
    assert m.name == "sensitive"
    assert [h.as_dict() for h in items[0].sensitive_terms] == [
        {"term": "假疫苗", "category": "x", "start": 0, "end": 3}]
    assert items[1].sensitive_terms == []


def test_false_positive_rate_on_ordinary_posts_is_low() -> None:
    if not DEV.exists():
        pytest.skip(f"{DEV} absent (research data lives next to the repo)")
    m = SensitiveMatcher.from_lexicons([LexiconConfig(path=f"builtin:{n}") for n in BUILTINS])
    with DEV.open(encoding="utf-8") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    flagged = sum(1 for t in texts if m.find(t))
    assert flagged / len(texts) < 0.01


def builtin_matcher(evasion: bool = True) -> SensitiveMatcher:
    return SensitiveMatcher.from_lexicons(
        [LexiconConfig(path=f"builtin:{n}") for n in BUILTINS],
        normalize=lambda word: normalize_text(word)[0], evasion=evasion)


def pipeline_hits(matcher: SensitiveMatcher, raw: str) -> list[tuple[str, str]]:
    """(term, original text of the hit) after the pipeline's own normalisation."""
    match_text, offsets = normalize_text(raw)
    item = Item(key="k", source="t", text=raw, match_text=match_text, offsets=offsets,
                published_at=NOW, fetched_at=NOW)
    matcher.process([item])
    return [(h.term, raw[h.start:h.end]) for h in item.sensitive_terms]


@pytest.mark.parametrize(("raw", "expected"), [
    ("有人chi刀伤人", [("持刀伤人", "chi刀伤人")]),  # pinyin syllable (issue 19)
    ("医院发生yi闹", [("医闹", "yi闹")]),
    ("持㓂伤人", [("持刀伤人", "持㓂伤人")]),  # look-alike character
    ("有人c刀伤人", [("持刀伤人", "c刀伤人")]),  # pinyin initial
    ("扌寺刀伤人", [("持刀伤人", "扌寺刀伤人")]),  # character split into two parts
    ("持持刀刀伤人", [("持刀伤人", "持持刀刀伤人")]),  # repeated characters
    ("持😀刀😀伤😀人", [("持刀伤人", "持😀刀😀伤😀人")]),  # emoji between characters
    ("有人ＣＨＩ刀傷人！", [("持刀伤人", "ＣＨＩ刀傷人")]),  # full-width, upper case, traditional
    ("坚持yi党专政", [("一党专政", "yi党专政")]),
    ("反对1党专政", [("一党专政", "1党专政")]),  # digit for a Chinese numeral
])
def test_evasions_are_caught_with_spans_in_the_original_text(
    raw: str, expected: list[tuple[str, str]]
) -> None:
    assert pipeline_hits(builtin_matcher(), raw) == expected
    if raw != "持😀刀😀伤😀人":  # separators alone were already handled (F11)
        plain = pipeline_hits(builtin_matcher(evasion=False), raw)
        assert not set(plain) & set(expected)


@pytest.mark.parametrize("raw", [
    "T_T考试没考好",  # T is not the initial of 替 here (替考试)
    "点解D死人私家车",  # Cantonese D, not 打 (打死人)
    "我89年出生，不算老",  # not 八九年
    "天天向上，好好学习",
    "学校组织消防演练",
])
def test_ordinary_text_is_not_taken_for_an_evasion(raw: str) -> None:
    assert pipeline_hits(builtin_matcher(), raw) == []


def test_a_longer_evasion_replaces_the_plain_hit_it_covers_but_a_repeat_alone_does_not() -> None:
    m = SensitiveMatcher([Term("持刀", "x"), Term("持刀伤人", "x"), Term("识", "x")])
    assert spans(m, "持持刀刀伤人") == [("持刀伤人", 0, 6)]
    assert spans(m, "识识") == [("识", 0, 1), ("识", 1, 2)]


def test_evasion_aware_matching_adds_few_flags_on_ordinary_posts() -> None:
    if not DEV.exists():
        pytest.skip(f"{DEV} absent (research data lives next to the repo)")
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "sensitive_evasion.py"
    spec = importlib.util.spec_from_file_location("sensitive_evasion", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    doc = bench.measure(DEV)
    assert doc["n"] == 3783
    assert doc["before"]["share_pct"] < 1.0
    assert doc["rise_points"] <= 0.2  # issue 19 bound
