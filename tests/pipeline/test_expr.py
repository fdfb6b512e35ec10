"""Tests of yuqing.pipeline.expr (Boolean keyword expressions)."""

from __future__ import annotations

import pytest

from yuqing.domain import BadInput
from yuqing.pipeline.expr import (
    MAX_DEPTH,
    And,
    Not,
    Or,
    Word,
    parse,
    present_words,
    tokenize,
)


def truth(expression: str, text: str) -> bool:
    node = parse(expression)
    return node.evaluate(present_words(node, text))


def test_precedence_not_over_and_over_or() -> None:
    assert parse("a OR b AND NOT c") == Or((Word("a"), And((Word("b"), Not(Word("c"))))))
    assert parse("(a OR b) c") == And((Or((Word("a"), Word("b"))), Word("c")))


@pytest.mark.parametrize("expression", [
    "暴雨 AND 北京 OR 洪水", "暴雨 and 北京 or 洪水", "暴雨 & 北京 | 洪水", "暴雨+北京|洪水",
    "暴雨 北京 | 洪水", "（暴雨＋北京）｜洪水",
])
def test_operator_spellings_are_equivalent(expression: str) -> None:
    assert parse(expression) == Or((And((Word("暴雨"), Word("北京"))), Word("洪水")))


@pytest.mark.parametrize(
    "expression", ["疫苗 NOT 广告", "疫苗 !广告", "疫苗 -广告", "疫苗 not 广告"]
)
def test_negation_spellings(expression: str) -> None:
    assert parse(expression) == And((Word("疫苗"), Not(Word("广告"))))


def test_quoted_phrases_and_hyphenated_words() -> None:
    assert parse('"new york" OR “北 京”') == Or((Word("new york"), Word("北 京")))
    assert parse("COVID-19 AND 疫情") == And((Word("COVID-19"), Word("疫情")))
    assert tokenize('a "x y"') == [("WORD", "a", 0), ("WORD", "x y", 2)]


def test_evaluation_is_substring_presence() -> None:
    assert truth("北京 暴雨 NOT 演习", "北京今日暴雨")
    assert not truth("北京 暴雨 NOT 演习", "北京暴雨演习")
    assert truth("(学校 OR 医院) 火灾", "某医院发生火灾")
    assert not truth("(学校 OR 医院) 火灾", "某工厂发生火灾")


def test_words_are_normalised_once() -> None:
    node = parse("COVID AND Vaccine", normalize=str.lower)
    assert node.words() == {"covid", "vaccine"}


@pytest.mark.parametrize(("expression", "position", "problem"), [
    ("(a OR b", 0, "'(' is never closed"),
    ("a OR b)", 6, "')' without '('"),
    ("a AND", 5, "dangling operator"),
    ("OR a", 0, "dangling operator"),
    ('a "b', 2, "unclosed quote"),
    ("", 0, "end of expression"),
])
def test_syntax_errors_name_scheme_and_position(
    expression: str, position: int, problem: str
) -> None:
    with pytest.raises(BadInput) as err:
        parse(expression, name="scheme '校园安全'")
    message = str(err.value)
    assert message.startswith(f"scheme '校园安全': syntax error at position {position}:")
    assert problem in message


@pytest.mark.parametrize("expression", ["(" * 5000 + "a" + ")" * 5000, "NOT " * 5000 + "a",
                                        "-" * 5000 + "a", "a OR (" * 101 + "a" + ")" * 101])
def test_nesting_deeper_than_the_bound_is_a_syntax_error_not_a_crash(expression: str) -> None:
    with pytest.raises(BadInput, match=f"nest more than {MAX_DEPTH} deep"):
        parse(expression, name="scheme")
    assert parse("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH) == Word("a")
