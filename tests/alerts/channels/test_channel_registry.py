"""Tests of yuqing.alerts.channels.registry."""

from __future__ import annotations

import pytest

from yuqing.alerts.channels import (
    build_channel,
    build_channels,
    channel_registry,
    register_builtin_channels,
)
from yuqing.alerts.channels.console import ConsoleChannel
from yuqing.alerts.channels.email import EmailChannel
from yuqing.alerts.channels.webhook import WebhookChannel
from yuqing.config import ChannelConfig, parse_config
from yuqing.domain import BadInput

BUILTINS = register_builtin_channels(channel_registry())


def test_unknown_kind_lists_known_kinds() -> None:
    with pytest.raises(BadInput, match="'pager': unknown kind 'fax'; known kinds: "
                                       "apprise, client, console, dingtalk, email, feishu, "
                                       "sms, webhook, wecom"):
        build_channel(BUILTINS, ChannelConfig(name="pager", kind="fax"))


def test_missing_option_names_channel_and_option() -> None:
    with pytest.raises(BadInput, match="'ops' \\(kind webhook\\): missing required option 'url'"):
        build_channel(BUILTINS, ChannelConfig(name="ops", kind="webhook"))


def test_build_channels_from_config_adds_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YQ_TEST_PW", "pw-from-env")
    cfg = parse_config({"alerts": {"channels": [
        {"name": "mail", "kind": "email", "host": "smtp.example.cn", "from": "a@b.cn",
         "to": ["c@d.cn"], "password": {"$env": "YQ_TEST_PW"}},
        {"name": "hook", "kind": "webhook", "url": "https://example.com/h"}]}})
    channels = build_channels(cfg.alerts.channels, BUILTINS)
    assert sorted(channels) == ["console", "hook", "mail"]
    assert isinstance(channels["mail"], EmailChannel)
    assert channels["mail"].settings.password == "pw-from-env"
    assert isinstance(channels["hook"], WebhookChannel)
    assert isinstance(channels["console"], ConsoleChannel)


def test_repeated_name_is_bad_input() -> None:
    configs = [ChannelConfig(name="c", kind="console"), ChannelConfig(name="c", kind="console")]
    with pytest.raises(BadInput, match="'c' is used twice"):
        build_channels(configs, BUILTINS)


def test_registries_are_independent() -> None:
    mine = channel_registry()
    mine.register("console", lambda cfg: ConsoleChannel(cfg.name))
    assert mine.names() == ["console"]
    assert register_builtin_channels(channel_registry()).names() == [
        "apprise", "client", "console", "dingtalk", "email", "feishu", "sms", "webhook", "wecom"]
    with pytest.raises(ValueError, match="already registered"):
        mine.register("console", lambda cfg: ConsoleChannel(cfg.name))
    with pytest.raises(BadInput, match="known kinds: console$"):
        build_channel(mine, ChannelConfig(name="m", kind="email"))
