"""The first page a fresh browser opens on a machine without a Chinese font shows Chinese
in the shipped face (web/fonts.py, app.css), not empty boxes; the English navigation
fits one row of a 1366 px wide screen.

Chromium runs with a fontconfig file listing only the DejaVu fonts, so no system font
has a hanzi whatever the machine holds. The login page is measured right after its
``load`` event, without waiting for ``document.fonts.ready``: each hanzi of the shipped
face (Noto Sans SC) is one em wide, a box of DejaVu's .notdef 0.6 em. (document.fonts.check
answers true while the boxes stay on screen, so widths are measured.) Screenshots go to
$YUQING_E2E_ARTIFACTS (default: <tmp>/yuqing-e2e).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alert_servers import free_port
from web_auth import TEST_PASSWORD

from yuqing.config import parse_config
from yuqing.runtime.context import Context
from yuqing.web.accounts import Accounts
from yuqing.web.server import serve_in_thread

CHROMIUM = Path("/usr/bin/chromium")
LATIN_FONTS = Path("/usr/share/fonts/truetype/dejavu")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (/usr/bin/chromium; .ci/run installs it)",
                allow_module_level=True)
if not LATIN_FONTS.is_dir():
    pytest.skip(f"no DejaVu fonts in {LATIN_FONTS} (fonts-dejavu-core)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(os.environ.get("YUQING_E2E_ARTIFACTS",
                                Path(tempfile.gettempdir()) / "yuqing-e2e"))
#: the width in em of the first ``n`` characters of the first text node of ``selector``
WIDTH_EM = """([selector, n]) => {
  const el = document.querySelector(selector);
  const node = [...el.childNodes].find(c => c.nodeType === 3 && c.textContent.trim());
  const start = node.textContent.search(/\\S/);
  const range = document.createRange();
  range.setStart(node, start); range.setEnd(node, start + n);
  return range.getBoundingClientRect().width / parseFloat(getComputedStyle(el).fontSize);
}"""


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A served app with an empty store and an admin ``e2e``."""
    folder = tmp_path_factory.mktemp("fonts")
    ctx = Context(config=parse_config({}), database_url=f"sqlite:///{folder / 'fonts.db'}")
    Accounts(ctx.store).add_user("e2e", TEST_PASSWORD, "admin")
    server = serve_in_thread(ctx, port=(port := free_port()))
    end = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < end, "the web server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.stop()
    for thread in threading.enumerate():
        if thread.name == "yuqing-web":
            thread.join(15)
    ctx.close()


def launch(pw: Any, folder: Path, *font_dirs: Path) -> Any:
    """Chromium seeing only the fonts of ``font_dirs`` (a FONTCONFIG_FILE in ``folder``)."""
    conf = folder / "fonts.conf"
    dirs = "".join(f"<dir>{d}</dir>" for d in font_dirs)
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
                    f"<fontconfig>{dirs}<cachedir>{folder / 'cache'}</cachedir>"
                    '<include ignore_missing="yes">/etc/fonts/conf.d</include>'
                    "</fontconfig>", encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, env=env)


@pytest.fixture(scope="module")
def pw() -> Iterator[Any]:
    """Playwright, one per module (its sync API cannot nest)."""
    with sync_api.sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def latin_only_browser(pw: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Chromium seeing only the DejaVu fonts, as on a machine without a Chinese font."""
    chromium = launch(pw, tmp_path_factory.mktemp("fontconfig"), LATIN_FONTS)
    yield chromium
    chromium.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chinese_renders_in_the_shipped_face_on_the_first_page(
        base: str, latin_only_browser: Any, lang: str) -> None:
    context = latin_only_browser.new_context(viewport={"width": 1366, "height": 700})
    try:
        page = context.new_page()
        page.goto(f"{base}/login?lang={lang}", wait_until="load")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"fonts-login-{lang}.png"))
        if lang == "zh":  # the bold heading 舆情监测 and the label 用户名
            assert page.evaluate(WIDTH_EM, ["form.login h1", 4]) == pytest.approx(4, abs=0.1)
            assert page.evaluate(WIDTH_EM, ["form.login label", 3]) == pytest.approx(3, abs=0.1)
        else:  # the link back to Chinese
            assert page.evaluate(WIDTH_EM, ["form.login p.muted a", 2]) == pytest.approx(
                2, abs=0.1)
            # Latin text is left to the machine's fonts: the shipped face is not asked for it
            assert page.evaluate(WIDTH_EM, ["form.login h1", 6]) < 5
    finally:
        context.close()


def test_the_english_navigation_fits_one_row_at_1366_px(base: str, latin_only_browser: Any
                                                        ) -> None:
    context = latin_only_browser.new_context(viewport={"width": 1366, "height": 700})
    try:
        page = context.new_page()
        page.goto(f"{base}/login?lang=en")
        page.fill("input[name=name]", "e2e")
        page.fill("input[name=password]", TEST_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/lang/en?next=/settings")
        assert page.locator("header nav a[href='/settings']").inner_text() == "Settings"
        page.screenshot(path=str(ARTIFACTS / "fonts-settings-en.png"))
        header = page.evaluate("document.querySelector('header.top').offsetHeight")
        link = page.evaluate("document.querySelector('header nav a').offsetHeight")
        assert header < 2 * link, (header, link)  # one row: padding plus one link
    finally:
        context.close()


def test_a_machine_with_a_chinese_font_downloads_none(base: str, pw: Any, tmp_path: Path
                                                     ) -> None:
    """The shipped face leads the stack, but its local() sources take the machine's own
    Chinese font first: here the shipped file renamed "Noto Sans CJK SC" and installed
    (fontconfig), so the page asks for no font file."""
    from fontTools.ttLib import TTFont

    from yuqing.reports.fonts import font_path

    installed = tmp_path / "fonts"
    installed.mkdir()
    face = TTFont(font_path())
    for record, text in ((1, "Noto Sans CJK SC"), (4, "Noto Sans CJK SC"),
                         (6, "NotoSansCJKsc-Regular")):
        face["name"].setName(text, record, 3, 1, 0x409)
        face["name"].setName(text, record, 1, 0, 0)
    face.save(installed / "NotoSansCJKsc-Regular.ttf")
    chromium = launch(pw, tmp_path, LATIN_FONTS, installed)
    try:
        page = chromium.new_page(viewport={"width": 1366, "height": 700})
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url))
        page.goto(f"{base}/login?lang=zh", wait_until="load")
        page.wait_for_timeout(300)
        assert page.evaluate(WIDTH_EM, ["form.login h1", 4]) == pytest.approx(4, abs=0.1)
        assert [u for u in fetched if "/static/fonts/" in u] == []
    finally:
        chromium.close()
