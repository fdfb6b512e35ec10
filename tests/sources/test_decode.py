"""Tests of yuqing.sources.decode: HTML bytes to text, strictly, or a refusal naming the URL."""

from __future__ import annotations

import codecs
import random
from pathlib import Path

import pytest

from yuqing.sources.decode import Undecodable, codec_name, decode_html, meta_charset

COUNTY = Path(__file__).parents[1] / "fixtures" / "sites" / "county" / "qsx" / "tzgg"
NOTICE = ("<html><body><p>青山县人民政府关于做好春季森林防火工作的通知，由王喆同志负责督查。</p>"
          "</body></html>")


def test_late_meta_charset_after_35_kb_of_css_is_read() -> None:
    data = (COUNTY / "202403" / "t20240305_1001.html").read_bytes()
    assert data.index(b"charset=gb2312") > 35 * 1024
    decoded = decode_html(data, "http://x/t.html")
    assert (decoded.encoding, decoded.how) == ("gb18030", "meta")
    # 喆 is not in GB2312: a page labelled gb2312 is read as GB18030, its superset
    assert "王喆" in decoded.text


def test_http_charset_first_and_a_wrong_one_gives_way_to_the_meta() -> None:
    page = '<meta charset="gbk">' + NOTICE
    assert decode_html(page.encode("gbk"), "u", http_charset="gbk").how == "http"
    # nginx's default "utf-8" over a GBK page: not UTF-8, so the page's own meta decides
    decoded = decode_html(page.encode("gbk"), "u", http_charset="utf-8")
    assert (decoded.how, decoded.text) == ("meta", page)


def test_utf8_bytes_win_over_a_stale_gbk_declaration() -> None:
    page = '<meta http-equiv="Content-Type" content="text/html; charset=gbk">' + NOTICE
    decoded = decode_html(page.encode("utf-8"), "u")
    assert decoded.text == page
    assert decoded.how == "utf-8 over declared gbk"


def test_bom_decides() -> None:
    assert decode_html(codecs.BOM_UTF8 + NOTICE.encode(), "u").how == "bom"
    assert decode_html(codecs.BOM_UTF16_LE + NOTICE.encode("utf-16-le"), "u").text == NOTICE


def test_undeclared_gbk_is_detected_even_when_short() -> None:
    assert decode_html(NOTICE.encode("gbk"), "u").text == NOTICE
    short = "<html><body><a href='/x'>通知公告</a></body></html>"
    decoded = decode_html(short.encode("gbk"), "u")
    assert (decoded.encoding, decoded.text) == ("gb18030", short)


def test_cut_page_loses_only_its_incomplete_last_character() -> None:
    data = NOTICE.encode("gbk")
    cut = data[:data.index("督".encode("gbk")) + 1]  # one byte of a two-byte character
    with pytest.raises(Undecodable):
        decode_html(b"<meta charset=gbk>" + cut, "u")
    text = decode_html(b"<meta charset=gbk>" + cut, "u", truncated=True).text
    assert text.endswith("负责")


def test_unknown_encoding_is_refused_naming_url_and_reason() -> None:
    rng = random.Random(4)
    noise = bytes(rng.randrange(0x80, 0x100) for _ in range(600))
    with pytest.raises(Undecodable) as err:
        decode_html(b'<meta charset="x-klingon"><p>' + noise, "http://qs.gov.cn/a.html")
    message = str(err.value)
    assert message.startswith("http://qs.gov.cn/a.html: unknown encoding")
    assert "'x-klingon' (unknown charset)" in message


def test_forced_charset_is_strict() -> None:
    assert decode_html(NOTICE.encode("gbk"), "u", forced="GBK").how == "forced"
    with pytest.raises(Undecodable, match="not big5"):
        decode_html(b"<p>\xff\xfe\xfd</p>", "u", forced="big5")


@pytest.mark.parametrize("charset", ["utf-16", "utf-32"])
def test_a_declared_utf16_without_bom_is_tried_and_passed_over(charset: str) -> None:
    page = "<p>通知</p>".encode()
    assert decode_html(page, "u", http_charset=charset).text == "<p>通知</p>"
    with pytest.raises(Undecodable):
        decode_html(b"\x00\x00\x00\xff\xfe\x00", "u", http_charset=charset)


def test_labels() -> None:
    assert [codec_name(x) for x in ("GB2312", "gbk", "UTF8", "x-klingon", None)] == [
        "gb18030", "gb18030", "utf-8", None, None]
    tag = b"<META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=GBK'>"
    assert meta_charset(tag) == "GBK"
