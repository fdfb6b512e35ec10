"""One table-driven tester run against every channel kind (Apprise's tests/helpers/rest.py idea).

Each case builds its channel from a ChannelConfig through the default
registry, pointed at a REAL local server (or stream), sends two Chinese
alerts, and reads back what the server received. A second case per kind
points the channel at something broken (for the robots and the SMS gateway:
HTTP 200 with an error body) and checks the failure policy; a third points
the HTTP kinds at a slow server with a short timeout (retryable failure).
"""

from __future__ import annotations

import email
import email.policy
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from alert_servers import HttpServer, SmtpServer, free_port
from alerts_helpers import make_alert

from yuqing.alerts.channels import (
    Channel,
    build_channel,
    channel_registry,
    register_builtin_channels,
)
from yuqing.alerts.channels.client import AlertHub, ClientChannel
from yuqing.alerts.channels.console import ConsoleChannel
from yuqing.config import ChannelConfig

Received = list[tuple[str, str]]  # (title, full text) per delivered alert


@dataclass
class Env:
    """The real servers of one test."""

    smtp: SmtpServer
    http: HttpServer
    stream: io.StringIO
    hub: AlertHub = field(default_factory=AlertHub)


@dataclass
class ChannelCase:
    """How to build one channel kind against the test servers and read what arrived."""

    kind: str
    options: Callable[[Env], dict[str, Any]]
    received: Callable[[Env], Received]
    broken: Callable[[Env], dict[str, Any]] | None
    broken_retryable: bool
    slow: Callable[[Env], dict[str, Any]] | None = None


def _mail_received(env: Env) -> Received:
    out = []
    for envelope in env.smtp.recorder.envelopes:
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        out.append((str(msg["Subject"]), msg.get_content()))
    return out


def _hook_received(env: Env) -> Received:
    docs = [json.loads(r["body"].decode("utf-8")) for r in env.http.requests]
    return [(d["title"], f"{d['title']}\n{d['body']}") for d in docs]


def _packed_received(key: str) -> Callable[[Env], Received]:
    """Read alerts packed into robot messages (WeCom ``markdown.content``, DingTalk
    ``markdown.text``, Feishu card)."""
    def read(env: Env) -> Received:
        out = []
        for r in env.http.requests:
            doc = json.loads(r["body"])
            text = (doc["markdown"]["content"] if key == "wecom"
                    else doc["markdown"]["text"] if key == "dingtalk"
                    else doc["card"]["elements"][0]["content"])
            for block in text.split("\n\n---\n\n"):
                title = next(x for x in block.splitlines() if x.startswith("### "))
                out.append((title.removeprefix("### "), block))
        return out
    return read


def _sms_received(env: Env) -> Received:
    docs = [json.loads(r["body"]) for r in env.http.requests]
    return [(d["text"].removeprefix("[III] ").split(" 摘要")[0], d["text"]) for d in docs]


def _apprise_received(env: Env) -> Received:
    docs = [json.loads(r["body"]) for r in env.http.requests]
    return [(d["title"], d["message"]) for d in docs]


def _client_received(env: Env) -> Received:
    events = list(env.hub._events.values())
    return [(d["title"], d["body"]) for d in events]


def _http(path: str, **extra: Any) -> Callable[[Env], dict[str, Any]]:
    return lambda env: {"url": env.http.url + path, "allow_internal": True, **extra}


def _console_received(env: Env) -> Received:
    blocks = [b for b in env.stream.getvalue().split("-" * 40 + "\n") if b]
    return [(b.splitlines()[0], b) for b in blocks]


