"""Tests of the e-mail channel against a REAL aiosmtpd server (see tests/alerts/conftest.py)."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from alert_servers import SmtpServer, free_port
from alerts_helpers import make_alert

from yuqing.alerts.channels.email import EmailChannel, email_from_config
from yuqing.config import ChannelConfig
from yuqing.domain import BadInput


def channel(server: SmtpServer, **options: Any) -> EmailChannel:
    opts: dict[str, Any] = {"host": server.host, "port": server.port, "timeout": 5,
                            "from": "yuqing@example.cn", "to": ["duty@example.cn"]}
    opts.update(options)
    return email_from_config(ChannelConfig(name="mail", kind="email", **opts))


def received(server: SmtpServer, n: int = 0) -> EmailMessage:
    raw = server.recorder.envelopes[n].original_content
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_chinese_subject_and_body_arrive_intact(smtp_server: SmtpServer) -> None:
    [result] = channel(smtp_server).send([make_alert(5)])
    assert result.ok and result.error is None
    msg = received(smtp_server)
    assert msg["Subject"] == "【舆情预警】燃气安全：负面 — 第5条"
    assert msg["X-Yuqing-Dedup-Key"] == "燃气:weibo:5"
    assert msg.get_content_charset() == "utf-8"
    body = msg.get_content()
    assert body.startswith("【舆情预警】燃气安全：负面 — 第5条\n预警级别：III")
    assert "摘要：燃气泄漏无人处理5" in body
    raw_headers = smtp_server.recorder.envelopes[0].original_content.split(b"\r\n\r\n")[0]
    assert raw_headers.isascii()  # subject RFC 2047-encoded, not raw UTF-8
    assert b"=?utf-8?" in raw_headers


def test_every_recipient_and_envelope(smtp_server: SmtpServer) -> None:
    channel(smtp_server, to=["a@example.cn", "b@example.cn"]).send([make_alert()])
    envelope = smtp_server.recorder.envelopes[0]
    assert envelope.mail_from == "yuqing@example.cn"
    assert envelope.rcpt_tos == ["a@example.cn", "b@example.cn"]
    assert received(smtp_server)["To"] == "a@example.cn, b@example.cn"


def test_login_with_password(smtp_server: SmtpServer) -> None:
    [result] = channel(smtp_server, username="yuqing", password="s3cret").send([make_alert()])
    assert result.ok
    assert smtp_server.recorder.logins == ["yuqing"]
    assert received(smtp_server)["Subject"].startswith("【舆情预警】")


def test_wrong_password_is_permanent(smtp_server: SmtpServer) -> None:
    results = channel(smtp_server, username="yuqing", password="bad").send(
        [make_alert(1), make_alert(2)])
    assert [(r.ok, r.retryable) for r in results] == [(False, False)] * 2
    assert results[0].error is not None and "535" in results[0].error
    assert smtp_server.recorder.envelopes == []


@pytest.mark.parametrize(("to", "code", "retryable"), [
    (["busy@example.cn"], "451", True), (["nouser@example.cn"], "550", False),
    (["busy@example.cn", "nouser@example.cn"], "550", False),
])
def test_refused_recipients(smtp_server: SmtpServer, to: list[str], code: str,
                            retryable: bool) -> None:
    [result] = channel(smtp_server, to=to).send([make_alert()])
    assert not result.ok and result.retryable is retryable
    assert result.error is not None and code in result.error
    assert smtp_server.recorder.envelopes == []


def test_partly_refused_is_delivered_with_a_note(smtp_server: SmtpServer) -> None:
    [result] = channel(smtp_server, to=["duty@example.cn", "nouser@example.cn"]).send(
        [make_alert()])
    assert result.ok and result.error is not None and "nouser@example.cn" in result.error
    assert smtp_server.recorder.envelopes[0].rcpt_tos == ["duty@example.cn"]


def test_starttls_not_offered_is_permanent(smtp_server: SmtpServer) -> None:
    [result] = channel(smtp_server, starttls=True).send([make_alert()])
    assert (result.ok, result.retryable) == (False, False)
    assert smtp_server.recorder.envelopes == []


def test_ssl_against_plain_server_is_permanent(smtp_server: SmtpServer) -> None:
    [result] = channel(smtp_server, ssl=True).send([make_alert()])
    assert (result.ok, result.retryable) == (False, False)
    assert result.error is not None and "TLS" in result.error
    assert smtp_server.recorder.envelopes == []


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections but never says hello."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(4)
        yield int(s.getsockname()[1])


def test_timeout_and_refused_connection_are_retryable(silent_server: int) -> None:
    settings: dict[str, Any] = {"host": "127.0.0.1", "from": "a@b.cn", "to": "c@d.cn"}
    slow = email_from_config(ChannelConfig(name="m", kind="email", port=silent_server,
                                           timeout=0.3, **settings))
    closed = email_from_config(ChannelConfig(name="m", kind="email", port=free_port(),
                                             **settings))
    [timeout] = slow.send([make_alert()])
    [refused] = closed.send([make_alert()])
    assert (timeout.ok, timeout.retryable) == (False, True)
    assert timeout.error is not None and "timed out" in timeout.error
    assert (refused.ok, refused.retryable) == (False, True)
    assert refused.error is not None and "ConnectionRefusedError" in refused.error


@pytest.mark.parametrize(("options", "problem"), [
    ({"port": 25, "from": "a@b.cn", "to": "c@d.cn"}, "missing required option 'host'"),
    ({"host": "h", "to": "c@d.cn"}, "missing required option 'from'"),
    ({"host": "h", "from": "a@b.cn", "to": []}, "missing required option 'to'"),
    ({"host": "h", "from": "a@b.cn", "to": [1]}, "'to' must be a string"),
    ({"host": "h", "from": "a@b.cn", "to": "c@d.cn", "port": "x"}, "'port' must be"),
    ({"host": "h", "from": "a@b.cn", "to": "c@d.cn", "timeout": 0}, "'timeout' must be"),
    ({"host": "h", "from": "a@b.cn", "to": "c@d.cn", "lang": "fr"}, "'fr' is not known"),
])
def test_config_errors_name_channel_and_option(options: dict[str, Any], problem: str) -> None:
    with pytest.raises(BadInput, match="'mail'") as info:
        email_from_config(ChannelConfig(name="mail", kind="email", **options))
    assert problem in str(info.value)


def test_ssl_default_port() -> None:
    ch = email_from_config(ChannelConfig(name="m", kind="email", host="h", ssl=True,
                                         **{"from": "a@b.cn", "to": "c@d.cn"}))
    assert ch.settings.port == 465 and ch.settings.to == ["c@d.cn"]
