"""Shared set-up of the browser tests: Debian's chromium driven by Playwright's Python
package (no browser download), a tab logged in to a served app that fails the test on any
JavaScript error, and screenshots for people to look at.

Every test here is skipped, with the reason, when /usr/bin/chromium or playwright is
missing. Screenshots go to $YUQING_E2E_ARTIFACTS (default: <tmp>/yuqing-e2e).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from web_auth import TEST_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(os.environ.get("YUQING_E2E_ARTIFACTS",
                                Path(tempfile.gettempdir()) / "yuqing-e2e"))
#: the admin every browser test logs in as (created by the test's served app)
E2E_USER = "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip every browser test when chromium or playwright is missing."""
    reason = ""
    if not CHROMIUM.exists():
        reason = "Debian's chromium is not installed (/usr/bin/chromium; .ci/run installs it)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "playwright is not installed"
    if reason:
        here = Path(__file__).parent
        for item in items:
            if here in Path(str(item.path)).parents:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian chromium, one per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def logged_in(browser: Any, request: pytest.FixtureRequest) -> Iterator[Callable[[str], Any]]:
    """Return ``open(base) -> tab``: a new desktop-sized zh-CN tab logged in to the app at
    ``base`` as ``e2e`` (on the overview). The test fails afterwards when any tab it opened
    saw a console error or an uncaught exception."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_tab(base: str) -> Any:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        contexts.append(context)
        tab = context.new_page()
        tab.on("console", lambda m: errors.append(f"console: {m.text}")
               if m.type == "error" else None)
        tab.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        tab.goto(base + "/")
        assert "/login" in tab.url
        tab.fill("input[name=name]", E2E_USER)
        tab.fill("input[name=password]", TEST_PASSWORD)
        tab.click("button[type=submit]")
        tab.wait_for_url(base + "/")
        return tab

    yield open_tab
    for context in contexts:
        context.close()
    assert errors == [], f"JavaScript errors in {request.node.name}: {errors}"


@pytest.fixture
def shot() -> Callable[[Any, str], None]:
    """Return ``shot(tab, name)``: a full-page screenshot ARTIFACTS/<name>.png."""
    def take(tab: Any, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    return take
