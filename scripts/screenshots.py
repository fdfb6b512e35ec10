"""Screenshots of every page of the web app, in Chinese and English, for people to review.

Builds a demo store (``yuqing demo`` on the bundled Weibo hot-search topics, into a
temporary SQLite file), adds what the demo lacks for some pages (two sources with
health, a petition, cases from alerts through ``seed_demo``), serves the app on a free
local port and photographs each page with headless Chromium (Debian's
``/usr/bin/chromium`` through Playwright; nothing is downloaded). Prints one JSON
object: the pages taken, the PNG files and every JavaScript console error per page.

    python scripts/screenshots.py [--out DIR] [--width 1366] [--pages overview,events]

The PNGs are not committed; look at them (an image viewer, or the file tool).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from yuqing.cases import intake
from yuqing.cases.inputs import PetitionInput
from yuqing.cases.service import CaseService
from yuqing.cli.demo import demo_config_path
from yuqing.config import load_config
from yuqing.runtime.context import Context
from yuqing.sources.health import SourceHealth
from yuqing.web.demo_seed import DEMO_UNIT, seed_demo
from yuqing.web.server import serve_in_thread

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
#: sources the demo config lacks, so that the source-health page has rows
SOURCES_TOML = """
[[sources]]
name = "市政府网站"
kind = "rss"
url = "http://127.0.0.1:9/feed.xml"
interval = 600

[[sources]]
name = "平台导出"
kind = "file"
path = "exports/*.jsonl"
interval = 300
"""


def build_store(folder: Path) -> Context:
    """Run ``yuqing demo`` into ``folder/demo.db``; return a Context on it (demo config and
    two sources) with health for the sources and a petition stored."""
    db = f"sqlite:///{folder / 'demo.db'}"
    yuqing = Path(sys.executable).with_name("yuqing")
    subprocess.run([str(yuqing), "demo", "--db", db, "--json"], check=True,
                   stdout=subprocess.DEVNULL)
    config_file = folder / "yuqing.toml"
    config_file.write_text(demo_config_path().read_text(encoding="utf-8") + SOURCES_TOML,
                           encoding="utf-8")
    ctx = Context(config=load_config(config_file), database_url=db)
    now = datetime.now(UTC)
    web = SourceHealth("市政府网站", 600)
    for hours in (5, 4, 3):
        web.record_success(12, now - timedelta(hours=hours))
    web.note_published(now - timedelta(hours=2, minutes=10))
    web.record_failure("连接被拒绝 (127.0.0.1:9)", now - timedelta(minutes=20))
    ctx.store.save_source_state(web.saved_state(now))
    return ctx


def add_petition(ctx: Context) -> None:
    """Take in one petition at the demo unit (it opens a case)."""
    intake.add_petition(CaseService(ctx.store, ctx.config), PetitionInput(
        channel="phone", unit=DEMO_UNIT, addressed_level="county",
        subject="反映某中学食堂饭菜质量差、价格高，多次向学校反映未果",
        accused="某中学", contact={"name": "张先生", "phone": "13800001234"}),
        actor="demo", role="admin")


def page_paths(ctx: Context) -> dict[str, str]:
    """Return ``{name: path}`` of every page, with an item, an event, a case and a rule."""
    item = ctx.store.iter_items(limit=1)[0]
    event = ctx.store.reports.events(order="heat", limit=1)[0]
    case = CaseService(ctx.store, ctx.config).list(limit=1)[0]
    rule = ctx.config.alerts.rules[0].name
    return {
        "login": "/login", "overview": "/", "overview-filtered":
            f"/?since=2000-01-01&scheme={quote(ctx.config.schemes[0].name)}",
        "feed": "/feed", "item": f"/items/{quote(item.key, safe='')}",
        "events": "/events", "event": f"/events/{quote(event['id'])}",
        "inbox": "/inbox", "cases": "/cases", "case": f"/cases/{case['id']}",
        "petitions": "/petitions", "petition-new": "/petitions/new", "sources": "/sources",
        "settings": "/settings", "rules": "/settings/alert-rules",
        "rule": f"/settings/alert-rules/{quote(rule)}/edit", "reports": "/reports",
    }


def shoot(base: str, name: str, password: str, paths: dict[str, str], out: Path,
          width: int) -> dict[str, Any]:
    """Photograph every page of ``paths`` in zh and en; return files and console errors."""
    from playwright.sync_api import sync_playwright

    done: dict[str, Any] = {"files": [], "errors": {}, "missing": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for lang in ("zh", "en"):
            context = browser.new_context(viewport={"width": width, "height": 900},
                                          locale="zh-CN" if lang == "zh" else "en-GB")
            context.add_cookies([{"name": "yq_lang", "value": lang, "url": base}])
            tab = context.new_page()
            errors: list[str] = []
            tab.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda x, e=errors: e.append(str(x)))
            tab.goto(base + "/login")
            tab.screenshot(path=str(out / f"{lang}-login.png"), full_page=True)
            tab.fill("input[name=name]", name)
            tab.fill("input[name=password]", password)
            tab.click("button[type=submit]")
            tab.wait_for_url(base + "/")
            for page, path in paths.items():
                if page == "login":
                    continue
                errors.clear()
                answer = tab.goto(base + path)
                if answer is None or answer.status == 404:
                    done["missing"].append(path)
                    continue
                charts = tab.locator("[data-chart]").count()
                if charts:
                    tab.wait_for_function(
                        "n => document.querySelectorAll('[data-drawn=\"1\"]').length === n",
                        arg=charts, timeout=20000)
                tab.evaluate("document.fonts.ready")
                time.sleep(0.5)  # chart animations
                file = out / f"{lang}-{page}.png"
                tab.screenshot(path=str(file), full_page=True)
                done["files"].append(str(file))
                if errors:
                    done["errors"][f"{lang} {path}"] = list(errors)
            context.close()
        browser.close()
    return done


def main() -> None:
    """Parse the arguments, build the demo, serve it, take the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "yuqing-shots")
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        ctx = build_store(Path(tmp))
        name, password = seed_demo(ctx)
        add_petition(ctx)
        paths = page_paths(ctx)
        if args.pages:
            paths = {k: v for k, v in paths.items() if k in args.pages.split(",")}
        server = serve_in_thread(ctx, port=args.port)
        while not server.started:
            time.sleep(0.05)
        try:
            done = shoot(f"http://127.0.0.1:{args.port}", name, password, paths, args.out,
                         args.width)
        finally:
            server.stop()
            ctx.close()
    print(json.dumps({"pages": sorted(paths), **done}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
