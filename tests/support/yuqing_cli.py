"""Helpers for the end-to-end tests of the `yuqing` command line and web app.

``CONFIG_TOML`` is a small monitoring config (two schemes, one alert rule
to the console channel) matching the hand-written fixtures
tests/fixtures/items/e2e_items.jsonl and e2e_items.csv.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import Result

#: ``invoke(*args)`` runs ``yuqing ARGS`` and returns the click Result
Invoke = Callable[..., Result]

FIXTURES = Path(__file__).parents[1] / "fixtures"

CONFIG_TOML = """\
timezone = "Asia/Shanghai"

[[schemes]]
name = "公共安全"
subject_words = ["警察", "车祸", "医院"]

[[schemes]]
name = "学校"
subject_words = ["学校", "学生"]

[[alerts.rules]]
name = "负面或敏感"
negative = true
sensitive = true
channels = ["console"]

[[alerts.channels]]
name = "console"
kind = "console"
style = "line"
"""


def write_toml(folder: Path, text: str, name: str = "yuqing.toml") -> Path:
    """Write the config ``text`` to ``folder``/``name`` (by default the file `yuqing` reads
    in its working folder); return the path."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def write_config(folder: Path, extra: str = "") -> Path:
    """Write CONFIG_TOML plus ``extra`` to ``folder``/test.toml; return the path."""
    return write_toml(folder, CONFIG_TOML + extra, "test.toml")


def one_json(result: Result) -> dict[str, Any]:
    """Return the single JSON document ``result`` printed on stdout (asserts there is exactly
    one)."""
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    doc = json.loads(lines[0])
    assert isinstance(doc, dict)
    return doc


def json_lines(result: Result) -> list[dict[str, Any]]:
    """Return the JSON lines ``result`` printed on stdout."""
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def flat(text: str) -> str:
    """``text`` with rich's line wrapping undone (all whitespace removed)."""
    return "".join(text.split())
