"""The settings editor in headless Chromium (issue 17, "Done when"): an admin creates a scheme,
a lexicon term, a site source (fetched now first), a webhook channel (a test sent first) and
a unit in the browser, and each takes effect in the running app without a restart: the next
pushed item carries the scheme and the term, the running watcher polls the new source, the
pipeline's dispatcher holds the channel, the unit tree holds the unit.

Screenshots of the settings page in Chinese and English go to $YUQING_E2E_ARTIFACTS."""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from alert_servers import free_port, running_http_server
from site_pages import TZGG, running_county
from web_auth import TEST_PASSWORD, api_headers

from yuqing.cases.units import units_under
from yuqing.config import parse_config
from yuqing.runtime.context import Context
from yuqing.runtime.watch import Watcher
from yuqing.sources.http import HttpFetcher
from yuqing.web.accounts import Accounts
from yuqing.web.server import serve_in_thread

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (/usr/bin/chromium; .ci/run installs it)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
ARTIFACTS = Path(os.environ.get("YUQING_E2E_ARTIFACTS",
                                Path(tempfile.gettempdir()) / "yuqing-e2e"))

CONFIG = {"schemes": [{"name": "交通", "subject_words": ["车祸"]}],
          "alerts": {"channels": [{"name": "console", "kind": "console"}]},
          "cases": {"units": [{"name": "市网信办", "level": "city"}]}}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The app served over a fresh SQLite store, an admin ``e2e``, and a watcher built
    before any edit (it must take the new source without being rebuilt)."""
    ctx = Context(config=parse_config(CONFIG), database_url=f"sqlite:///{tmp_path / 'e.db'}")
    Accounts(ctx.store).add_user("e2e", TEST_PASSWORD, "admin")
    watcher = Watcher(ctx, fetcher=HttpFetcher(delay=0.0))
    port = free_port()
    server = serve_in_thread(ctx, port=port)
    end = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < end, "the web server did not start"
        time.sleep(0.05)
    yield {"base": f"http://127.0.0.1:{port}", "ctx": ctx, "watcher": watcher}
    server.stop()
    for thread in threading.enumerate():
        if thread.name == "yuqing-web":
            thread.join(15)
    watcher.close()
    ctx.close()


def shot(tab: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def save(tab: Any, form: str) -> None:
    """Submit ``form`` and wait for the page to load again with no error shown."""
    with tab.expect_navigation():
        tab.locator(f"#{form} button:not([type])").click()


def open_form(tab: Any, details: str) -> None:
    tab.locator(f"#{details} summary").click()


def drive_browser(base: str, site_url: str, hook_url: str) -> tuple[str, str, str, list[str]]:
    """Log in and make the five settings on the settings page; return the text of the fetch
    trial, the page's text in Chinese and in English, and the page errors seen."""
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        tab = browser.new_context(viewport={"width": 1366, "height": 900},
                                  locale="zh-CN").new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.goto(base + "/login")
        tab.fill("input[name=name]", "e2e")
        tab.fill("input[name=password]", TEST_PASSWORD)
        tab.click("button[type=submit]")
        tab.wait_for_url(base + "/")
        tab.goto(base + "/settings")

        open_form(tab, "scheme-details")
        tab.fill("#scheme-form [name=name]", "医疗")
        tab.fill("#scheme-form [name=subject_words]", "医院、卫健委")
        tab.locator("#scheme-form [data-try=scheme]").click()
        tab.wait_for_selector("#scheme-form .try-result:has-text('命中')")
        save(tab, "scheme-form")

        open_form(tab, "lexicon-details")
        tab.fill("#lexicon-form [name=category]", "民生")
        tab.fill("#lexicon-form [name=terms]", "挂号难")
        save(tab, "lexicon-form")

        open_form(tab, "source-details")
        tab.fill("#source-form [name=name]", "青山县政府")
        tab.select_option("#source-form [name=kind]", "site")
        tab.select_option("#source-form [name=media_type]", "gov")
        tab.fill("#source-form [name=url]", site_url)
        tab.fill("#source-form [name=options]", "delay = 0")
        tab.locator("#source-form [data-try=source]").click()
        tab.wait_for_selector("#source-form ol.trial li", timeout=30000)
        trial = tab.locator("#source-form .try-result").inner_text()
        save(tab, "source-form")

        open_form(tab, "channel-details")
        tab.fill("#channel-form [name=name]", "值班")
        tab.select_option("#channel-form [name=kind]", "webhook")
        tab.fill("#channel-form [name=url]", hook_url + "/ok")
        tab.fill("#channel-form [name=options]", "allow_internal = true")
        tab.locator("#channel-form [data-try=channel]").click()
        tab.wait_for_selector("#channel-form .try-result:has-text('发送成功')")
        save(tab, "channel-form")

        open_form(tab, "unit-details")
        tab.fill("#unit-form [name=name]", "青山县网信办")
        tab.fill("#unit-form [name=parent]", "市网信")  # a typo: refused, in Chinese
        tab.locator("#unit-form button:not([type])").click()
        refusal = tab.locator("#unit-form .form-error")
        refusal.filter(has_text="不是另一个已配置的单位").wait_for()
        assert "是否应为 '市网信办'" in refusal.inner_text()
        tab.fill("#unit-form [name=parent]", "市网信办")
        save(tab, "unit-form")
        page_text = tab.locator("main").inner_text()
        shot(tab, "settings-zh")
        tab.goto(base + "/settings?lang=en")
        shot(tab, "settings-en")
        english = tab.locator("main").inner_text()
        browser.close()
    return trial, page_text, english, errors


def test_settings_made_in_the_browser_take_effect_without_a_restart(served: dict[str, Any]
                                                                     ) -> None:
    base, ctx, watcher = served["base"], served["ctx"], served["watcher"]
    with running_county("127.0.0.2") as county, running_http_server() as hook:
        trial, page_text, english, errors = drive_browser(base, county.url(TZGG), hook.url)
        headers = api_headers(ctx.store, "pusher")
        pushed = httpx.post(base + "/api/items", headers=headers, json={
            "id": "p1", "source": "论坛", "text": "县医院门口排长队，挂号难，群众不满"})
        item = httpx.get(base + "/api/items/论坛:p1", headers=headers).json()
        polled = watcher.round()  # the watcher built before the edits

    assert errors == []
    assert "青山县" in trial  # what the source would collect, shown before saving
    for name in ("医疗", "民生", "青山县政府", "值班", "青山县网信办"):
        assert name in page_text
    assert "网站" in page_text and "网络回调" in page_text  # kinds shown by their labels
    assert "Website" in english and "Webhook" in english
    assert len(hook.requests) == 1  # the test alert went through the real channel
    assert pushed.status_code == 200
    assert item["schemes"] == ["医疗"]
    assert [t["term"] for t in item["sensitive_terms"]] == ["挂号难"]
    assert polled.stored >= 1 and "青山县政府" in watcher.health
    assert "值班" in ctx.pipeline.dispatcher.channels
    assert "青山县网信办" in units_under(ctx.config.cases.units, ctx.store, "市网信办")
    audit = [e["target"] for e in Accounts(ctx.store).read_audit(20, action="setting")]
    assert {"scheme:医疗", "lexicon:民生", "source:青山县政府", "channel:值班",
            "unit:青山县网信办"} <= set(audit)
