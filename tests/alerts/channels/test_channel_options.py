"""One table-driven test of the typed options of every built-in channel kind
(yuqing.alerts.channels.options and each kind's model): a valid options dict builds, a
missing required option and a value of the wrong type are refused naming the channel and
the option, and every secret is masked in the display form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from yuqing.alerts.channels import Channel, channel_registry, register_builtin_channels
from yuqing.alerts.channels.apprise_channel import AppriseOptions, apprise_from_config
from yuqing.alerts.channels.client import ClientOptions, client_from_config
from yuqing.alerts.channels.console import ConsoleOptions, console_from_config
from yuqing.alerts.channels.dingtalk import DingTalkOptions, dingtalk_from_config
from yuqing.alerts.channels.email import EmailOptions, email_from_config
from yuqing.alerts.channels.feishu import FeishuOptions, feishu_from_config
from yuqing.alerts.channels.options import ChannelOptions, display_options, model_of
from yuqing.alerts.channels.sms import SmsOptions, sms_from_config
from yuqing.alerts.channels.webhook import WebhookOptions, webhook_from_config
from yuqing.alerts.channels.wecom import WeComOptions, wecom_from_config
from yuqing.config import ChannelConfig
from yuqing.domain import BadInput

#: what a secret holds in the cases below: it must never show in a display form
S = "S3CRETVALUE"
ROBOT_URL = f"https://robot.example.cn/robot/send?access_token={S}"


@dataclass
class OptionsCase:
    """One kind: its factory and model, valid options, the options it requires, one wrong
    value, and the options that are secrets."""

    kind: str
    build: Callable[[ChannelConfig], Channel]
    model: type[ChannelOptions]
    valid: dict[str, Any]
    required: set[str]
    wrong: tuple[str, Any]
    secrets: set[str]


CASES = [
    OptionsCase("console", console_from_config, ConsoleOptions, {"style": "line", "lang": "en"},
                set(), ("style", 5), set()),
    OptionsCase("email", email_from_config, EmailOptions,
                {"host": "smtp.example.cn", "from": "yq@example.cn", "to": ["duty@example.cn"],
                 "username": "yq", "password": S, "ssl": True},
                {"host", "from", "to"}, ("port", "x"), {"password"}),
    OptionsCase("webhook", webhook_from_config, WebhookOptions,
                {"url": f"https://hooks.example.cn/in?token={S}", "secret": S,
                 "headers": {"Authorization": f"Bearer {S}"}, "timeout": 3},
                {"url"}, ("timeout", "soon"), {"url", "secret", "headers"}),
    OptionsCase("dingtalk", dingtalk_from_config, DingTalkOptions,
                {"url": ROBOT_URL, "secret": S, "keyword": S},
                {"url"}, ("max_bytes", "4096"), {"url", "secret", "keyword"}),
    OptionsCase("wecom", wecom_from_config, WeComOptions,
                {"url": f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={S}",
                 "keyword": S, "mentioned_mobiles": [13800000000]},
                {"url"}, ("mentioned_mobiles", "13800000000"), {"url", "keyword"}),
    OptionsCase("feishu", feishu_from_config, FeishuOptions,
                {"url": f"https://open.feishu.cn/open-apis/bot/v2/hook/{S}-0000-1111",
                 "secret": S, "rate_per_minute": "50"},
                {"url"}, ("allow_internal", "maybe"), {"url", "secret", "keyword"}),
    OptionsCase("sms", sms_from_config, SmsOptions,
                {"url": f"https://sms.example.cn/send?sign={S}", "to": "13800000000",
                 "headers": {"X-Api-Key": S}, "ok_field": "code"},
                {"url", "to"}, ("max_parts", "3"), {"url", "headers"}),
    OptionsCase("client", client_from_config, ClientOptions, {"keep": 10},
                set(), ("keep", "many"), set()),
    OptionsCase("apprise", apprise_from_config, AppriseOptions,
                {"urls": [f"json://{S}@localhost/ok"]}, {"urls"}, ("urls", [5]), {"urls"}),
]


def config(case: OptionsCase, options: dict[str, Any]) -> ChannelConfig:
    return ChannelConfig(name=f"my-{case.kind}", kind=case.kind, **options)


def test_the_table_covers_every_built_in_kind() -> None:
    assert sorted(c.kind for c in CASES) == register_builtin_channels(channel_registry()).names()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.kind)
def test_valid_options_build(case: OptionsCase) -> None:
    channel = case.build(config(case, case.valid))
    assert (channel.name, channel.kind) == (f"my-{case.kind}", case.kind)
    assert model_of(channel) is case.model


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.kind)
def test_required_options_are_declared_and_refused_when_missing(case: OptionsCase) -> None:
    declared = {info.alias or name for name, info in case.model.model_fields.items()
                if info.is_required()}
    assert declared == case.required
    for key in sorted(case.required):
        for gone in ({k: v for k, v in case.valid.items() if k != key}, {**case.valid, key: ""}):
            with pytest.raises(BadInput) as info:
                case.build(config(case, gone))
            assert str(info.value) == (f"alert channel 'my-{case.kind}' (kind {case.kind}): "
                                       f"missing required option {key!r}")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.kind)
def test_a_wrong_type_is_refused_naming_the_option(case: OptionsCase) -> None:
    key, value = case.wrong
    with pytest.raises(BadInput) as info:
        case.build(config(case, {**case.valid, key: value}))
    message = str(info.value)
    assert message.startswith(f"alert channel 'my-{case.kind}' (kind {case.kind}): option {key!r}")
    assert repr(value) in message or "must be >= 1" in message


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.kind)
def test_every_secret_is_masked_for_display(case: OptionsCase) -> None:
    assert set(case.model.secret_marks()) == case.secrets
    shown = display_options(case.model, case.valid)
    assert S not in repr(shown)
    assert sorted(shown) == sorted(case.valid)
    for key, value in case.valid.items():
        if key not in case.secrets:
            assert shown[key] == value  # only secrets change


def test_display_keeps_the_shape_of_secrets_and_hides_undeclared_options() -> None:
    shown = display_options(WebhookOptions, {
        "url": f"https://user:{S}@hooks.example.cn/in", "headers": {"Authorization": S},
        "timeout": 3, "typo_secret": S, "secret": ""})
    assert shown == {"url": "https://user:***@hooks.example.cn/in",
                     "headers": {"Authorization": "***"}, "timeout": 3, "typo_secret": "***",
                     "secret": ""}
    assert display_options(None, {"url": "https://example.cn", "n": 1}) == {
        "url": "***", "n": "***"}  # a kind without a model shows nothing


def test_numbers_stay_text_where_the_option_is_text() -> None:
    ch = dingtalk_from_config(ChannelConfig(name="d", kind="dingtalk", url=ROBOT_URL,
                                            secret=123456, keyword=2024))
    assert (ch.secret, ch.keyword) == ("123456", "2024")
    mail = email_from_config(ChannelConfig(name="m", kind="email", host="h", to="a@b.cn",
                                           port=587, **{"from": "c@d.cn"}))
    assert (mail.settings.port, mail.settings.sender, mail.settings.to) == (587, "c@d.cn",
                                                                          ["a@b.cn"])
