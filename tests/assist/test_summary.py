"""Tests of assist/summary.py: choosing the items sent, reading the citations of an answer,
and keeping only the sentences their cited items support (hand-written texts)."""

from __future__ import annotations

from event_items import FIRE, WATER, make

from yuqing.assist.summary import (
    MAX_SENTENCES,
    Sentence,
    SupportCheck,
    build_prompt,
    check_sentences,
    choose_items,
    numbered,
    split_answer,
    summary_text,
)
from yuqing.pipeline.keywords import KeywordExtractor

CHECK = SupportCheck(KeywordExtractor())
ITEMS = [make(i, text, minutes=10 * i) for i, text in enumerate(FIRE, 1)]
KEYS = {str(n): it.key for n, it in enumerate(ITEMS, 1)}


def test_citations_after_or_before_the_end_mark_belong_to_their_sentence() -> None:
    answer = ("1. 杭州地铁5号线车厢起火。[1][3]\n- 乘客已紧急疏散[2]。"
              "暂无人员伤亡【2，3】。没有引用的一句。[9] 引用编号不存在。")
    assert split_answer(answer, KEYS) == [
        ("杭州地铁5号线车厢起火。", ["w:1", "w:3"]),
        ("乘客已紧急疏散。", ["w:2"]),
        ("暂无人员伤亡。", ["w:2", "w:3"]),
        ("没有引用的一句。", [None]),
        ("引用编号不存在。", []),
    ]


def test_a_citation_may_name_a_key_or_a_range() -> None:
    assert split_answer("地铁起火[w:2, 1-3]", KEYS) == [("地铁起火", ["w:2", "w:1", "w:2",
                                                                    "w:3"])]


def test_supported_sentence_kept_unsupported_and_uncited_dropped() -> None:
    answer = ("杭州地铁5号线车厢冒出浓烟，乘客紧急疏散。[1][3]\n"
              "市长已引咎辞职并向社会公开道歉。[2]\n"
              "设备故障引发火情。\n")
    kept, dropped = check_sentences(answer, numbered(ITEMS), CHECK)
    assert kept == [Sentence("杭州地铁5号线车厢冒出浓烟，乘客紧急疏散。", ("w:1", "w:3"))]
    assert dropped == 2
    text = summary_text(kept, dropped)
    assert text.startswith("杭州地铁5号线车厢冒出浓烟，乘客紧急疏散。[w:1, w:3]")
    assert "另有2句因所引条目不支持而删除" in text


def test_support_uses_the_simplified_form_of_traditional_text() -> None:
    # item 2 is written in traditional characters: 地鐵 supports 地铁
    kept, dropped = check_sentences("地铁下午起火[2]", numbered(ITEMS), CHECK)
    assert (len(kept), dropped) == (1, 0)


def test_at_most_five_sentences_are_kept() -> None:
    answer = "".join(f"杭州地铁起火第{n}句。[1]" for n in range(MAX_SENTENCES + 2))
    kept, dropped = check_sentences(answer, numbered(ITEMS), CHECK)
    assert (len(kept), dropped) == (MAX_SENTENCES, 0)


def test_items_linked_to_cases_and_duplicates_are_never_chosen() -> None:
    dup = make("d", WATER[0], minutes=5)
    dup.duplicate_of = "w:x"
    members = [*ITEMS, dup]
    chosen = choose_items(members, withheld={"w:2"}, limit=10)
    assert [it.key for it in chosen] == ["w:1", "w:3"]


def test_over_the_limit_the_first_the_newest_and_the_most_engaged_are_chosen() -> None:
    members = [make(i, f"{FIRE[0]} {i}", minutes=i * 30, reposts=i % 7) for i in range(20)]
    chosen = [it.key for it in choose_items(members, withheld=set(), limit=6)]
    assert len(chosen) == 6 and chosen[0] == "w:0" and "w:19" in chosen
    assert "w:6" in chosen and "w:13" in chosen  # the most reposted (6 each)


def test_prompt_numbers_items_and_marks_the_last_hour() -> None:
    event = {"title": "杭州地铁火灾", "first_at": ITEMS[0].published_at.isoformat(),
             "last_at": ITEMS[-1].published_at.isoformat(), "size": 3,
             "places": {"杭州市": 3}, "media": {"weibo": 3}}
    prompt = build_prompt(event, ITEMS, "Asia/Shanghai")
    assert "[1] 2024-06-01 16:10（最近一小时） 微博 w：杭州地铁5号线" in prompt
    assert "[3] 2024-06-01 16:30（最近一小时）" in prompt
    assert "地点：杭州市3条；媒体：微博3条" in prompt
