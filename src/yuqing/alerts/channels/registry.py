"""The channel registry: channel kind -> factory building a Channel from its config.

A registry is an object (no module-global state), so two apps and the tests
can each hold their own; :func:`default_channel_registry` returns one with
the built-in kinds. Adding a kind is one module and one ``register`` call.
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

ChannelFactory = Callable[[ChannelConfig], Channel]
DEFAULT_CHANNEL = "console"


class ChannelRegistry:
    """Maps channel kinds to factories ``(ChannelConfig) -> Channel``."""

    def __init__(self) -> None:
        self._factories: dict[str, ChannelFactory] = {}

    def register(self, kind: str, factory: ChannelFactory) -> None:
        """Register ``factory`` for ``kind``; raises ValueError when the kind is taken."""
        if kind in self._factories:
            raise ValueError(f"channel kind {kind!r} is already registered")
        self._factories[kind] = factory

    def kinds(self) -> list[str]:
        """Return the registered kinds, sorted."""
        return sorted(self._factories)

    def build(self, cfg: ChannelConfig) -> Channel:
        """Return the channel of ``cfg``.

        Raises BadInput listing the known kinds when ``cfg.kind`` is unknown,
        or naming the channel and option when an option is missing or bad.
        """
        factory = self._factories.get(cfg.kind)
        if factory is None:
            raise BadInput(f"alert channel {cfg.name!r}: unknown kind {cfg.kind!r}; "
                           f"known kinds: {', '.join(self.kinds())}")
        return factory(cfg)


def default_channel_registry() -> ChannelRegistry:
    """Return a new registry with the built-in kinds: console, email, webhook, dingtalk,
    wecom, feishu, sms, client (web stream) and apprise."""
    registry = ChannelRegistry()
    for kind, factory in (("console", console_from_config), ("email", email_from_config),
                          ("webhook", webhook_from_config), ("dingtalk", dingtalk_from_config),
                          ("wecom", wecom_from_config), ("feishu", feishu_from_config),
                          ("sms", sms_from_config), ("client", client_from_config),
                          ("apprise", apprise_from_config)):
        registry.register(kind, factory)
    return registry


def build_channels(configs: list[ChannelConfig],
                   registry: ChannelRegistry | None = None) -> dict[str, Channel]:
    """Return ``{name: channel}`` for ``configs`` (e.g. ``config.alerts.channels``).

    A channel named ``console`` (stderr) is added when none is configured,
    because rules send there by default. Raises BadInput on a repeated name,
    an unknown kind or a bad option.
    """
    registry = registry or default_channel_registry()
    channels: dict[str, Channel] = {}
    for cfg in configs:
        if cfg.name in channels:
            raise BadInput(f"alert channel name {cfg.name!r} is used twice")
        channels[cfg.name] = registry.build(cfg)
    channels.setdefault(DEFAULT_CHANNEL, ConsoleChannel(DEFAULT_CHANNEL))
    return channels
