"""Alert channels: console, e-mail (SMTP), generic JSON webhook, DingTalk, WeCom and
Feishu robots, SMS over an HTTP gateway, the web client stream, and Apprise.

A channel is built from a :class:`~yuqing.config.ChannelConfig` by the factory its
kind has in a channel registry; see :func:`register_builtin_channels`.
"""

from yuqing.alerts.channels.base import Channel, DeliveryResult
from yuqing.alerts.channels.registry import (
    ChannelFactory,
    build_channel,
    build_channels,
    channel_registry,
    register_builtin_channels,
)

__all__ = [
    "Channel",
    "ChannelFactory",
    "DeliveryResult",
    "build_channel",
    "build_channels",
    "channel_registry",
    "register_builtin_channels",
]
