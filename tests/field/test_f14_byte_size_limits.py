"""F14 (docs/FIELD_CASES.md): message size limits are bytes.

200 alerts of 37 Chinese characters (111 UTF-8 bytes each) to a WeCom robot
(markdown limit 4096 bytes), against a REAL local WeCom-like server that
refuses (errcode 40058) any content over 4096 bytes. And one alert longer
than a message (a summary of many items) to WeCom, DingTalk and Feishu: sent
in numbered parts that each fit, split at line boundaries.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "alerts"))

from alert_servers import HttpServer, running_http_server  # noqa: E402
from alerts_helpers import make_alert  # noqa: E402

from yuqing.alerts.channels import (  # noqa: E402
    build_channel,
    channel_registry,
    register_builtin_channels,
)
from yuqing.alerts.channels.wecom import WeComChannel  # noqa: E402
from yuqing.alerts.render import escape_markdown  # noqa: E402
from yuqing.config import ChannelConfig  # noqa: E402
from yuqing.domain import Alert  # noqa: E402

TITLE_CHARS = 37
CHINESE_DIGITS = str.maketrans("0123456789", "零一二三四五六七八九")


@pytest.fixture
def http_server() -> Iterator[HttpServer]:
    with running_http_server() as server:
        yield server


def alerts() -> list[Alert]:
    out = []
    for n in range(200):
        alert = make_alert(n)
        alert.title = f"{n:03d}".translate(CHINESE_DIGITS) + "燃" * (TITLE_CHARS - 3)
        assert len(alert.title) == TITLE_CHARS and len(alert.title.encode()) == 111
        out.append(alert)
    return out


def test_split_on_alert_boundaries_within_4096_bytes(http_server: HttpServer) -> None:
    batch = alerts()
    results = WeComChannel("wx", http_server.url + "/wecom", rate_per_minute=0,
                           allow_internal=True).send(batch)
    assert all(r.ok for r in results), {r.error for r in results if not r.ok}
    contents = [json.loads(r["body"])["markdown"]["content"] for r in http_server.requests]
    sizes = [len(c.encode("utf-8")) for c in contents]
    assert max(sizes) <= 4096 and len(contents) > 1
    assert min(sizes[:-1]) > 4096 - 400  # packed, not one alert per message
    titles = [line[4:] for c in contents for line in c.splitlines() if line.startswith("### ")]
    assert titles == [a.title for a in batch]  # every alert once, in order, none cut


def summary_alert(lines: int) -> Alert:
    """A storm-summary-like alert: ``lines`` Chinese lines of 3-byte characters, each with a
    markdown link, so the rendered markdown is far over any robot's limit."""
    alert = make_alert(1)
    alert.body = "\n".join(
        f"{n:04d}".translate(CHINESE_DIGITS)
        + "号："
        + "燃气管道泄漏" * 6
        + f" [原文](https://weibo.com/1234567890/N{n:05d})"
        for n in range(lines)
    )
    return alert


def robot_texts(server: HttpServer, key: str) -> list[str]:
    docs = [json.loads(r["body"]) for r in server.requests]
    if key == "feishu":
        return [d["card"]["elements"][0]["content"] for d in docs]
    return [d["markdown"]["content" if key == "wecom" else "text"] for d in docs]


@pytest.mark.parametrize(("kind", "path", "limit", "lines"), [
    ("wecom", "/wecom", 4096, 100), ("dingtalk", "/robot", 18_000, 300),
    ("feishu", "/feishu", 18_000, 300)])
def test_a_long_alert_goes_in_numbered_parts_that_each_fit(
        http_server: HttpServer, kind: str, path: str, limit: int, lines: int) -> None:
    alert = summary_alert(lines)
    options: dict[str, object] = {"url": http_server.url + path, "allow_internal": True,
                                  "keyword": "舆情预警", "rate_per_minute": 0}
    channel = build_channel(register_builtin_channels(channel_registry()),
                            ChannelConfig(name="r", kind=kind, **options))
    [result] = channel.send([alert])
    assert result.ok, result.error
    texts = robot_texts(http_server, kind)
    n = len(texts)
    assert n > 1 and all(len(t.encode("utf-8")) <= limit for t in texts)
    assert max(len(t.encode("utf-8")) for t in texts) > limit * 0.9  # parts are full
    assert all(len(r["body"]) <= 20 * 1024 for r in http_server.requests)  # Feishu's 20 KB
    assert all("舆情预警" in t for t in texts)  # the robot's keyword in every part (F13)
    marks = [t.removeprefix("舆情预警\n\n").split("\n")[0] for t in texts]
    assert marks == [f"({k}/{n})" for k in range(1, n + 1)]
    # every line of the alert arrives once, whole (no line, character or link is cut)
    got = [x for t in texts for x in t.split("\n") if x.startswith("- ")]
    assert got[2:] == [f"- {escape_markdown(x)}" for x in alert.body.splitlines()]


def test_a_part_refused_fails_the_alert_and_names_the_part(http_server: HttpServer) -> None:
    channel = WeComChannel("wx", http_server.url + "/wecom", rate_per_minute=0,
                           allow_internal=True, max_bytes=5000)  # parts over WeCom's 4096
    [result] = channel.send([summary_alert(100)])
    assert not result.ok and not result.retryable
    assert result.error == "part 1/4: WeCom errcode 40058: markdown.content exceed max length 4096"
    assert len(http_server.requests) == 1  # the later parts were not sent
