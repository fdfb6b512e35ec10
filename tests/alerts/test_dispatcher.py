"""Tests of yuqing.alerts.dispatcher: retries, isolation of channels, unknown channels.

The retry logic is driven by a scripted channel (a stand-in for our own
Channel protocol, not for a server); the end-to-end test uses the REAL
SMTP and HTTP servers of conftest.py.
"""

from __future__ import annotations

import email
import email.policy
import json

import pytest
from alert_servers import HttpServer, SmtpServer
from alerts_helpers import make_alert

from yuqing.alerts.channels import build_channels, channel_registry, register_builtin_channels
from yuqing.alerts.channels.base import DeliveryResult
from yuqing.alerts.dispatcher import Dispatcher, check_rule_channels
from yuqing.alerts.rules import MatchRule
from yuqing.config import ChannelConfig, RuleConfig
from yuqing.domain import Alert, BadInput

OK = DeliveryResult.success()
TRANSIENT = DeliveryResult.failure("busy", retryable=True)
PERMANENT = DeliveryResult.failure("refused", retryable=False)


class Scripted:
    """A channel answering each send of an alert with the next result of its script."""

    kind = "scripted"

    def __init__(self, name: str, script: list[DeliveryResult]) -> None:
        self.name = name
        self.script = script
        self.calls: list[list[str]] = []

    def send(self, alerts: list[Alert]) -> list[DeliveryResult]:
        self.calls.append([a.dedup_key for a in alerts])
        return [self.script.pop(0) for _ in alerts]


class Exploding:
    kind = "broken"
    name = "boom"

    def send(self, alerts: list[Alert]) -> list[DeliveryResult]:
        raise RuntimeError("bug in channel")


@pytest.mark.parametrize(("script", "ok", "attempts", "sleeps"), [
    ([OK], True, 1, []),
    ([TRANSIENT, OK], True, 2, [0.5]),
    ([TRANSIENT, TRANSIENT, OK], True, 3, [0.5, 2]),
    ([TRANSIENT, TRANSIENT, TRANSIENT], False, 3, [0.5, 2]),
    ([PERMANENT], False, 1, []),
    ([TRANSIENT, PERMANENT], False, 2, [0.5]),
])
def test_retry_policy(script: list[DeliveryResult], ok: bool, attempts: int,
                      sleeps: list[float]) -> None:
    slept: list[float] = []
    ch = Scripted("s", list(script))
    out = Dispatcher({"s": ch}, sleep=slept.append).deliver([make_alert(1, channels=("s",))])
    result = out["燃气:weibo:1"]["s"]
    assert (result.ok, result.attempts) == (ok, attempts)
    assert slept == sleeps
    assert ch.script == []  # never sent more often than scripted


def test_backoff_last_value_repeats_and_only_failed_alerts_are_resent() -> None:
    slept: list[float] = []
    ch = Scripted("s", [TRANSIENT, OK, TRANSIENT, TRANSIENT, OK])
    alerts = [make_alert(1, channels=("s",)), make_alert(2, channels=("s",))]
    out = Dispatcher({"s": ch}, max_attempts=4, backoff=(1,), sleep=slept.append).deliver(alerts)
    assert ch.calls == [["燃气:weibo:1", "燃气:weibo:2"], ["燃气:weibo:1"], ["燃气:weibo:1"],
                        ["燃气:weibo:1"]]
    assert slept == [1, 1, 1]
    assert out["燃气:weibo:1"]["s"].attempts == 4 and out["燃气:weibo:1"]["s"].ok
    assert out["燃气:weibo:2"]["s"].attempts == 1 and out["燃气:weibo:2"]["s"].ok


def test_unknown_and_exploding_channels_do_not_stop_others() -> None:
    good = Scripted("good", [OK])
    out = Dispatcher({"good": good, "boom": Exploding()}, sleep=lambda s: None).deliver(
        [make_alert(1, channels=("boom", "nowhere", "good"))])
    results = out["燃气:weibo:1"]
    assert results["good"].ok
    assert not results["boom"].ok and not results["boom"].retryable
    assert "RuntimeError: bug in channel" in (results["boom"].error or "")
    assert not results["nowhere"].ok and not results["nowhere"].retryable
    assert results["nowhere"].error == "unknown channel 'nowhere' (configured: boom, good)"


def test_wrong_number_of_results_is_a_failure() -> None:
    class Short(Scripted):
        def send(self, alerts: list[Alert]) -> list[DeliveryResult]:
            return []

    out = Dispatcher({"s": Short("s", [])}).deliver([make_alert(1, channels=("s",))])
    assert out["燃气:weibo:1"]["s"].error == "channel 's' returned 0 results for 1 alerts"


def test_max_attempts_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        Dispatcher({}, max_attempts=0)


def test_check_rule_channels() -> None:
    rules = [MatchRule(RuleConfig(name="a", channels=["console"])),
             MatchRule(RuleConfig(name="b", channels=["mail", "sms"]))]
    channels = {"console": Scripted("console", []), "mail": Scripted("mail", [])}
    with pytest.raises(BadInput, match="rule 'b' uses unknown channel 'sms' "
                                       "\\(configured channels: console, mail\\)"):
        check_rule_channels(rules, channels)
    check_rule_channels(rules[:1], channels)  # a correct config raises nothing
    assert rules[0].channels == ["console"]


def test_end_to_end_with_real_servers(smtp_server: SmtpServer, http_server: HttpServer) -> None:
    channels = build_channels([
        ChannelConfig(name="mail", kind="email", host=smtp_server.host, port=smtp_server.port,
                      to=["duty@example.cn"], **{"from": "yuqing@example.cn"}),
        ChannelConfig(name="hook", kind="webhook", url=http_server.url + "/flaky",
                      allow_internal=True),
        ChannelConfig(name="dead", kind="webhook", url=http_server.url + "/bad",
                      allow_internal=True),
    ], register_builtin_channels(channel_registry()))
    slept: list[float] = []
    alerts = [make_alert(1, channels=("mail", "hook", "dead")), make_alert(2, channels=("mail",))]
    out = Dispatcher(channels, sleep=slept.append).deliver(alerts)
    assert {k: {c: (r.ok, r.attempts) for c, r in v.items()} for k, v in out.items()} == {
        "燃气:weibo:1": {"mail": (True, 1), "hook": (True, 2), "dead": (False, 1)},
        "燃气:weibo:2": {"mail": (True, 1)}}
    assert slept == [0.5]
    subjects = [email.message_from_bytes(e.original_content, policy=email.policy.default)["Subject"]
                for e in smtp_server.recorder.envelopes]
    assert subjects == ["【舆情预警】燃气安全：负面 — 第1条", "【舆情预警】燃气安全：负面 — 第2条"]
    assert [(r["path"], json.loads(r["body"])["dedup_key"]) for r in http_server.requests] == [
        ("/flaky", "燃气:weibo:1"), ("/bad", "燃气:weibo:1"), ("/flaky", "燃气:weibo:1")]
