"""Every string the pages show is in the English catalogue (web/i18n.py)."""

from __future__ import annotations

import re
from pathlib import Path

from yuqing.web.i18n import EN, translator

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
