"""Tests of yuqing.pipeline.textnorm: plain text, match text and the offset map."""

from __future__ import annotations

import pytest

from yuqing.pipeline.textnorm import (
    TextNormalizer,
    has_markup,
    html_to_text,
    normalize_text,
    prepare_text,
    strip_attribution,
)


def assert_offsets_valid(original: str, match: str, offsets: list[int]) -> None:
    """Every match character comes from an original index, in non-decreasing order."""
    assert len(offsets) == len(match)
    assert all(0 <= o < len(original) for o in offsets)
    assert offsets == sorted(offsets)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天的发布会推迟了", "今天的发布会推迟了"),
        ("  前后空白\u3000\u3000", "前后空白"),
        ("多个\u00a0\u00a0\t空白\n\n换行", "多个 空白 换行"),
        ("零\u200b宽\u200d字\ufeff符\u00ad号\u2060", "零宽字符号"),
        ("ＡＢＣ１２３", "ABC123"),
        ("重量５㎏", "重量5kg"),
        ("臺灣網友說這個軟體很難用", "台湾网友说这个软件很难用"),  # Taiwan wording too (F20.6)
        ("全角标点：保留！（括号）", "全角标点：保留！（括号）"),
        ("", ""),
        ("\u200b\u200b  \u3000", ""),
    ],
)
def test_normalize_text_values(text: str, expected: str) -> None:
    match, offsets = normalize_text(text)
    assert match == expected
    assert_offsets_valid(text, match, offsets)


def test_offsets_point_at_the_producing_character() -> None:
    text = "ＩＰｈｏｎｅ\u3000降价\u200b了５㎏"
    match, offsets = normalize_text(text)
    assert match == "IPhone 降价了5kg"
    assert [text[offsets[i]] for i in range(6)] == list("ＩＰｈｏｎｅ")
    assert text[offsets[match.index("了")]] == "了"
    k = match.index("kg")
    assert offsets[k] == offsets[k + 1] == text.index("㎏")


def test_keyword_span_maps_back_to_original_characters() -> None:
    text = "網傳某醫院\u200b停診，衛健委回應"
    match, offsets = normalize_text(text)
    start = match.index("医院停诊")
    end = start + len("医院停诊")
    assert text[offsets[start] : offsets[end - 1] + 1] == "醫院\u200b停診"


class LengthChangingConverter:
    """A converter that turns 后来 into three characters, to exercise realignment."""

    def convert(self, text: str) -> str:
        return text.replace("后来", "後來了")


def test_length_changing_conversion_keeps_offsets_aligned() -> None:
    normalizer = TextNormalizer(converter=LengthChangingConverter())
    text = "ab 后来 cd"
    match, offsets = normalizer.normalize(text)
    assert match == "ab 後來了 cd"
    assert_offsets_valid(text, match, offsets)
    assert [text[offsets[i]] for i in range(3)] == ["a", "b", " "]
    assert text[offsets[match.index("c")]] == "c"
    run = offsets[3:6]
    assert run[0] == text.index("后") and run[-1] == text.index("来")


def test_html_to_text_drops_tags_scripts_and_bad_references() -> None:
    html = (
        "<div><p>市应急管理局&ldquo;通报&rdquo;</p><script>var x = 1;</script>"
        "<p>火情已扑灭&#1114112;<br>无人员伤亡</p><!-- ad --></div>"
    )
    assert html_to_text(html) == "市应急管理局“通报”\n火情已扑灭\n无人员伤亡"


def test_html_to_text_entities_without_tags() -> None:
    assert html_to_text("&ldquo;引号&rdquo;") == "“引号”"


def test_plain_text_is_left_alone() -> None:
    assert html_to_text("纯文本，没有标签") == "纯文本，没有标签"
    assert has_markup("<p>x</p>") and has_markup("a &amp; b")
    assert not has_markup("1 < 2 and 3 > 2 & done")
    assert html_to_text("1 < 2 and 3 > 2") == "1 < 2 and 3 > 2"


def test_prepare_text_offsets_index_the_plain_text() -> None:
    plain, match, offsets = prepare_text("<p>臺北&nbsp;市</p><p>著急</p>")
    assert plain == "臺北\u00a0市\n著急"
    assert match == "台北 市 着急"
    assert "".join(plain[o] for o in offsets) == "臺北\u00a0市\n著急"


def test_control_characters_are_removed_from_plain_text() -> None:
    # PostgreSQL refuses NUL in text; tabs and line breaks stay
    assert html_to_text("含有\x00空字符\x07的\t文本\n第二行") == "含有空字符的\t文本\n第二行"
    assert html_to_text("<p>a\x00b</p>") == "ab"


@pytest.mark.parametrize(("text", "expected"), [
    ("学校停课了！本文转自某某网，如有侵权请联系删除", "学校停课了！"),
    ("某县发生火灾，三人受伤。来源：青山发布 责任编辑：张三", "某县发生火灾，三人受伤。"),
    ("好消息——转自青山日报\n下一段", "好消息\n下一段"),
    ("来源：人民日报。学校停课了", "。学校停课了"),
    ("图片来源网络，版权归原作者所有。转载请注明出处", "，。"),
    ("编辑部的故事很好看，我的收入来源不稳定", "编辑部的故事很好看，我的收入来源不稳定"),
])
def test_strip_attribution(text: str, expected: str) -> None:
    assert strip_attribution(text) == expected
