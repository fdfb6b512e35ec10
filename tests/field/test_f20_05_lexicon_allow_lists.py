"""F20.5 (docs/FIELD_CASES.md): default lexicon terms inside ordinary words.

``这次真是遇到大麻烦了`` was "sensitive: 大麻 (violence)". Expected with the
default config (no allow-list written by hand): ordinary words that hold a term
across a word boundary do not hit, and the same terms still hit where they
are meant. Every phrase of the shipped allow-lists holds a term of the
built-in lexicons (so each one removes a hit, and none is dead weight).
"""

from __future__ import annotations

import pytest

from yuqing.config import Config, LexiconConfig
from yuqing.pipeline.sensitive import (
    SensitiveMatcher,
    builtin_allow,
    read_lexicon,
    resolve_lexicon_path,
)
from yuqing.runtime.stages import match_form

ORDINARY = [
    "这次真是遇到大麻烦了",
    "周末打大麻将到半夜",
    "全国统一教学大纲下发",
    "这款手机有输入联想功能",
    "酒店前台完全不理人",
    "我老公头发掉得厉害",
    "宽带上网特快，价格便宜",
    "她考上了台湾国立艺术大学",
    "与巴菲特共进午餐",
    "主任召集会议讨论方案",
    "结束了四天的旅游行程",
    "市场公开信息都能查到",
    "认真主要靠自觉",
    "这个系列确实不错",
    "记者采访民政部门负责人",
    "参透成功法则的人",
    "输入法功能很强大",
    "外卖加了服务费",
    "别打人家电话催单",
    "老师讲法律常识",
    "这一轮大学排名出来了",
    "商家提供产品图片",
    "新的双规定出台了",
    "倒塌方面的原因还在调查",
    "不仅能得到高官厚禄",
]
MEANT = [("有人吸食大麻被抓", "大麻"), ("有人组织非法集会", "集会"), ("市民上街游行", "游行"),
         ("台湾入联公投", "入联"), ("医闹打人者被拘", "打人"), ("工地发生塌方", "塌方")]


@pytest.fixture(scope="module")
def matcher() -> SensitiveMatcher:
    return SensitiveMatcher.from_config(Config(), normalize=match_form)


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_words_do_not_hit(matcher: SensitiveMatcher, text: str) -> None:
    assert matcher.find(match_form(text)) == []


@pytest.mark.parametrize(("text", "term"), MEANT)
def test_the_terms_still_hit_where_meant(matcher: SensitiveMatcher, text: str, term: str) -> None:
    assert term in [t.term for t, _, _ in matcher.find(match_form(text))]


def test_every_shipped_allow_phrase_holds_a_term() -> None:
    lexicons = Config().lexicons
    terms = [t for lex in lexicons
             for t in read_lexicon(resolve_lexicon_path(lex.path), lex.category)[0]]
    bare = SensitiveMatcher(terms, (), match_form)  # no allow-list at all
    phrases = [p for lex in lexicons for p in builtin_allow(lex.path)]
    assert len(phrases) >= 50
    for phrase in phrases:
        assert bare.find(match_form(phrase)), f"{phrase!r} holds no term"


def test_a_config_allow_list_still_adds_to_the_shipped_one() -> None:
    lexicons = [LexiconConfig(path="builtin:violence", category="violence", allow=["吸食大麻"])]
    matcher = SensitiveMatcher.from_lexicons(lexicons, normalize=match_form)
    assert matcher.find(match_form("遇到大麻烦")) == [] == matcher.find(match_form("吸食大麻"))
