"""Alert channels: console, e-mail (SMTP), generic JSON webhook, DingTalk, WeCom and
Feishu robots, SMS over an HTTP gateway, the web client stream, and Apprise.

A channel is built from a :class:`~yuqing.config.ChannelConfig` by a
:class:`ChannelRegistry`; see :func:`default_channel_registry`.
"""

from yuqing.alerts.channels.base import Channel, DeliveryResult
from yuqing.alerts.channels.registry import (
    ChannelRegistry,
    build_channels,
    default_channel_registry,
)

__all__ = [
    "Channel",
    "ChannelRegistry",
    "DeliveryResult",
    "build_channels",
    "default_channel_registry",
]