CASES = [
    ChannelCase(
        "console", options=lambda env: {}, received=_console_received,
        broken=lambda env: {}, broken_retryable=False),
    ChannelCase(
        "email",
        options=lambda env: {"host": env.smtp.host, "port": env.smtp.port, "timeout": 5,
                             "from": "yuqing@example.cn", "to": ["duty@example.cn"]},
        received=_mail_received,
        broken=lambda env: {"host": "127.0.0.1", "port": free_port(), "timeout": 2,
                            "from": "yuqing@example.cn", "to": "duty@example.cn"},
        broken_retryable=True),
    ChannelCase(
        "webhook",
        options=lambda env: {"url": env.http.url + "/ok", "allow_internal": True, "timeout": 5},
        received=_hook_received,
        broken=lambda env: {"url": env.http.url + "/bad", "allow_internal": True},
        broken_retryable=False),
    ChannelCase(
        "dingtalk",
        options=lambda env: {"url": env.http.url + "/robot?access_token=x",
                             "allow_internal": True, "keyword": "舆情预警"},
        received=_packed_received("dingtalk"),
        broken=lambda env: {"url": env.http.url + "/robot-refuses", "allow_internal": True},
        broken_retryable=False, slow=_http("/slow/robot", timeout=0.3)),
    ChannelCase("wecom", options=_http("/wecom"), received=_packed_received("wecom"),
                broken=_http("/wecom-refuses"), broken_retryable=False,
                slow=_http("/slow/wecom", timeout=0.3)),
    ChannelCase("feishu", options=_http("/feishu", secret="s3cret"),
                received=_packed_received("feishu"),
                broken=_http("/feishu-refuses"), broken_retryable=False,
                slow=_http("/slow/feishu", timeout=0.3)),
    ChannelCase("sms", options=_http("/sms", to=["13800000000"], ok_field="code"),
                received=_sms_received,
                broken=_http("/sms-refuses", to=["13800000000"], ok_field="code"),
                broken_retryable=False,
                slow=_http("/slow/sms", to=["13800000000"], timeout=0.3)),
    ChannelCase("apprise", options=lambda env: {"urls": env.http.url.replace("http", "json", 1)
                                                + "/ok"},
                received=_apprise_received,
                broken=lambda env: {"urls": env.http.url.replace("http", "json", 1) + "/bad"},
                broken_retryable=True),
    ChannelCase("client", options=lambda env: {}, received=_client_received, broken=None,
                broken_retryable=False),
]


def build(case: ChannelCase, options: dict[str, Any], env: Env) -> Channel:
    channel = build_channel(
        register_builtin_channels(channel_registry()),
        ChannelConfig(name=f"my-{case.kind}", kind=case.kind, **options),
    )
    if isinstance(channel, ConsoleChannel):
        channel.stream = env.stream
    if isinstance(channel, ClientChannel):
        channel.hub = env.hub
    return channel


@pytest.fixture
def env(smtp_server: SmtpServer, http_server: HttpServer) -> Env:
    return Env(smtp_server, http_server, io.StringIO())


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.kind)
def test_delivers_chinese_alerts(case: ChannelCase, env: Env) -> None:
    channel = build(case, case.options(env), env)
    assert (channel.name, channel.kind) == (f"my-{case.kind}", case.kind)
    results = channel.send([make_alert(1), make_alert(2)])
    assert [(r.ok, r.error) for r in results] == [(True, None), (True, None)]
    received = case.received(env)
    assert [title for title, _ in received] == ["【舆情预警】燃气安全：负面 — 第1条",
                                                "【舆情预警】燃气安全：负面 — 第2条"]
    assert "摘要：燃气泄漏无人处理1" in received[0][1]
    assert "摘要：燃气泄漏无人处理2" in received[1][1]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.kind)
def test_failure_policy(case: ChannelCase, env: Env) -> None:
    if case.broken is None:
        pytest.skip(f"{case.kind}: nothing outside the process can refuse it")
    channel = build(case, case.broken(env), env)
    env.stream.close()  # the console's stream is gone
    results = channel.send([make_alert(1), make_alert(2)])
    assert [r.ok for r in results] == [False, False]
    assert all(r.error for r in results)
    assert [r.retryable for r in results] == [case.broken_retryable] * 2
    assert env.smtp.recorder.envelopes == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.kind)
def test_nothing_to_send(case: ChannelCase, env: Env) -> None:
    assert build(case, case.options(env), env).send([]) == []
    assert env.http.requests == [] and env.smtp.recorder.envelopes == []


@pytest.mark.parametrize("case", [c for c in CASES if c.slow], ids=lambda c: c.kind)
def test_slow_receiver_is_a_retryable_timeout(case: ChannelCase, env: Env) -> None:
    assert case.slow is not None
    results = build(case, case.slow(env), env).send([make_alert(1)])
    assert [(r.ok, r.retryable) for r in results] == [(False, True)]
    assert "timeout" in (results[0].error or "")
