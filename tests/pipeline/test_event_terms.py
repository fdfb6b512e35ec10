"""Tests of pipeline/event_terms.py: clustering terms and online IDF."""

from __future__ import annotations

import math

import ahocorasick_rs as acrs
import pytest

from yuqing.pipeline.event_background import background_df
from yuqing.pipeline.event_terms import (
    DocumentFrequency,
    item_terms,
    pack,
    read_synonyms,
    replace_matches,
    synonym_writer,
    unpack,
)
from yuqing.pipeline.textnorm import normalize_text


def test_traditional_and_simplified_share_their_terms() -> None:
    simp = item_terms(normalize_text("杭州地铁发生火灾")[0])
    trad = item_terms(normalize_text("杭州地鐵發生火災")[0])
    assert set(simp) == set(trad) == {"杭州", "州地", "地铁", "铁发", "发生", "生火", "火灾"}


def test_names_links_emoji_and_link_cards_are_not_terms() -> None:
    text = "转发//@用户abc:地铁停运 @某人 http://t.cn/abc [心] O网页链接 L某某的微博视频 G65 ABC"
    assert item_terms(text) == ["转发", "地铁", "铁停", "停运", "g65", "abc"]


def test_idf_weights_are_unit_vectors_and_rare_terms_weigh_more() -> None:
    df = DocumentFrequency()
    df.add({"地铁", "火灾"})
    df.add({"地铁", "暴雨"})
    vec, seen = df.add_and_weigh(["地铁", "塌方"])
    assert df.n_docs == 3 and df.df("地铁") == 3 and seen == {"地铁": 1.0}  # seen before, unit
    assert math.sqrt(sum(w * w for w in vec.values())) == pytest.approx(1.0)
    assert vec["塌方"] > vec["地铁"]
    # smooth IDF: ln((N + 1) / (df + 1)) + 1
    ratio = (math.log(4 / 2) + 1) / (math.log(4 / 4) + 1)
    assert vec["塌方"] / vec["地铁"] == pytest.approx(ratio)


def test_the_seen_vector_is_the_items_vector_on_terms_seen_before_at_unit_length() -> None:
    df = DocumentFrequency()
    df.add(["地铁", "火灾", "浓烟"])
    vec, seen = df.add_and_weigh(["地铁", "火灾", "塌方", "暴雨"])
    assert set(seen) == {"地铁", "火灾"}
    assert math.sqrt(sum(w * w for w in seen.values())) == pytest.approx(1.0)
    assert seen["地铁"] / seen["火灾"] == pytest.approx(vec["地铁"] / vec["火灾"])
    again, same = df.add_and_weigh(["地铁", "火灾"])
    assert same is again  # every term seen: the same vector
    assert df.add_and_weigh(["新词"])[1] == {}


def test_unweighed_terms_are_counted_but_left_out_of_the_vectors() -> None:
    df = DocumentFrequency()
    df.add(["注意", "安全", "火灾"])
    vec, seen = df.add_and_weigh(["注意", "安全", "车祸"], unweighed={"注意", "安全"})
    assert df.df("注意") == 2 and df.df("车祸") == 1
    assert vec == {"车祸": pytest.approx(1.0)} and seen == {}


@pytest.mark.parametrize(("one", "other"), [
    ("受灾人口一百八十四万", "受灾人口184万"),
    ("三十多名学生", "30多名学生"),
    ("一百零五人", "105人"),
    ("十五日凌晨", "15日凌晨"),
    ("3月5日发生火灾", "5日发生火灾"),
    ("3月5号发生火灾", "5日发生火灾"),
])
def test_numbers_and_days_written_two_ways_give_the_same_terms(one: str, other: str) -> None:
    assert item_terms(normalize_text(one)[0]) == item_terms(normalize_text(other)[0])


@pytest.mark.parametrize("text", ["十字路口", "一起去", "两三个人", "千千万万", "十分危险"])
def test_words_that_only_look_like_numbers_stay_as_they_are(text: str) -> None:
    assert item_terms(text) == [text[i : i + 2] for i in range(len(text) - 1)]


def test_a_metro_line_is_not_a_day() -> None:
    assert item_terms("5号线停运") == ["号线", "线停", "停运"]


@pytest.mark.parametrize(("one", "other"), [
    ("一名病人在医院去世", "一名患者在医院死亡"),
    ("三个小朋友落水", "三个孩子溺水"),
    ("隔离病房里的宝宝向医生要抱抱", "隔离病房里的婴儿向医生要抱抱"),
    ("一个被隔离的娃娃", "一个被隔离的孩子"),
    ("新型冠状病毒肺炎确诊", "新冠确诊"),
    ("民警赶到现场", "警方赶到现场"),
])
def test_common_synonyms_are_written_one_way(one: str, other: str) -> None:
    assert item_terms(one) == item_terms(other)


def test_a_synonym_table_refuses_a_form_listed_twice() -> None:
    assert read_synonyms("# c\n死亡\t去世 身亡\n") == {"去世": "死亡", "身亡": "死亡"}
    with pytest.raises(ValueError, match="line 2: '去世'"):
        read_synonyms("死亡\t去世\n离世\t去世\n")


def test_the_synonym_table_is_read_once_per_process() -> None:
    assert synonym_writer() is synonym_writer()


def test_replace_matches_replaces_each_match_and_keeps_the_rest() -> None:
    automaton = acrs.AhoCorasick(["青山县", "青山"], matchkind=acrs.MatchKind.LeftmostLongest)
    marked = replace_matches(automaton, "青山县人民医院在青山", lambda i: f"<{i}>")
    assert marked == "<0>人民医院在<1>"
    assert replace_matches(automaton, "白河", lambda i: "?") == "白河"


def test_a_packed_vector_gives_back_the_same_terms_order_and_weights() -> None:
    vec = {"地铁": 0.1 + 0.2, "火灾": 1 / 3, "g65": 0.0, "暴雨": 5e-324}
    packed = pack(vec)
    assert packed[0] == ("地铁", "火灾", "g65", "暴雨")
    again = unpack(packed)
    assert list(again.items()) == list(vec.items())
    assert [w.hex() for w in again.values()] == [w.hex() for w in vec.values()]


def test_the_background_makes_a_common_word_weigh_less_from_the_first_post() -> None:
    counts, docs = background_df()
    assert docs >= 4000 and counts["建议"] > 20 > counts.get("配电", 0)
    terms = ["建议", "配电"]
    cold, _ = DocumentFrequency().add_and_weigh(terms)
    assert cold["建议"] == cold["配电"]                 # on an empty store: alike
    warm, _ = DocumentFrequency(counts, docs).add_and_weigh(terms)
    assert warm["建议"] < 0.7 * warm["配电"]
