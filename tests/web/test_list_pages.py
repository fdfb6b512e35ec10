"""Tests of the list pages (web/list_pages.py, web/lists.py), the overview's filters, the
alerts inbox's cases and the served font, on both backends: events, petitions (and their
audited export), source health."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_auth import api_headers

from yuqing.cases import intake
from yuqing.cases.inputs import PetitionInput
from yuqing.cases.service import CaseService
from yuqing.config import parse_config
from yuqing.domain import Alert
from yuqing.reports.fonts import EXT_FAMILY, FAMILY, font_path
from yuqing.runtime.context import Context
from yuqing.sources.health import SourceHealth
from yuqing.web import views
from yuqing.web.app import create_app
from yuqing.web.i18n import translator
from yuqing.web.labels import labeller
from yuqing.web.render import web_dir

CONFIG: dict[str, Any] = {
    "timezone": "Asia/Shanghai",
    "schemes": [{"name": "公共安全", "subject_words": ["车祸", "警察"]},
                {"name": "校园", "subject_words": ["学校"]}],
    "sources": [{"name": "市政府网站", "kind": "rss", "url": "http://127.0.0.1:9/feed.xml"}],
    "cases": {"units": [{"name": "东区", "level": "county"}, {"name": "西区", "level": "county"}]},
    "alerts": {"rules": [{"name": "负面", "channels": ["console"]}],
               "channels": [{"name": "console", "kind": "console"}]},
}
ITEMS = [
    {"id": "1", "source": "本地论坛", "media_type": "forum",
     "text": "市人民医院门口发生严重车祸，两人受伤，警察到场处置，太可怕了",
     "published_at": "2024-03-05T08:15:00+08:00"},
    {"id": "2", "source": "本地论坛", "media_type": "forum", "parent_id": "1",
     "text": "转发：市人民医院门口车祸，警察到场", "published_at": "2024-03-05T09:40:00+08:00"},
    {"id": "3", "source": "本地论坛", "media_type": "forum",
     "text": "学校今天举办运动会，孩子们很开心", "published_at": "2024-03-07T10:00:00+08:00"},
]


@pytest.fixture
def served(store_url: str) -> Iterator[tuple[TestClient, Context]]:
    ctx = Context(config=parse_config(CONFIG), database_url=store_url)
    with TestClient(create_app(ctx)) as client:
        client.headers.update(api_headers(ctx.store))
        assert client.post("/api/items", json=ITEMS).json()["stored"] == 3
        yield client, ctx
    ctx.close()


def event_of(ctx: Context, key: str) -> str:
    item = ctx.store.get_item(key)
    assert item is not None and item.event_id
    return item.event_id


def test_events_list_filters_and_links(served: tuple[TestClient, Context]) -> None:
    client, ctx = served
    crash, school = event_of(ctx, "本地论坛:1"), event_of(ctx, "本地论坛:3")

    def listed(**params: str) -> list[str]:
        page = client.get("/events", params=params)
        assert page.status_code == 200, page.text
        return re.findall(r'<tr data-event="([^"]+)">', page.text)

    assert set(listed()) == {crash, school}
    assert f'href="/events/{crash}"' in client.get("/events").text
    assert listed(scheme="公共安全") == [crash]
    assert listed(scheme="校园") == [school]
    assert listed(since="2024-03-06") == [school]
    assert listed(until="2024-03-05") == [crash]  # the whole day of until is included
    assert listed(since="2024-03-05", until="2024-03-05") == [crash]
    assert listed(sentiment="negative") == [crash]
    assert listed(level="I") == []
    assert listed(order="last_at") == [school, crash]
    for bad in ({"scheme": "没有"}, {"since": "昨天"}, {"until": "2024-02-30"},
                {"level": "V"}, {"order": "title"},
                {"since": "2024-03-06", "until": "2024-03-05"}):
        answer = client.get("/events", params=bad)
        assert answer.status_code == 400 and next(iter(bad)) in answer.text, bad


def test_overview_takes_a_date_range_and_a_scheme(served: tuple[TestClient, Context]) -> None:
    client, _ = served

    def volume(**params: str) -> int:
        page = client.get("/", params=params)
        assert page.status_code == 200, page.text
        return int(re.search(r'id="kpi-volume">(\d+)<', page.text).group(1))  # type: ignore[union-attr]

    assert volume(since="2024-03-01", until="2024-03-07") == 3
    assert volume(since="2024-03-05", until="2024-03-05") == 2
    assert volume(since="2024-03-01", until="2024-03-07", scheme="校园") == 1
    page = client.get("/", params={"since": "2024-03-05", "until": "2024-03-05"}).text
    assert "2024-03-05 00:00 (+08:00) — 2024-03-06 00:00 (+08:00)" in page
    assert 'data-bucket="hour"' in page
    assert 'data-bucket="day"' in client.get("/", params={"since": "2024-03-01",
                                                          "until": "2024-03-07"}).text
    assert client.get("/", params={"scheme": "没有"}).status_code == 400
    assert client.get("/", params={"until": "3月5日"}).status_code == 400
    # a century of hours would tie the server up: the overview charts a year at most
    huge = client.get("/", params={"since": "1900-01-01", "until": "2100-01-01"})
    assert huge.status_code == 400 and "366 days" in huge.text
    assert volume(since="2023-03-06", until="2024-03-05") == 2


def petition(ctx: Context, unit: str, subject: str, channel: str = "letter") -> int:
    done = intake.add_petition(CaseService(ctx.store, ctx.config), PetitionInput(
        channel=channel, unit=unit, subject=subject, accused="某中学",
        contact={"name": "张三", "phone": "13800001234"}), actor="tester", role="admin")
    return done.petition.id


def test_petitions_list_keeps_to_the_unit_and_exports_audited(
        served: tuple[TestClient, Context]) -> None:
    client, ctx = served
    petition(ctx, "东区", "东区食堂饭菜质量差", "phone")
    petition(ctx, "西区", "西区路灯长期不亮")
    page = client.get("/petitions").text
    assert "东区食堂饭菜质量差" in page and "西区路灯长期不亮" in page
    assert "13800001234" not in page and "电（来电）" in page and "收集" in page
    assert "西区" not in client.get("/petitions", params={"channel": "phone"}).text.split(
        "<tbody>")[1]
    east = api_headers(ctx.store, "east", "handler", "东区")
    mine = client.get("/petitions", headers=east).text
    assert "东区食堂饭菜质量差" in mine and "西区路灯长期不亮" not in mine
    export = client.get("/petitions/export.csv", headers=east)
    assert export.status_code == 200
    assert export.headers["content-disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["id", "received_at", "channel"] and len(rows) == 2
    assert rows[1][4] == "东区食堂饭菜质量差" and "13800001234" not in export.text
    audit = client.get("/api/web/audit", params={"action": "export"}).json()
    assert [(a["actor"], a["target"], a["data"]["rows"]) for a in audit] == [
        ("east", "petitions.csv", 1)]
    assert client.get("/petitions/export.xlsx").content[:2] == b"PK"
    assert client.get("/petitions", params={"channel": "fax"}).status_code == 400


def test_sources_page_shows_health_in_words(served: tuple[TestClient, Context]) -> None:
    client, ctx = served
    now = datetime.now(UTC)
    health = SourceHealth("市政府网站", 300)
    health.record_success(8, now - timedelta(hours=2))
    health.note_published(now - timedelta(hours=3, minutes=5))
    health.record_failure("连接被拒绝", now - timedelta(minutes=5))
    ctx.store.save_source_state(health.saved_state(now))
    page = client.get("/sources").text
    assert "失败" in page and "RSS 订阅" in page and "连接被拒绝" in page
    assert "3 小时" in page and "50%" in page  # lag; one failed poll of two
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d \(\+08:00\)", page)
    assert "failed" not in page.split("<tbody>")[1].replace('class="src-failed"', "").replace(
        "st-failed", "")
    english = client.get("/sources", params={"lang": "en"}).text
    assert "Failed" in english and "Source health" in english


def test_inbox_opens_a_case_and_shows_the_linked_one(served: tuple[TestClient, Context]) -> None:
    client, ctx = served
    now = datetime.now(UTC)
    ids = [ctx.store.alerts.record_alert(Alert(
        rule="负面", dedup_key=f"t:{n}", title=f"预警{n}", body="", item_keys=["本地论坛:1"],
        created_at=now, channels=["console"]), now) for n in (1, 2)]
    assert None not in ids
    case_id = CaseService(ctx.store, ctx.config).open_from_alert(
        int(ids[0] or 0), actor="tester", role="admin", unit="东区")
    page = client.get("/inbox").text
    row = page.split(f'data-alert="{ids[0]}"')[1].split("</tr>")[0]
    assert f'href="/cases/{case_id}"' in row and "收集" in row and "首次响应" in row
    assert "data-open-alert" not in row
    other = page.split(f'data-alert="{ids[1]}"')[1].split("</tr>")[0]
    assert f'data-open-alert="{ids[1]}"' in other and "立案" in other
    west = api_headers(ctx.store, "west", "handler", "西区")
    west_row = client.get("/inbox", headers=west).text.split(f'data-alert="{ids[0]}"')[1]
    assert f'href="/cases/{case_id}"' not in west_row.split("</tr>")[0]  # 东区's case
    opened = client.post("/api/cases", json={"actor": "tester", "role": "admin", "unit": "东区",
                                             "alert": ids[1]})
    assert opened.status_code == 201
    assert f'href="/cases/{opened.json()["id"]}"' in client.get("/inbox").text


def test_live_feed_items_carry_office_time_and_labels() -> None:
    doc = {"published_at": "2024-03-05T00:15:00+00:00", "media_type": "forum",
           "sentiment": "negative"}
    zh = views.as_shown(doc, "Asia/Shanghai", labeller(translator("zh")))
    assert (zh["shown_at"], zh["media_label"], zh["sentiment_label"]) == (
        "2024-03-05 08:15 (+08:00)", "论坛", "负面")
    en = views.as_shown({**doc, "sentiment": None}, "Asia/Shanghai", labeller(translator("en")))
    assert (en["media_label"], en["sentiment_label"]) == ("Forum", "")
    js = (web_dir("static") / "app.js").read_text(encoding="utf-8")
    assert "published_at.slice" not in js and "it.shown_at" in js


def test_the_shipped_font_is_served_and_named_by_the_css(served: tuple[TestClient, Context]
                                                        ) -> None:
    client, _ = served
    css = client.get("/static/app.css").text
    anonymous = TestClient(client.app)  # the login page needs it too
    for url, family in (("/static/fonts/yuqing-sans-sc.ttf", FAMILY),
                        ("/static/fonts/yuqing-sans-sc-ext.ttf", EXT_FAMILY)):
        answer = anonymous.get(url)
        assert answer.status_code == 200 and answer.headers["content-type"] == "font/ttf"
        assert answer.content == font_path(family).read_bytes()
        assert "max-age" in answer.headers["cache-control"]
        face = css.split(f'@font-face{{font-family:"{family}";')[1].split("}")[0]
        assert f"url({url})" in face
        assert f'"{family}"' in css.split("body{font-family:")[1].split(";")[0]
    # the main face leads the stack (boxes on a first page otherwise: tests/e2e/test_fonts.py)
    assert css.split("body{font-family:")[1].startswith(f'"{FAMILY}",')
    assert anonymous.get("/static/fonts/other.ttf").status_code == 404


def test_trend_and_timeline_charts_are_honest() -> None:
    js = (web_dir("static") / "app.js").read_text(encoding="utf-8")
    assert "smooth: true" not in js and "stack:" not in js and "areaStyle" not in js
    assert js.count('type: "time"') == 1 and "useUTC: true" in js
    for kind in ("trend", "sentiment", "timeline"):
        builder = js.split(f"    {kind}: ")[1].split("\n")[0]
        assert "timeChart(" in builder, kind
