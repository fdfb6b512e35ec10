"""Check messages in the page's language (web/messages.py): the settings form shows a refused
entry in Chinese on a Chinese page, names and values kept; a browser asking a page with a bad
query parameter gets an HTML page in its language naming the parameter, an API client JSON."""

from __future__ import annotations

from collections.abc import Iterator
from html import unescape

import pytest
from fastapi.testclient import TestClient
from web_auth import api_headers

from yuqing.config import parse_config
from yuqing.runtime.context import Context
from yuqing.web.app import create_app
from yuqing.web.messages import localize

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.mark.parametrize(("english", "chinese"), [
    ("settings: cases.units[1] (青山县).parent: '青山市网信' is not another configured unit "
     "(known: 青山市网信办) — did you mean '青山市网信办'?; add it to [[cases.units]] or leave "
     "parent out",
     "settings: cases.units[1] (青山县).parent: '青山市网信' 不是另一个已配置的单位（已有："
     "青山市网信办），是否应为 '青山市网信办'？；请先添加该单位，或不填上级单位"),
    ("source 'xx' (kind rss): unknown key 'intervall' — did you mean 'interval'?",
     "信息源 'xx'（类型 rss）: 未知的键 'intervall'，是否应为 'interval'？"),
    ("source 'a' (kind rss): interval: 1e+20 s is outside 1 s to 604800 s (7 days)",
     "信息源 'a'（类型 rss）: interval: 1e+20 秒超出 1 秒至 604800 秒（7 天）的范围"),
    ("unit 'xxxx'… (5000 characters): name: 5000 characters, at most 64",
     "单位 'xxxx'…（5000 个字符）: name: 5000 个字符，最多 64 个"),
    ("cases.units[0].channels[0]: '值班群' is not an alert channel (known: console)",
     "cases.units[0].channels[0]: '值班群' 不是预警渠道（已有：console）"),
    ("cases.units: the parents form a cycle (甲 → 乙 → 甲); a unit cannot be above itself",
     "cases.units: 上级单位形成循环（甲 → 乙 → 甲）；单位不能是自己的上级"),
    ("sentiment='bad': expected one of negative, neutral, positive",
     "sentiment='bad': 应为以下之一：negative, neutral, positive"),
])
def test_the_fixed_parts_are_translated_and_the_values_kept(english: str, chinese: str) -> None:
    assert localize(english, "zh") == chinese
    assert localize(english, "en") == english


@pytest.fixture
def client(store_url: str) -> Iterator[TestClient]:
    ctx = Context(config=parse_config({"cases": {"units": [{"name": "青山市网信办"}]}}),
                  database_url=store_url)
    with TestClient(create_app(ctx)) as client:
        client.headers.update(api_headers(ctx.store))
        yield client
    ctx.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_settings_form_refuses_in_the_pages_language(client: TestClient, lang: str
                                                         ) -> None:
    client.cookies.set("yq_lang", lang)
    version = client.get("/api/web/settings").json()["version"]
    refused = client.post("/api/web/settings/units", json={
        "entry": {"name": "青山县网信办", "parent": "青山市网信"}, "version": version})
    assert refused.status_code == 400
    detail = refused.json()["detail"]
    assert "'青山市网信'" in detail and "'青山市网信办'" in detail  # the names as typed
    if lang == "zh":
        assert "不是另一个已配置的单位" in detail and "is not" not in detail
    else:
        assert "is not another configured unit" in detail


@pytest.mark.parametrize(("lang", "title", "problem"), [
    ("zh", "请求参数有误", "since='abc': 应为 30m、24h"),
    ("en", "Bad request parameter", "since='abc': expected 30m, 24h"),
])
def test_a_bad_query_parameter_of_a_page_is_an_html_page(client: TestClient, lang: str,
                                                         title: str, problem: str) -> None:
    client.cookies.set("yq_lang", lang)
    page = client.get("/feed?since=abc", headers=HTML)
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert title in unescape(page.text) and problem in unescape(page.text)
    typed = client.get("/events?page=abc", headers=HTML)  # FastAPI's own check of a type
    assert typed.status_code == 400 and "page='abc'" in unescape(typed.text)
    assert ("应为整数" if lang == "zh" else "must be an integer") in typed.text
    missing = client.get("/no-such-page", headers=HTML)
    assert missing.status_code == 404 and ("页面不存在" if lang == "zh" else "Page not found"
                                           ) in missing.text


def test_api_clients_keep_json_errors(client: TestClient) -> None:
    assert client.get("/feed?since=abc").json()["detail"].startswith("since='abc'")
    answer = client.get("/api/items?sentiment=bad", headers=HTML)
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["query",
                                                                               "sentiment"]
