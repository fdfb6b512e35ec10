"""Alert channel kinds and how the channels of a config are built.

The registry itself is a :class:`yuqing.plugins.Registry` of :data:`ChannelFactory`,
owned by the composition root (runtime/context.py), which fills it with
:func:`register_builtin_channels` and the ``yuqing.channels`` entry points.
Adding a kind is one module and one ``register`` call.
"""

from __future__ import annotations

from collections.abc import Callable

from yuqing.alerts.channels.apprise_channel import apprise_from_config
from yuqing.alerts.channels.base import Channel
from yuqing.alerts.channels.client import client_from_config
from yuqing.alerts.channels.console import ConsoleChannel, console_from_config
from yuqing.alerts.channels.dingtalk import dingtalk_from_config
from yuqing.alerts.channels.email import email_from_config
from yuqing.alerts.channels.feishu import feishu_from_config
from yuqing.alerts.channels.sms import sms_from_config
from yuqing.alerts.channels.webhook import webhook_from_config
from yuqing.alerts.channels.wecom import wecom_from_config
from yuqing.config import ChannelConfig
from yuqing.domain import BadInput
from yuqing.plugins import Registry

ChannelFactory = Callable[[ChannelConfig], Channel]
DEFAULT_CHANNEL = "console"
#: the entry point group of third-party channel kinds
ENTRY_POINT_GROUP = "yuqing.channels"


def channel_registry() -> Registry[ChannelFactory]:
    """Return a new, empty registry of channel kinds."""
    return Registry("channel kind")


def register_builtin_channels(registry: Registry[ChannelFactory]) -> Registry[ChannelFactory]:
    """Register the built-in kinds (console, email, webhook, dingtalk, wecom, feishu, sms,
    client (web stream) and apprise); return ``registry``."""
    for kind, factory in (("console", console_from_config), ("email", email_from_config),
                          ("webhook", webhook_from_config), ("dingtalk", dingtalk_from_config),
                          ("wecom", wecom_from_config), ("feishu", feishu_from_config),
                          ("sms", sms_from_config), ("client", client_from_config),
                          ("apprise", apprise_from_config)):
        registry.register(kind, factory)
    return registry


def build_channel(registry: Registry[ChannelFactory], cfg: ChannelConfig) -> Channel:
    """Return the channel of ``cfg``.

    Raises BadInput listing the known kinds when ``cfg.kind`` is unknown, or naming
    the channel and option when an option is missing or bad.
    """
    return registry.get(cfg.kind, owner=f"alert channel {cfg.name!r}")(cfg)


def build_channels(configs: list[ChannelConfig],
                   registry: Registry[ChannelFactory]) -> dict[str, Channel]:
    """Return ``{name: channel}`` for ``configs`` (e.g. ``config.alerts.channels``).

    A channel named ``console`` (stderr) is added when none is configured,
    because rules send there by default. Raises BadInput on a repeated name,
    an unknown kind or a bad option.
    """
    channels: dict[str, Channel] = {}
    for cfg in configs:
        if cfg.name in channels:
            raise BadInput(f"alert channel name {cfg.name!r} is used twice")
        channels[cfg.name] = build_channel(registry, cfg)
    channels.setdefault(DEFAULT_CHANNEL, ConsoleChannel(DEFAULT_CHANNEL))
    return channels
