"""Every string the pages show is in both catalogues (web/i18n.py, web/labels.py), and a page
rendered in Chinese shows no English identifier (code values, snake_case names)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_auth import api_headers

from yuqing.cases import intake
from yuqing.cases.inputs import PetitionInput
from yuqing.cases.service import CaseService
from yuqing.config import parse_config
from yuqing.pipeline.heat import LEVEL_NAMES
from yuqing.runtime.context import Context
from yuqing.sources.health import STATUS_LABELS, SourceHealth, age_parts
from yuqing.web.app import create_app
from yuqing.web.i18n import EN, translator
from yuqing.web.labels import LABELS

WEB = Path(__file__).resolve().parents[2] / "src" / "yuqing" / "web"


def template_strings() -> set[str]:
    found: set[str] = set()
    for path in (WEB / "templates").glob("*.html"):
        found |= set(re.findall(r'_\(["\']([^"\']+)["\']\)', path.read_text(encoding="utf-8")))
    return found


def test_every_template_string_has_an_english_entry() -> None:
    strings = template_strings()
    assert len(strings) > 80
    assert sorted(s for s in strings if s not in EN) == []


def test_app_js_strings_come_from_the_page_catalogue() -> None:
    js = (WEB / "static" / "app.js").read_text(encoding="utf-8")
    used = set(re.findall(r'T\["([^"]+)"\]', js))
    base = (WEB / "templates" / "base.html").read_text(encoding="utf-8")
    block = base[base.index('id="i18n"'):]
    assert used and sorted(u for u in used if f'"{u}": _("{u}")' not in block) == []


def test_translator_falls_back_to_chinese() -> None:
    assert translator("en")("总览") == "Overview"
    assert translator("zh")("总览") == "总览"
    assert translator("en")("没有这个词") == "没有这个词"


def test_every_label_and_python_string_has_both_catalogues() -> None:
    """The code values' labels (web/labels.py) and the words Python hands to the pages have
    an English entry; every ``L(kind, ...)`` of a template names a known kind; the Chinese
    catalogue is the message ids themselves, so a label must be Chinese."""
    words = {v for table in LABELS.values() for v in table.values()}
    words |= set(LEVEL_NAMES.values()) | set(STATUS_LABELS.values())
    words |= {age_parts(s)[1] for s in (30, 3600, 86400)}
    assert sorted(w for w in words if w not in EN) == []
    assert sorted(w for w in words if not re.search(r"[\u4e00-\u9fff]", w)) == []
    used = set()
    for path in (WEB / "templates").glob("*.html"):
        used |= set(re.findall(r'\bL\(["\'](\w+)["\']', path.read_text(encoding="utf-8")))
    assert used and sorted(used - set(LABELS)) == []


#: lower-case words that are code values (every value web/labels.py names, and a few more
#: the store holds): seen in a Chinese page, a label is missing
CODE_WORDS = frozenset(
    {k for table in LABELS.values() for k in table if re.fullmatch(r"[a-z]+", k)}
    | {"open", "held", "alert", "event", "item", "uncollected", "ok", "new"})
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


class VisibleText(HTMLParser):
    """The text a person sees on a page: text nodes (not scripts or styles) and the
    ``placeholder``, ``title`` and ``value`` of buttons and inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        shown = dict(attrs)
        for name in ("placeholder", "title"):
            if shown.get(name):
                self.parts.append(str(shown[name]))
        if tag == "input" and shown.get("type") in ("submit", "button") and shown.get("value"):
            self.parts.append(str(shown["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def english_identifiers(page: str, allowed: set[str]) -> list[str]:
    """Return the code words and snake_case identifiers in the visible text of ``page``,
    after removing URLs and the ``allowed`` proper nouns."""
    parser = VisibleText()
    parser.feed(page)
    text = " ".join(parser.parts)
    text = re.sub(r"https?://\S+", " ", text)
    for word in sorted(allowed, key=len, reverse=True):
        text = text.replace(word, " ")
    found = SNAKE.findall(text)
    found += [w for w in re.findall(r"\b[a-z]+\b", text) if w in CODE_WORDS]
    return found


ZH_CONFIG: dict[str, Any] = {
    "timezone": "Asia/Shanghai",
    "schemes": [{"name": "公共安全", "subject_words": ["车祸", "警察"]}],
    "sources": [{"name": "市政府网站", "kind": "rss", "url": "http://127.0.0.1:9/feed.xml"},
                {"name": "平台导出", "kind": "file", "path": "exports/*.jsonl"}],
    "cases": {"units": [{"name": "东区", "level": "county"}]},
    "alerts": {"rules": [{"name": "负面预警", "channels": ["值班群"]}],
               "channels": [{"name": "值班群", "kind": "console", "style": "line"}]},
}
ZH_ITEMS = [
    {"id": "1", "source": "本地论坛", "media_type": "forum", "author": "目击者",
     "text": "市人民医院门口发生严重车祸，两人受伤，警察到场处置，太可怕了，有人死亡",
     "published_at": "2024-03-05T08:15:00+08:00"},
    {"id": "2", "source": "本地论坛", "media_type": "forum", "parent_id": "1",
     "text": "转发：市人民医院门口车祸，警察到场", "published_at": "2024-03-05T09:40:00+08:00"},
    {"id": "3", "source": "新闻网", "media_type": "news", "title": "车祸通报",
     "text": "警察通报：市人民医院门口发生车祸", "published_at": "2024-03-05T11:00:00+08:00"},
]
#: proper nouns the seeded pages may show: the product's name and the export formats
ALLOWED = {"Yuqing", "English", "PDF", "DOCX", "CSV", "XLSX", "RSS"}


@pytest.fixture
def zh_site(store_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A served app with items, events, alerts, a case moved once (so its log has moves,
    views and a petition) and a source with health; the paths of every page."""
    ctx = Context(config=parse_config(ZH_CONFIG), database_url=store_url)
    with TestClient(create_app(ctx)) as client:
        client.headers.update(api_headers(ctx.store, "值班员", "admin", "东区"))
        client.cookies.set("yq_lang", "zh")
        assert client.post("/api/items", json=ZH_ITEMS).json()["stored"] == 3
        service = CaseService(ctx.store, ctx.config)
        alert = ctx.store.list_alerts(1)[0]
        case_id = service.open_from_alert(alert.id, actor="值班员", role="admin", unit="东区")
        service.move(case_id, "verified", actor="值班员", role="admin", note="已核实",
                     handling_class=1)
        intake.add_petition(service, PetitionInput(
            channel="phone", unit="东区", subject="反映医院门口交通混乱", accused="市人民医院",
            contact={"name": "李四", "phone": "13800001234"}), actor="值班员", role="admin")
        health = SourceHealth("市政府网站", 300)
        now = datetime.now(UTC)
        health.record_success(3, now - timedelta(hours=1))
        health.record_failure("连接被拒绝", now)
        ctx.store.save_source_state(health.saved_state(now))
        item = ctx.store.get_item("本地论坛:1")
        assert item is not None and item.event_id
        paths = {"overview": "/", "feed": "/feed", "item": "/items/%E6%9C%AC%E5%9C%B0%E8%AE%BA"
                 "%E5%9D%9B%3A1", "events": "/events", "event": f"/events/{item.event_id}",
                 "inbox": "/inbox", "cases": "/cases", "case": f"/cases/{case_id}",
                 "petitions": "/petitions", "petition-new": "/petitions/new",
                 "sources": "/sources", "superior": "/superior", "reports": "/reports",
                 "settings": "/settings"}
        yield client, paths
    ctx.close()


def test_no_english_identifier_on_a_chinese_page(zh_site: tuple[TestClient, dict[str, str]]
                                                 ) -> None:
    client, paths = zh_site
    found = {}
    for name, path in paths.items():
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.text[:200])
        words = english_identifiers(answer.text, ALLOWED)
        if words:
            found[name] = sorted(set(words))
    assert found == {}
    # a browser's page with a bad query parameter: an error page in Chinese (web/messages.py)
    error = client.get("/feed?since=abc", headers={"Accept": "text/html"})
    assert error.status_code == 400 and "请求参数有误" in error.text and "应为" in error.text
    assert english_identifiers(error.text, ALLOWED) == []
    anonymous = TestClient(client.app)
    anonymous.cookies.set("yq_lang", "zh")
    login = anonymous.get("/login").text
    assert english_identifiers(login, ALLOWED) == []


def test_the_identifier_check_sees_what_it_must() -> None:
    page = ('<p>状态 reported · 角色 admin · first_response <b>RSS 订阅</b></p>'
            '<script>var negative = "open";</script><input placeholder="news">'
            '<a href="https://example.org/open_case">链接</a>')
    assert sorted(english_identifiers(page, ALLOWED)) == [
        "admin", "first_response", "news", "reported"]
