"""Pages that only JavaScript fills (``render = true`` of a site source): headless Chromium.

The page itself is still fetched by the caller through the collection policy
(robots.txt, per-host turns, size cap: sources/http.py); :meth:`Renderer.render`
then hands those bytes to Chromium as the answer for the page's URL
(``page.route`` + ``route.fulfill``), lets its scripts run until the network is
idle (at most ``RENDER_TIMEOUT_S``), and returns the DOM as HTML. The requests
the scripts make (the JSON a list is built from) go out from Chromium
directly.

The browser is Debian's ``chromium`` (``/usr/bin/chromium``, or the path in
``YUQING_CHROMIUM``), driven by Playwright's Python package, the optional
extra ``render`` (``pip install 'yuqing[render]'``); Playwright's own browser
download is never used. Without either, :meth:`Renderer.render` raises
:class:`RenderUnavailable` saying what to install. One browser is started by
the first render of a poll and closed by :meth:`Renderer.aclose`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from yuqing.domain import BadInput
from yuqing.sources.polling import FetchError

CHROMIUM = "/usr/bin/chromium"
#: longest wait for a rendered page's network to go idle, seconds
RENDER_TIMEOUT_S = 20.0
_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


class RenderUnavailable(BadInput):
    """``render = true`` but Playwright or Chromium is missing: the message says what to
    install."""


def chromium_path() -> Path:
    """Return the Chromium executable to drive (``YUQING_CHROMIUM`` or /usr/bin/chromium)."""
    return Path(os.environ.get("YUQING_CHROMIUM") or CHROMIUM)


class Renderer:
    """Renders pages in one headless Chromium, started on first use (module doc)."""

    def __init__(self) -> None:
        self._playwright: Any = None
        self._browser: Any = None

    async def _start(self) -> Any:
        """Return the running browser, starting Playwright and Chromium if needed."""
        if self._browser is not None:
            return self._browser
        exe = chromium_path()
        if not exe.exists():
            raise RenderUnavailable(
                f"render = true needs Debian's chromium at {exe} (apt-get install chromium, "
                f"or set YUQING_CHROMIUM); Playwright's browser download is not used")
        try:
            from playwright.async_api import async_playwright
        except ImportError:
            raise RenderUnavailable("render = true needs Playwright: pip install "
                                    "'yuqing[render]'") from None
        self._playwright = await async_playwright().start()
        self._browser = await self._playwright.chromium.launch(executable_path=str(exe),
                                                               args=_ARGS)
        return self._browser

    async def render(self, url: str, html: str) -> str:
        """Return the DOM of ``html`` served as ``url`` after its scripts ran, as HTML.
        Raises RenderUnavailable (see the module doc), or FetchError naming ``url`` when
        Chromium fails on the page (a timeout: asked again at the next poll)."""
        browser = await self._start()
        from playwright.async_api import Error as PlaywrightError

        context = await browser.new_context()
        try:
            page = await context.new_page()

            async def answer(route: Any) -> None:
                await route.fulfill(status=200, body=html,
                                    content_type="text/html; charset=utf-8")

            await page.route(url, answer)
            await page.goto(url, wait_until="networkidle", timeout=RENDER_TIMEOUT_S * 1000)
            return str(await page.content())
        except PlaywrightError as exc:
            raise FetchError(url, f"rendering failed ({exc.message})") from None
        finally:
            await context.close()

    async def aclose(self) -> None:
        """Close the browser and Playwright (a no-op when none was started)."""
        if self._browser is not None:
            await self._browser.close()
            self._browser = None
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None
