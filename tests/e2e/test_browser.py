"""End-to-end tests of the web app in headless Chromium (Debian's chromium, driven by
Playwright's Python package; no browser download): log in, overview with charts drawn,
search the feed, open an event and its propagation graph, acknowledge an alert, move a
case one stage, the phone layout. Any JavaScript console error fails the test; the browser,
the logged-in tab and the screenshots are tests/e2e/conftest.py's.

The items are written here: an invented incident (a post, reposts of it, news reports)
plus unrelated posts, so that events, alerts and a case exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from web_auth import TEST_PASSWORD
from web_server import serving

from yuqing.cases.service import CaseService
from yuqing.config import parse_config
from yuqing.runtime.context import Context
from yuqing.sources.records import raw_from_record
from yuqing.web.accounts import Accounts

CONFIG = {
    "timezone": "Asia/Shanghai",
    "schemes": [{"name": "公共安全", "subject_words": ["警察", "民警", "车祸", "事故", "派出所"]}],
    "alerts": {"rules": [{"name": "负面或敏感", "negative": True, "sensitive": True,
                          "channels": ["console"]}],
               "channels": [{"name": "console", "kind": "console", "style": "line"}]},
    "cases": {"units": [{"name": "区网信办"}]},
}


def incident_records(now: datetime) -> list[dict[str, Any]]:
    """An invented incident spreading over two hours, and unrelated posts."""
    start = now - timedelta(hours=3)
    origin = {"id": "9000001", "source": "weibo", "author": "目击者小王",
              "text": "XX路口发生严重车祸，一辆货车撞上电动车，民警已到场处置，现场很混乱",
              "published_at": start.isoformat(), "reposts": 40}
    rows = [origin]
    for i in range(12):
        parent = "9000001" if i < 5 else f"90001{i % 5:02d}"
        rows.append({"id": f"90001{i:02d}", "source": "weibo", "author": f"网友{i}",
                     "parent_id": parent, "reposts": 8 if i < 5 else 0,
                     "text": f"转发：XX路口严重车祸，民警到场，希望伤者平安 {i}",
                     "published_at": (start + timedelta(minutes=6 * (i + 1))).isoformat()})
    for i in range(4):
        rows.append(
            {
                "id": f"n{i}",
                "source": "news",
                "media_type": "news",
                "title": "XX路口发生交通事故 警方通报",
                "author": "城市日报",
                "text": "记者从交警部门获悉，XX路口发生一起货车与电动车相撞的交通事故，"
                f"民警到场处置。报道{i}",
                "published_at": (start + timedelta(minutes=50 + 7 * i)).isoformat(),
            }
        )
    for i in range(10):
        rows.append({"id": f"x{i}", "source": "forum", "media_type": "forum",
                     "text": f"北京周末天气晴好，公园赏花的人很多，大家注意防晒 {i}",
                     "published_at": (start + timedelta(minutes=9 * i)).isoformat()})
    return rows


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A served app with the incident stored, an admin ``e2e`` and one open case."""
    folder = tmp_path_factory.mktemp("e2e")
    ctx = Context(config=parse_config(CONFIG), database_url=f"sqlite:///{folder / 'e2e.db'}")
    now = datetime.now(UTC)
    raws = [raw_from_record(r, source=r["source"], tz="Asia/Shanghai",
                            media_type=r.get("media_type", "weibo"), origin=f"e2e[{i}]",
                            fetched_at=now) for i, r in enumerate(incident_records(now))]
    outcome = ctx.pipeline.process(raws)
    assert outcome.alerts >= 1
    Accounts(ctx.store).add_user("e2e", TEST_PASSWORD, "admin", "区网信办")
    case_id = CaseService(ctx.store, ctx.config).open_case(
        "XX路口车祸舆情", actor="e2e", role="admin", unit="区网信办", suggested_class=2)
    with serving(ctx) as base:
        yield {"base": base, "case_id": case_id, "ctx": ctx}
    ctx.close()


@pytest.fixture
def page(logged_in: Callable[[str], Any], site: dict[str, Any]) -> Any:
    """A tab logged in to the site; the test fails on any console error or uncaught
    exception (tests/e2e/conftest.py)."""
    return logged_in(site["base"])


def charts_drawn(tab: Any) -> None:
    total = tab.locator("[data-chart]").count()
    assert total > 0
    tab.wait_for_function("n => document.querySelectorAll('[data-drawn=\"1\"]').length === n",
                          arg=total, timeout=15000)


def test_overview_draws_every_chart(page: Any, shot: Any) -> None:
    charts_drawn(page)
    assert page.locator("[data-chart] canvas").count() == 4  # trend, media, words, map
    assert int(page.locator("#kpi-volume").inner_text()) >= 27
    assert page.locator("ol.events li a").count() >= 1
    assert page.locator("#kpi-near").inner_text() == "1"  # one case, two deadlines
    shot(page, "01-overview")


