"""Tests of yuqing.sources.site_extract on the hand-written CMS pages of tests/fixtures/sites."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from yuqing.domain import BadInput
from yuqing.pipeline.dates import parse_published
from yuqing.sources.decode import decode_html
from yuqing.sources.site_extract import SelectorMissed, extract_article, url_date

SITES = Path(__file__).parents[1] / "fixtures" / "sites"
EXPECTED: list[dict[str, Any]] = json.loads((SITES / "expected.json").read_text("utf-8"))
FETCHED = datetime(2024, 3, 10, tzinfo=UTC)
LIST_DATES = {"/news/show-1200.html": "2024-03-03", "/news/show-1199.html": "2024-03-02"}


def page(case: dict[str, Any]) -> str:
    return decode_html((SITES / case["site"] / case["path"].lstrip("/")).read_bytes(),
                       case["path"]).text


def local(value: str) -> datetime:
    return parse_published(value, tz="Asia/Shanghai", fetched_at=FETCHED)[0]


@pytest.mark.parametrize("case", EXPECTED, ids=[c["path"] for c in EXPECTED])
def test_fixture_articles(case: dict[str, Any]) -> None:
    article = extract_article(page(case), "http://127.0.0.1" + case["path"],
                              list_date=LIST_DATES.get(case["path"]))
    assert article.title == case["title"]
    for paragraph in case["paragraphs"]:
        assert paragraph in article.text.split("\n")
    assert [b for b in case["boilerplate"] if b in article.text] == []
    assert article.published is not None
    assert local(article.published) == local(case["published"])
    assert article.author == case["author"]


def test_date_sources_in_order() -> None:
    by_path = {c["path"]: c for c in EXPECTED}
    hospital = by_path["/news/show-1200.html"]
    # the page has no date: the list page's date, else nothing (its URL has none)
    assert extract_article(page(hospital), "http://h/news/show-1200.html",
                           list_date="2024-03-03").date_from == "list"
    assert extract_article(page(hospital), "http://h/news/show-1200.html").published is None
    # meta first, even when the page line and the URL also give a date
    county = by_path["/qsx/tzgg/202403/t20240305_1001.html"]
    got = extract_article(page(county), "http://c" + county["path"], list_date="2024-03-01")
    assert (got.published, got.date_from) == ("2024-03-05 10:30", "meta")
    news = by_path["/n1/2024/0301/c1001-20240301009.html"]
    assert extract_article(page(news), "http://n" + news["path"]).date_from == "url"


def test_url_dates() -> None:
    assert url_date("http://x/qsx/tzgg/202403/t20240305_1001.html") == "2024-03-05"
    assert url_date("http://x/art/2024/3/5/art_1229_1.html") == "2024-03-05"
    assert url_date("http://x/n1/2024/0302/c1001-1.html") == "2024-03-02"
    assert url_date("http://x/news/show-1200.html?d=20240101") is None


def test_content_selector_and_its_miss() -> None:
    case = EXPECTED[0]
    got = extract_article(page(case), "http://c/a.html", content_selector=".TRS_Editor p")
    assert got.text == case["paragraphs"][0] and got.body_from == "selector"
    with pytest.raises(SelectorMissed, match="'.gone' matches nothing"):
        extract_article(page(case), "http://c/a.html", content_selector=".gone")


def test_meeting_time_in_the_body_is_kept() -> None:
    html = ("<html><head><title>关于召开防汛工作会议的通知_青山县</title></head><body>"
            "<h1>关于召开防汛工作会议的通知</h1>"
            "<div class='info'>发布时间：2024-03-05 来源：县水利局</div>"
            "<div class='c'><p>各乡镇：</p><p>一、会议时间：2024年3月10日上午9:00</p>"
            "<p>二、会议地点：县政府三楼会议室。请各单位主要负责同志准时参加，不得缺席。</p></div>"
            "</body></html>")
    got = extract_article(html, "http://c/a.html", content_selector=".c")
    assert got.text.split("\n") == ["各乡镇：", "一、会议时间：2024年3月10日上午9:00",
                                     "二、会议地点：县政府三楼会议室。请各单位主要负责同志准时参加，不得缺席。"]
    assert (got.published, got.author) == ("2024-03-05", "县水利局")


def test_page_without_text_is_refused() -> None:
    with pytest.raises(BadInput, match="http://c/a.html: no article text"):
        extract_article("<html><body><div class='nav'>打印本页 关闭窗口</div></body></html>",
                        "http://c/a.html")


def test_nul_and_control_characters_never_become_replacement_characters() -> None:
    html = ("<html><body><div id='zoom'><p>县政府召开\x00常务会议\x0b研究部署春季农业生产工作，"
            "要求各乡镇抓好落实。</p></div></body></html>")
    article = extract_article(html, "http://a.cn/news/t20240305_1.html")
    assert "\ufffd" not in article.text
    assert article.text.startswith("县政府召开常务会议研究部署春季农业生产工作")
