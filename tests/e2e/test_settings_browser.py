"""The settings editor in headless Chromium (issue 17, "Done when"): an admin creates a scheme,
a lexicon term, a site source (fetched now first), a webhook channel (a test sent first) and
a unit in the browser, and each takes effect in the running app without a restart: the next
pushed item carries the scheme and the term, the running watcher polls the new source, the
pipeline's dispatcher holds the channel, the unit tree holds the unit.

Screenshots of the settings page in Chinese and English go to $YUQING_E2E_ARTIFACTS."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from alert_servers import running_http_server
from site_pages import TZGG, running_county
from web_auth import TEST_PASSWORD, api_headers
from web_server import serving

from yuqing.cases.units import units_under
from yuqing.config import parse_config
from yuqing.runtime.context import Context
from yuqing.runtime.watch import Watcher
from yuqing.sources.http import HttpFetcher
from yuqing.web.accounts import Accounts

T = TypeVar("T")
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
    with serving(ctx) as base:
        yield {"base": base, "ctx": ctx, "watcher": watcher}
    off_playwright(watcher.close)
    ctx.close()


def off_playwright(call: Callable[[], T]) -> T:
    """Return ``call()`` run in a thread of its own: the browser fixture's sync Playwright
    keeps an event loop running on the test's thread, and the watcher runs one of its own."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(call).result()


def save(tab: Any, form: str) -> None:
    """Submit ``form`` and wait for the page to load again with no error shown."""
    with tab.expect_navigation():
        tab.locator(f"#{form} button:not([type])").click()


def fill(tab: Any, section: str, values: dict[str, str]) -> None:
    """Open the ``section`` form (``#<section>-details``) and set each named field: a
    ``<select>`` by its option's value, any other field by typing."""
    tab.locator(f"#{section}-details summary").click()
    for name, value in values.items():
        field = tab.locator(f"#{section}-form [name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def try_out(tab: Any, section: str, shown: str) -> str:
    """Press the form's try button (fetch now, test send, scheme test) and return the text of
    its result once ``shown`` (a selector inside the form) appears."""
    tab.locator(f"#{section}-form [data-try={section}]").click()
    tab.wait_for_selector(f"#{section}-form {shown}", timeout=30000)
    return str(tab.locator(f"#{section}-form .try-result").inner_text())


def drive_browser(tab: Any, shot: Callable[[Any, str], None], base: str, site_url: str,
                  hook_url: str) -> tuple[str, str, str]:
    """Make the five settings on the settings page in the logged-in ``tab``; return the text
    of the fetch trial and the page's text in Chinese and in English."""
    tab.goto(base + "/settings")
    fill(tab, "scheme", {"name": "医疗", "subject_words": "医院、卫健委"})
    try_out(tab, "scheme", ".try-result:has-text('命中')")
    save(tab, "scheme-form")
    fill(tab, "lexicon", {"category": "民生", "terms": "挂号难"})
    save(tab, "lexicon-form")
    fill(tab, "source", {"name": "青山县政府", "kind": "site", "media_type": "gov",
                         "url": site_url, "options": "delay = 0"})
    trial = try_out(tab, "source", "ol.trial li")
    save(tab, "source-form")
    fill(tab, "channel", {"name": "值班", "kind": "webhook", "url": hook_url + "/ok",
                          "options": "allow_internal = true"})
    try_out(tab, "channel", ".try-result:has-text('发送成功')")
    save(tab, "channel-form")
    fill(tab, "unit", {"name": "青山县网信办", "parent": "市网信办"})  # a configured unit
    save(tab, "unit-form")
    page_text = tab.locator("main").inner_text()
    shot(tab, "settings-zh")
    tab.goto(base + "/settings?lang=en")
    shot(tab, "settings-en")
    english = tab.locator("main").inner_text()
    return trial, page_text, english


def test_settings_made_in_the_browser_take_effect_without_a_restart(
        served: dict[str, Any], logged_in: Callable[[str], Any], shot: Any) -> None:
    base, ctx, watcher = served["base"], served["ctx"], served["watcher"]
    with running_county("127.0.0.2") as county, running_http_server() as hook:
        trial, page_text, english = drive_browser(logged_in(base), shot, base,
                                                  county.url(TZGG), hook.url)
        headers = api_headers(ctx.store, "pusher")
        pushed = httpx.post(base + "/api/items", headers=headers, json={
            "id": "p1", "source": "论坛", "text": "县医院门口排长队，挂号难，群众不满"})
        item = httpx.get(base + "/api/items/论坛:p1", headers=headers).json()
        polled = off_playwright(watcher.round)  # the watcher built before the edits

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