def test_feed_search_highlights(page: Any, site: dict[str, Any], shot: Any) -> None:
    page.goto(site["base"] + "/feed")
    page.fill("#feed-q", "民警")
    page.press("#feed-q", "Enter")
    page.wait_for_url("**/feed?q=*")
    rows = page.locator("#feed-list li.item")
    assert rows.count() >= 10
    assert page.locator("#feed-list mark.hl-k").first.inner_text() in {"民警", "车祸"}
    assert "天气" not in page.locator("#feed-list").inner_text()
    shot(page, "02-feed-search")


def test_event_page_draws_the_propagation_graph(page: Any, site: dict[str, Any],
                                                shot: Any) -> None:
    charts_drawn(page)
    page.locator("ol.events li a", has_text="车祸").first.click()
    page.wait_for_url("**/events/*")
    charts_drawn(page)
    graph = page.evaluate("document.getElementById('event-graph')._chart.getOption().series[0]")
    assert len(graph["data"]) >= 10 and len(graph["links"]) >= 10
    sizes = sorted(n["symbolSize"] for n in graph["data"])
    assert sizes[-1] > sizes[0]  # amplifiers are drawn bigger
    shot(page, "03-event")


def test_acknowledge_an_alert(page: Any, site: dict[str, Any], shot: Any) -> None:
    page.goto(site["base"] + "/inbox")
    row = page.locator("tr.open").first
    alert_id = row.get_attribute("data-alert")
    row.locator("button[data-ack]").click()
    page.wait_for_selector(f"tr[data-alert='{alert_id}'].acked")
    page.reload()
    assert "e2e" in page.locator(f"tr[data-alert='{alert_id}']").inner_text()
    shot(page, "04-inbox")


def test_move_a_case_one_stage(page: Any, site: dict[str, Any], shot: Any) -> None:
    page.goto(f"{site['base']}/cases")
    card = page.locator(f"[data-state=collected] [data-case='{site['case_id']}']")
    assert card.count() == 1
    card.click()
    page.fill("#case-form textarea[name=note]", "已核实：交警部门确认事故属实")
    page.click("#case-form button[data-move=verified]")
    page.wait_for_selector("text=已核实：交警部门确认事故属实")
    page.goto(f"{site['base']}/cases")
    assert page.locator(f"[data-state=verified] [data-case='{site['case_id']}']").count() == 1
    page.goto(f"{site['base']}/cases/{site['case_id']}")
    log = page.locator("table").last.inner_text()
    assert "查看" in log and "view" not in log and "verified" not in log  # words, not codes
    shot(page, "05-case")


def test_phone_layout_and_english(page: Any, site: dict[str, Any], shot: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site["base"] + "/lang/en?next=/")
    charts_drawn(page)
    assert page.locator("nav").is_hidden()  # behind the menu button on a phone
    page.click("label.burger")
    assert page.locator("nav a", has_text="Feed").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the page scrolls sideways on a phone ({width}px)"
    shot(page, "06-phone-en")


def test_add_an_alert_rule_with_the_form(page: Any, site: dict[str, Any],
                                         shot: Any) -> None:
    page.goto(site["base"] + "/settings")
    page.click("#manage-rules")
    page.wait_for_url("**/settings/alert-rules")
    assert page.locator("tr[data-rule='负面或敏感']").count() == 1
    page.click("#new-rule")
    page.fill("#rule-form input[name=name]", "燃气夜间")
    page.check("#rule-form input[name=schemes][value='公共安全']")
    page.select_option("#rule-form select[name=level]", "II")
    page.fill("#rule-form textarea[name=keywords]", "燃气\n爆炸")
    page.check("#rule-form input[name=media_types][value=weibo]")
    page.check("#rule-form input[name=handling_classes][value='2']")
    page.fill("#rule-form input[name=quiet_hours]", "晚上十点")
    page.click("#save-rule")
    error = page.locator(".field-error[data-field=quiet_hours]")
    assert error.inner_text() == "时段格式应为 22:00-07:00"
    shot(page, "07-rule-form-error")
    page.fill("#rule-form input[name=quiet_hours]", "22:00-07:00")
    page.click("#save-rule")
    page.wait_for_url("**/settings/alert-rules?saved=*")
    row = page.locator("tr[data-rule='燃气夜间']")
    assert "燃气、爆炸" in row.inner_text() and "22:00-07:00" in row.inner_text()
    shot(page, "08-alert-rules")
    assert site["ctx"].pipeline.rulebook.refresh()  # the running pipeline takes the new rule
    stored = {r.name: r.cfg for r in site["ctx"].pipeline.rulebook.rules}
    assert stored["燃气夜间"].keywords == ["燃气", "爆炸"]
    assert (stored["燃气夜间"].level, stored["燃气夜间"].handling_classes) == ("II", [2])


