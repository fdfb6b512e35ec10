"""Tests of the console channel: what it writes, and where."""

from __future__ import annotations

import io

import pytest
from alerts_helpers import make_alert

from yuqing.alerts.channels.console import SEPARATOR, ConsoleChannel, console_from_config
from yuqing.config import ChannelConfig


def test_writes_text_blocks_to_the_stream() -> None:
    out = io.StringIO()
    results = ConsoleChannel(stream=out).send([make_alert(1), make_alert(2)])
    assert [r.ok for r in results] == [True, True]
    blocks = out.getvalue().split(SEPARATOR + "\n")
    assert blocks[0].startswith("【舆情预警】燃气安全：负面 — 第1条\n预警级别：III  规则：燃气\n\n")
    assert blocks[1].startswith("【舆情预警】燃气安全：负面 — 第2条\n")
    assert blocks[2] == ""


def test_defaults_to_stderr_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    ch = console_from_config(ChannelConfig(name="screen", kind="console", lang="en"))
    assert ch.send([make_alert()])[0].ok
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Level: III  Rule: 燃气" in captured.err
