"""Tests of yuqing.sources.answers: heat figures, topic keys, HTML answers, dig."""

from __future__ import annotations

import pytest

from yuqing.sources.answers import ShapeError, dig, html_page, parse_heat, title_key


@pytest.mark.parametrize(("value", "heat"), [
    (2851764, 2851764.0), (12.5, 12.5), ("32561287", 32561287.0), ("1524 万热度", 15240000.0),
    ("285.2万", 2852000.0), ("1.2亿", 120000000.0), ("1,203", 1203.0), ("热", None), ("", None),
    (None, None), (True, None),
])
def test_parse_heat(value: object, heat: float | None) -> None:
    assert parse_heat(value) == heat


def test_title_key_normalises_width_spaces_and_tag_marks() -> None:
    assert title_key("#青山县　暴雨#") == title_key("青山县 暴雨 ") == "青山县 暴雨"
    assert title_key("ＡＢＣ１２３") == "ABC123"


@pytest.mark.parametrize(("body", "said"), [
    (b"<!DOCTYPE html><html><head><title>\xe5\xae\x89\xe5\x85\xa8\xe9\xaa\x8c\xe8\xaf\x81 "
     b"&amp; more</title>", "the answer is an HTML page ('安全验证 & more')"),
    (b"  <!-- x -->\n<html><body>blocked</body></html>", "the answer is an HTML page (a login"),
    (b"<HEAD><TITLE>403</TITLE></HEAD>", "the answer is an HTML page ('403')"),
])
def test_html_pages_are_named_with_their_title(body: bytes, said: str) -> None:
    found = html_page(body)
    assert found is not None and found.startswith(said)


@pytest.mark.parametrize("body", [b'<?xml version="1.0"?><rss></rss>', b'{"a": 1}', b"",
                                  b"<feed xmlns='http://www.w3.org/2005/Atom'></feed>"])
def test_feeds_and_json_are_not_html(body: bytes) -> None:
    assert html_page(body) is None


def test_dig_names_the_first_missing_step() -> None:
    doc = {"data": {"cards": [{"content": []}]}}
    assert dig(doc, "data.cards.0.content", "baidu") == []
    with pytest.raises(ShapeError, match=r"^baidu: data.cards\[1\] missing$"):
        dig(doc, "data.cards.1.content", "baidu")
    with pytest.raises(ShapeError, match=r"^x: list\[2\].title missing$"):
        dig({"a": 1}, "title", "x", "list[2]")