def test_new_pages_and_honest_charts(page: Any, site: dict[str, Any], shot: Any) -> None:
    """The events, petitions and source-health pages load without a console error; the
    trend is three plain lines on a time axis; the alerts inbox opens a case from an alert
    and then shows it; the live feed shows a pushed item at its office-zone time."""
    charts_drawn(page)
    trend = page.evaluate(
        "document.querySelector('[data-chart=trend]')._chart.getOption()")
    assert trend["xAxis"][0]["type"] == "time" and trend["useUTC"] is True
    assert [(s["type"], s.get("stack"), s["smooth"]) for s in trend["series"]] == [
        ("line", None, False)] * 3
    assert page.evaluate("document.fonts.check('16px \"Yuqing Sans SC\"', '舆情')")
    page.goto(site["base"] + "/events?order=size")
    rows = page.locator("#event-table tr[data-event]")
    assert rows.count() >= 1
    rows.first.locator("a").first.click()
    page.wait_for_url("**/events/*")
    charts_drawn(page)
    timeline = page.evaluate(
        "document.querySelector('[data-chart=timeline]')._chart.getOption().xAxis[0].type")
    assert timeline == "time"
    shot(page, "10-events")
    for path, table in (("/petitions", "#petition-table"), ("/sources", "#source-table")):
        page.goto(site["base"] + path)
        assert page.locator(table).count() == 1, path
    page.goto(site["base"] + "/inbox")
    button = page.locator("button[data-open-alert]").first
    alert_id = button.get_attribute("data-open-alert")
    button.click()
    page.wait_for_url("**/cases/*")
    case_url = page.url
    page.goto(site["base"] + "/inbox")
    row = page.locator(f"tr[data-alert='{alert_id}'] td.linked-case")
    assert row.locator("a").get_attribute("href") == case_url.replace(site["base"], "")
    assert "收集" in row.inner_text() and "剩余" in row.inner_text()
    shot(page, "11-inbox-case")
    page.goto(site["base"] + "/feed")
    page.wait_for_timeout(500)
    site["ctx"].pipeline.process([raw_from_record(
        {"id": "live1", "text": "实时推送的一条车祸消息", "source": "weibo",
         "published_at": "2024-03-05T00:15:00+00:00"}, source="weibo", tz="Asia/Shanghai",
        media_type="weibo", origin="e2e-live", fetched_at=datetime.now(UTC))])
    fresh = page.locator("#feed-list li.fresh").first
    fresh.wait_for(timeout=15000)
    assert "2024-03-05 08:15 (+08:00)" in fresh.inner_text() and "微博" in fresh.inner_text()


HOSTILE = "<script>alert('x')</script><img src=x onerror=alert('y')>"


def test_stored_script_is_shown_escaped_everywhere(page: Any, site: dict[str, Any],
                                                   shot: Any) -> None:
    """A ``<script>`` (and an ``onerror`` image) stored in every text field a person or a
    collected post can fill shows as text on every page: no dialog opens, and the CSP
    reports no violation (the page fixture fails on console errors). Runs last: it adds
    a case, a petition and an alert to the shared site."""
    from yuqing.cases import intake
    from yuqing.cases.inputs import PetitionInput
    from yuqing.domain import Alert

    ctx = site["ctx"]
    now = datetime.now(UTC)
    record = {"id": "evil1", "source": "weibo", "text": f"车祸现场 {HOSTILE}", "title": HOSTILE,
              "author": HOSTILE, "url": "javascript:alert(1)", "published_at": now.isoformat()}
    ctx.pipeline.process([raw_from_record(record, source="weibo", tz="Asia/Shanghai",
                                          media_type="weibo", origin="e2e-hostile",
                                          fetched_at=now)])
    service = CaseService(ctx.store, ctx.config)
    case_id = service.open_case(HOSTILE, actor="e2e", role="admin", unit="区网信办")
    service.act(case_id, "comment", actor="e2e", role="admin", note=HOSTILE)
    intake.add_petition(service, PetitionInput(channel="letter", subject=HOSTILE,
                                               unit="区网信办", accused=HOSTILE,
                                               contact={"name": HOSTILE}),
                        actor="e2e", role="admin")
    ctx.store.alerts.record_alert(Alert(rule=HOSTILE, dedup_key="evil", title=HOSTILE,
                                        body=HOSTILE, item_keys=["weibo:evil1"],
                                        created_at=now, channels=["console"]), now)
    Accounts(ctx.store).add_unit(HOSTILE)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    item = ctx.store.get_item("weibo:evil1")
    paths = ["/", "/feed", "/feed?q=车祸", "/items/weibo:evil1", "/inbox",
             "/cases", f"/cases/{case_id}", "/petitions/new", "/petitions", "/events",
             "/sources", "/settings",
             "/settings/alert-rules"]
    if item is not None and item.event_id:
        paths.append(f"/events/{item.event_id}")
    for path in paths:
        answer = page.goto(site["base"] + path)
        assert answer is not None and answer.status == 200, path
        csp = answer.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert answer.headers.get("x-frame-options") == "DENY", path
        page.wait_for_timeout(300)
    assert dialogs == []
    page.goto(site["base"] + f"/cases/{case_id}")
    assert "<script>alert('x')</script>" in page.locator("body").inner_text()
    assert page.locator("script:not([src]):not([type='application/json'])").count() == 0
    shot(page, "09-hostile-text")
