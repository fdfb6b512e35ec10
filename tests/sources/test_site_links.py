"""Tests of yuqing.sources.site_links: article links of list pages, and pages that are not lists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from yuqing.domain import BadInput
from yuqing.sources.decode import decode_html
from yuqing.sources.site_links import MAX_ANCHORS, article_links, list_page_problem

SITES = Path(__file__).parents[1] / "fixtures" / "sites"
HOST = "http://127.0.0.2:8001"


def pages(site: str, *paths: str) -> list[tuple[str, str]]:
    return [(HOST + p, decode_html((SITES / site / p.lstrip("/")).read_bytes(), p).text)
            for p in paths]


def test_county_two_list_pages_base_href_and_furniture() -> None:
    scan = article_links(pages("county", "/qsx/tzgg/index.html", "/qsx/zwdt/index.html"))
    assert [(link.url.removeprefix(HOST), link.list_date) for link in scan.links] == [
        ("/qsx/tzgg/202403/t20240305_1001.html", "2024-03-05"),   # ./ under <base href>
        ("/qsx/tzgg/202403/t20240301_998.html", "2024-03-01"),
        ("/qsx/tzgg/202402/t20240226_990.html", "2024-02-26"),
        ("/qsx/tzgg/202402/t20240219_985.html", "2024-02-19"),
        ("/qsx/zwdt/202403/t20240304_1000.html", "2024-03-04"),
        ("/qsx/zwdt/202402/t20240228_993.html", "2024-02-28"),
    ]
    assert scan.links[0].key == "127.0.0.2:8001/qsx/tzgg/202403/t20240305_1001.html"
    # the 热点信息 box repeats on both list pages: furniture, not fetched
    assert {HOST.removeprefix("http://") + p for p in (
        "/qsx/zwgk/rdxx/202402/t20240220_901.html", "/qsx/zwgk/rdxx/202401/t20240110_880.html",
    )} <= scan.furniture


def test_one_county_list_page_drops_nav_footer_pager_and_more() -> None:
    urls = [link.url for link in article_links(pages("county", "/qsx/tzgg/index.html")).links]
    assert all("t2024" in u for u in urls)
    assert not any(w in u for u in urls for w in ("wzsm", "index", "rdxx/index"))


@pytest.mark.parametrize(("site", "path", "first"), [
    ("school", "/xwdt.htm", "/info/1011/2345.htm"),
    ("hospital", "/news/list_3.html", "/news/show-1200.html"),
    ("news", "/qingshan/index.html", "/n1/2024/0302/c1001-20240302001.html"),
    ("health", "/col/col1229/index.html", "/art/2024/3/5/art_1229_123456.html"),  # 大汉 records
])
def test_other_cms_lists(site: str, path: str, first: str) -> None:
    links = article_links(pages(site, path)).links
    assert links[0].url == HOST + first
    assert len(links) in (3, 4)


def test_a_page_wrapper_named_page_is_no_furniture() -> None:
    ((url, html),) = pages("hospital", "/news/list_3.html")
    wrapped = html.replace("<body>", "<body class='page'><div id='page' class='main'>")
    assert len(article_links([(url, wrapped)]).links) == 3


def test_other_hosts_need_allow_hosts() -> None:
    html = ("<html><body><ul><li><a href='http://www.other.cn/art/2024/3/5/art_1_2.html'>"
            "青山县召开全县安全生产工作会议</a></li></ul></body></html>")
    assert article_links([(HOST + "/", html)]).links == []
    allowed = article_links([(HOST + "/", html)], allow_hosts=frozenset({"other.cn"})).links
    assert [link.key for link in allowed] == ["other.cn/art/2024/3/5/art_1_2.html"]


def test_link_pattern_and_selector() -> None:
    county = pages("county", "/qsx/tzgg/index.html")
    only = article_links(county, link_pattern=re.compile(r"t20240305_")).links
    assert [link.text for link in only] == ["青山县人民政府关于做好2024年春季森林防火工作的通知"]
    side = article_links(county, link_selector=".side ul").links
    assert [link.text for link in side] == ["青山县2024年政府工作报告",
                                            "青山县2023年国民经济和社会发展统计公报"]
    with pytest.raises(BadInput, match="link_selector"):
        article_links(county, link_selector="ul[")


def test_calendar_of_endless_links_stays_bounded() -> None:
    days = "".join(f"<td><a href='/cal/2024/{m:02d}/{d:02d}/index.html'>{d}</a></td>"
                   for m in range(1, 13) for d in range(1, 29))
    posts = "".join(f"<li><a href='/2024/03/{d:02d}/{d}.html'>日历第{d}天的活动安排公告</a></li>"
                    for d in range(1, 29) for _ in range(200))
    html = (f"<html><body><table class='calendar'><tr>{days}</tr></table><ul>{posts}</ul>"
            "</body></html>")
    links = article_links([(HOST + "/cal/", html)]).links
    # day numbers are no titles; the anchors read stop at MAX_ANCHORS
    assert all("/cal/" not in link.url for link in links)
    assert 0 < len(links) <= MAX_ANCHORS


@pytest.mark.parametrize(("html", "why"), [
    ("<html><title>用户登录</title><body><form>用户名<input name=u>密码<input type=password>"
     "</form></body></html>", "login wall"),
    ("<html><body><p>请输入验证码后继续访问</p><img src='/captcha.jpg'></body></html>", "captcha"),
    ("<html><head><title>404 页面不存在</title></head><body><p>您访问的页面不存在或已被删除，"
     "请返回首页。</p></body></html>", "error page"),
    ("<html><body><p>&nbsp;</p></body></html>", "almost empty"),
])
def test_pages_that_are_not_lists(html: str, why: str) -> None:
    assert why in (list_page_problem(html, 0) or "")


@pytest.mark.parametrize("html", ["", "  ", "\x00"])
def test_an_empty_page_is_named_not_raised(html: str) -> None:
    assert list_page_problem(html, None) == "an empty page (no HTML at all), not the list"
    assert article_links([("http://a.cn/list/", html)]).links == []


def test_hrefs_that_are_no_urls_are_skipped_and_the_others_kept() -> None:
    row = "<li><a href='{}'>县政府召开常务会议研究部署春季工作</a></li>"
    html = ("<base href='http://['><ul>" + row.format("http://[::1") + row.format("http://[")
            + row.format("/news/t20240305_1.html") + "</ul>")
    links = article_links([("http://a.cn/list/", html)]).links
    assert [link.url for link in links] == ["http://a.cn/news/t20240305_1.html"]


def test_a_full_list_with_a_login_box_is_a_list() -> None:
    html = pages("county", "/qsx/tzgg/index.html")[0][1].replace(
        "</body>", "<form>用户登录 <input type='password'></form></body>")
    assert list_page_problem(html, 4) is None
